"""The bench's table: each figure as ours, twin and ratio, against its target."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any


def _ratio(ours: float, twin: float) -> float:
    return ours / twin if twin else math.nan


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: ours, the fair twin and the ratio (against its target), and the bare
    twin with its ratio beside them. A run from before the fair twin has the bare one only: its
    ratios are against that."""
    out: list[dict[str, Any]] = []

    def add(name, sides, pick, unit, target=None, spread=None, fmt="{:,.3f}") -> None:
        ours = pick(sides["ours"])
        fair = pick(sides["fair"]) if "fair" in sides else None
        bare = pick(sides["twin"])
        base = fair if fair is not None else bare
        ratio = _ratio(ours, base)
        out.append(
            dict(name=name, ours=ours, twin=base, ratio=ratio, unit=unit, target=target,
                 met=None if target is None else ratio <= target, fmt=fmt,
                 bare=bare if fair is not None else None,
                 bare_ratio=_ratio(ours, bare) if fair is not None else None,
                 spread=spread and tuple(spread(sides[s]) for s in ("ours", "fair", "twin")
                                         if s in sides))
        )  # fmt: skip

    adm = result.get("admission")
    if adm:
        add("worker CPU-seconds per lifecycle (median of rounds)", adm,
            lambda f: f["cpu"]["median"], "s", 1.3, spread=lambda f: f["cpu"]["p95"])  # fmt: skip
        add("history bytes per admission (protobuf)", adm, lambda f: f["history"]["median"],
            "B", 1.3, fmt="{:,.0f}")  # fmt: skip
        add("start input payload", adm, lambda f: f["input"]["median"], "B", fmt="{:,.0f}")
        if "tasks" in adm["ours"]:  # (runs before it did not count them)
            add("workflow tasks per admission (median)", adm, lambda f: f["tasks"]["median"],
                "", fmt="{:,.0f}")  # fmt: skip
        add("accepted Update p95, warm", adm, lambda f: f["updates"]["p95"] * 1000, "ms", 1.2,
            fmt="{:,.1f}")  # fmt: skip
        add("worker memory after the admissions (RSS)", adm, lambda f: f["rss"]["median"],
            "MB", 1.5, fmt="{:,.0f}")  # fmt: skip
    rep = result.get("replay")
    if rep:
        add("cold replay: a Replayer and its first replay (median)", rep,
            lambda f: f["replay_s"]["median"] * 1000, "ms", 1.5, fmt="{:,.0f}")  # fmt: skip
        add("workflow module import, and the rules registry (median)", rep,
            lambda f: f["import_s"]["median"] * 1000, "ms", fmt="{:,.0f}")  # fmt: skip
    yrs = result.get("years")
    if yrs:
        add(f"three years, {yrs['ours']['updates']} Updates: history bytes, all runs", yrs,
            lambda f: sum(r["bytes"] for r in f["runs"]), "B", fmt="{:,.0f}")  # fmt: skip
    return out


def checks(result: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """Targets that are limits, not ratios."""
    out = []
    rep = result.get("replay")
    if rep:
        libs = rep["ours"]["database_libraries"]
        out.append(("the workflow module imports no database library", not libs,
                    ", ".join(libs) or "none imported"))  # fmt: skip
    sealed = result.get("codec")
    if sealed:
        out.append((
            f"sealed payloads of the {sealed['histories']} saved histories: sealed/z1 at most "
            "0.6× binary/encrypted",
            sealed["compact_over_first"] <= 0.6,
            f"{sealed['compact_bytes']:,} B against {sealed['first_encoding_bytes']:,} B "
            f"({sealed['compact_over_first']:.2f}×, {sealed['payloads']:,} payloads)"
            + (f"; {sealed['cpu_us_per_seal']:.0f} µs of CPU to seal one, "
               f"{sealed['cpu_us_per_open']:.0f} µs to open one" if "cpu_us_per_seal" in sealed
               else ""),
        ))  # fmt: skip
    recorded = result.get("store_record")
    if recorded:
        out.append((
            f"the store's record of one change ({recorded['store']}, {recorded['records']:,} "
            "records): at most 2 ms of CPU",
            recorded["cpu_ms_per_record"] <= 2,
            f"{recorded['cpu_ms_per_record']:.2f} ms CPU, {recorded['wall_ms_per_record']:.2f} ms "
            "in all" + (
                f"; {recorded['together_threads']} cases recording at once, "
                f"{recorded['together_wall_ms_per_record']:.2f} ms a record in all, the slowest "
                f"{recorded['together_slowest_ms']:.0f} ms"
                if "together_threads" in recorded else ""  # not measured before
            ) + (
                f"; a place under a cap, {recorded['cpu_ms_per_place']:.2f} ms CPU"
                if "cpu_ms_per_place" in recorded else ""  # not measured before
            ) + (
                f"; the notice's working days counted, {recorded['cpu_ms_per_count']:.2f} ms CPU; "
                f"both asked in one local activity (obtain), {recorded['wall_ms_per_obtain']:.2f}"
                " ms in all"
                if "cpu_ms_per_count" in recorded else ""  # not measured before
            ),
        ))  # fmt: skip
    sandbox = result.get("sandbox")
    if sandbox:
        out.append((
            f"the worker's sandbox against Temporal's own ({sandbox['replays_a_round']} replays "
            f"of sealed histories, median of {sandbox['rounds']} rounds): less CPU a replay",
            sandbox["cpu_ms_per_replay_worker"] < sandbox["cpu_ms_per_replay_temporal"],
            f"{sandbox['cpu_ms_per_replay_worker']:.1f} ms against "
            f"{sandbox['cpu_ms_per_replay_temporal']:.1f} ms CPU a replay",
        ))  # fmt: skip
    yrs = result.get("years")
    if yrs:
        runs = yrs["ours"]["runs"]
        most = max(r["events"] for r in runs)
        out.append((f"every run under 4,096 events ({len(runs)} runs)", most < 4096,
                    f"largest run {most:,} events"))  # fmt: skip
        # The carried input grows while the case's memory of request keys (its last 64) fills,
        # over the first year; from then on it must stay the same size.
        carried = [r["input_bytes"] for r in runs[1:]]
        settled = carried[len(carried) // 2 :]
        spread = max(settled) - min(settled) if settled else 0
        out.append((f"a constant continue-as-new input (the last {len(settled)} runs)",
                    spread < 256,
                    f"{min(settled, default=0):,}–{max(settled, default=0):,} B "
                    f"(first run continued with {carried[0] if carried else 0:,} B)"))  # fmt: skip
        view = yrs["ours"]["view_bytes"]
        out.append(("the view answer under 8 KB", view < 8192, f"{view:,} B"))
    return out


def render(result: dict[str, Any]) -> str:
    lines = [""]
    fair = any(r["bare"] is not None for r in rows(result))
    if fair:
        lines += [
            "Ratios are ours over the fair twin (the targets: it seals its payloads with the same "
            "codec and stays open once listed, as a case does); the bare twin (nothing sealed, "
            "its runs complete) is beside it for the record.",
            "",
            "| figure | ours | fair twin | ratio | target | bare twin | ratio to bare |",
            "|---|---|---|---|---|---|---|",
        ]
    elif rows(result) or checks(result):
        lines += ["| figure | ours | twin | ratio | target |", "|---|---|---|---|---|"]
    for r in rows(result):
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        if r["target"] is not None and ratio == f"{r['target']:.2f}" and not r["met"]:
            ratio = f"{r['ratio']:.3f}"  # over its target by less than the rounding shows
        target = (
            ""
            if r["target"] is None
            else f"≤ {r['target']}× " + ("met" if r["met"] else "**missed**")
        )
        cells = [f"{r['fmt'].format(v)} {r['unit']}".rstrip() for v in (r["ours"], r["twin"])]
        if r["spread"]:  # each side's p95 beside its median
            p95 = [r["fmt"].format(v) for v in r["spread"]]
            cells = [f"{c} (p95 {p})" for c, p in zip(cells, p95, strict=False)]
        row = f"| {r['name']} | {cells[0]} | {cells[1]} | {ratio} | {target} |"
        if fair and r["bare"] is None:  # measured against one twin only (see its name)
            row += " | |"
        elif fair:
            bare = f"{r['fmt'].format(r['bare'])} {r['unit']}".rstrip()
            if r["spread"]:
                bare += f" (p95 {r['fmt'].format(r['spread'][-1])})"
            row += f" {bare} | {r['bare_ratio']:.2f} |"
        lines.append(row)
    for name, ok, detail in checks(result):
        tail = " | |" if fair else ""
        lines.append(f"| {name} | {detail} | | | {'met' if ok else '**missed**'} |{tail}")
    lines += _parts(result.get("history_parts") or {})
    lines += _steps(result.get("update_steps") or {})
    lines += _hops(result.get("update_hops") or {})
    scales = result.get("scales") or ([_older(result["scale"])] if result.get("scale") else [])
    for scale in scales:
        lines += ["", _scale(scale)]
    timed = result.get("commands")
    if timed:
        lines += ["", *_commands(timed)]
    for scale in scales[:1]:  # the pages with one worker (the second run's are alike)
        pages = scale["console"]
        target = pages["target_p95_s"]
        lines += [
            "",
            f"Console pages with {pages['open_cases']:,} open cases (each rendered whole through "
            f"the gateway's app; target p95 ≤ {target * 1000:.0f} ms):",
            "",
            "| page | rows | median | p95 | target |",
            "|---|---|---|---|---|",
        ]
        for name, p in pages.items():
            if isinstance(p, dict):
                met = "met" if p["p95"] <= target else "**missed**"
                lines.append(
                    f"| {name} | {p['rows']} | {p['median'] * 1000:.0f} ms | "
                    f"{p['p95'] * 1000:.0f} ms | {met} |"
                )
    admissions = result.get("lifecycles_per_side")
    done = f"{admissions} admissions a side" if admissions else "No admissions (--rounds 0)"
    lines.append(
        f"\n{done} on {result.get('server')}, store {result.get('store')}, "
        f"{result.get('cores')} cores; {result.get('seconds')} s in all."
    )
    if result.get("knobs"):  # a run that weighs something (performance.md's knobs), said so
        lines.append(f"Run with {', '.join(result['knobs'])} set.")
    return "\n".join(lines)


def _steps(steps: dict[str, Any]) -> list[str]:
    """Each accepted Update's latency by its place in the admission: ours's action beside the
    fair twin's step in the same place (its Update is a counter and one row, whatever the step)."""
    actions = steps.get("actions") or []
    if not actions or not steps.get("ours") or not steps.get("fair"):
        return []
    lines = [
        "",
        "The accepted Updates by their place in the admission (warm; the fair twin's Update in the "
        "same place beside ours):",
        "",
        "| Update | ours median | ours p95 | fair twin median | fair twin p95 | p95 ratio |",
        "|---|---|---|---|---|---|",
    ]
    for i, (action, ours, fair) in enumerate(
        zip(actions, steps["ours"], steps["fair"], strict=False)
    ):
        lines.append(
            f"| {i + 1}. `{action}` | {ours['median'] * 1000:.1f} ms | {ours['p95'] * 1000:.1f} ms "
            f"| {fair['median'] * 1000:.1f} ms | {fair['p95'] * 1000:.1f} ms "
            f"| {_ratio(ours['p95'], fair['p95']):.2f} |"
        )
    return lines


def _hops(hops: dict[str, Any]) -> list[str]:
    """Where an accepted Update's time goes, ours beside the fair twin's (bench.measure.HOPS),
    from the sampled histories' event times."""
    if "ours" not in hops or "fair" not in hops:
        return []
    ours, fair = hops["ours"], hops["fair"]
    lines = [
        "",
        f"Where an accepted Update's time goes (the sampled runs' histories, {ours['updates']} "
        f"Updates ours and {fair['updates']} the fair twin's; event times on the server's clock):",
        "",
        "| part of an Update | ours median | ours p95 | fair twin median | fair twin p95 "
        "| ours over it, median |",
        "|---|---|---|---|---|---|",
    ]
    for name, mine in ours.items():
        theirs = fair.get(name)
        if not isinstance(mine, dict) or not isinstance(theirs, dict):
            continue
        lines.append(
            f"| {name} | {mine['median']:.1f} ms | {mine['p95']:.1f} ms | "
            f"{theirs['median']:.1f} ms | {theirs['p95']:.1f} ms | "
            f"{mine['median'] - theirs['median']:+.1f} ms |"
        )
    return lines


def _parts(parts: dict[str, dict[str, int]]) -> list[str]:
    """One admission's history by part, ours beside the fair twin's (bench.measure.PARTS)."""
    if "ours" not in parts or "fair" not in parts:
        return []
    ours, fair = parts["ours"], parts["fair"]
    lines = [
        "",
        "One admission's history by part (the first sampled a side, bytes as Temporal stores "
        "them; an event's summary is counted with the summaries, its other bytes with its part):",
        "",
        "| part | ours | fair twin | ours over it |",
        "|---|---|---|---|",
    ]
    for name in ours:
        if ours[name] or fair.get(name):
            extra = ours[name] - fair.get(name, 0)
            lines.append(f"| {name} | {ours[name]:,} B | {fair.get(name, 0):,} B | {extra:+,} B |")
    total = sum(ours.values()), sum(fair.values())
    lines.append(f"| all | {total[0]:,} B | {total[1]:,} B | {total[0] - total[1]:+,} B |")
    return lines


def _older(scale: dict) -> dict:
    """A scale run from before the phase had two runs, in their shape."""
    return {**scale, "workers": 1, "worker_rss_mb": [scale["worker_rss_mb"]]}


def _outcomes(updates: dict) -> str:
    said = f"{updates['accepted']} accepted, "
    if "unanswered" not in updates:  # a run from before the two were told apart
        return said + (
            f"{updates['refused']} not: refused as a timer had moved the case first, or "
            "unanswered within the command's 30 s"
        )
    return said + (
        f"{updates['refused']} refused as a timer had moved the case first, "
        f"{updates['unanswered']} unanswered within the command's 30 s"
    )


def _scale(scale: dict) -> str:
    u = scale["update_s"]
    firing = scale.get("update_firing_s") or u
    rss = scale["worker_rss_mb"]
    workers = scale.get("workers", 1)
    text = (
        f"Scale, {workers} worker{'s' if workers > 1 else ''} on the queue: "
        f"{scale['cases']:,} open cases started {scale.get('at_once', 8)} at a time in {scale['start_seconds']} s "
        f"({scale['starts_per_second']}/s"
        + (
            f"; {scale['starts_retried']} start(s) tried again after SQLite's write lock "
            "outlasted its busy timeout"
            if scale.get("starts_retried")
            else ""
        )
        + (
            f"; {scale['not_started']:,} not started, as the close came first"
            if scale.get("not_started")
            else ""
        )
        + "); worker memory "
        + "; ".join(
            (f"worker {n}: " if len(rss) > 1 else "")
            + f"{r['started']:.0f} MB once started, {r['after']:.0f} MB "
            + ("when the officers stopped" if scale.get("spread_s") else "after their timers fired")
            for n, r in enumerate(rss, 1)
        )
        + " (the case cache bounds it); "
        + _spread(scale)
        + "an officer's Update while the "
        f"timers fired: median {firing['median'] * 1000:.0f} ms, p95 "
        f"{firing['p95'] * 1000:.0f} ms over {firing['n']} (all: p95 {u['p95'] * 1000:.0f} ms "
        f"over {u['n']}; {_outcomes(scale['updates'])})."
    )
    if "recorded_before_pages" in scale:
        left = scale["seconds_left_before_close"]
        text += (
            f" {scale['recorded_before_pages']:,} of them were in the read model when the "
            f"console's pages were timed, {abs(left)} s {'before' if left >= 0 else 'after'} "
            "the applications closed."
        )
    contest = scale.get("contest")
    # (a run from before unanswered Updates were counted apart kept them among the refusals)
    unanswered = (contest or {}).get("unanswered") or [
        r for r in (contest or {}).get("other_refusals", []) if "did not answer" in r
    ]
    if contest and unanswered:
        text += (
            f" Contest for capped places (qingdao-2024 §一: at most {contest['cap']} a sector): "
            f"{contest['providers']} providers driven at once while the timers fired; their "
            "Updates did not answer within the command's 30 s, so it was **not decided** "
            f"({contest['selected']} selected, {contest['listed']} listed, "
            f"{contest['refused_with_cap']} refused with the cap; "
            + (
                "no action twice in any trail)."
                if not contest["actions_twice"]
                else f"an action twice: {'; '.join(contest['actions_twice'])})"
            )
        )
    elif contest:
        text += (
            f" Contest for capped places (qingdao-2024 §一: at most {contest['cap']} a sector): "
            f"{contest['providers']} providers driven at once, {contest['selected']} selected, "
            f"{contest['listed']} listed, {contest['refused_with_cap']} refused with the cap; "
            + (
                "no action twice in any trail: **exact**."
                if contest["exact"]
                else f"**not exact** ({'; '.join(contest['actions_twice'] + contest['other_refusals'])})."
            )
        )
    return text


def _spread(scale: dict) -> str:
    """How the round's close fired (a run from before the spread fired it all at once)."""
    if not scale.get("spread_s"):
        return ""
    applied = (scale.get("states_after") or {}).get("closes_applied", 0)
    return (
        f"the close fell due for every case at one instant and each case applied it at its own "
        f"share of {scale['spread_s']:,} s (LIFECYCLE_DEADLINE_SPREAD), the review's due date "
        f"30 s later likewise; {applied:,} cases had applied the close (recorded in their trails) "
        f"when the officers stopped, {scale['probed_s']:.0f} s after it; "
    )


BLOCK = re.compile(r"(<!-- bench: (\S+) -->\n)(.*?)(<!-- /bench -->)", re.S)


def fill(page: Path) -> None:
    """Renders every ``<!-- bench: RUN.json -->`` block of ``page`` from the run it names."""
    text = page.read_text("utf-8")

    def rendered(found: re.Match[str]) -> str:
        result = json.loads((page.parent / found.group(2)).read_text("utf-8"))
        return f"{found.group(1)}{render(result).strip()}\n{found.group(4)}"

    page.write_text(BLOCK.sub(rendered, text), encoding="utf-8")


def _commands(timed: dict[str, Any]) -> list[str]:
    """The commands' table: served by the command server and alone (a run kept from before the
    command server timed them alone only)."""
    alone = timed.get("alone")
    rows = [(name, t) for name, t in timed.items() if isinstance(t, dict) and "median" in t]
    if alone is None:
        lines = [
            f"The command as a whole process (start-up and imports included), over "
            f"{timed['runs']} runs each:",
            "",
            "| command | median | p95 | target |",
            "|---|---|---|---|",
        ]
        for name, t in rows:
            met = "met" if t["median"] <= t["target_s"] else "**missed**"
            lines.append(
                f"| `lifecycle {name}` | {t['median']:.2f} s | {t['p95']:.2f} s | "
                f"≤ {t['target_s']:g} s {met} |"
            )
        return lines
    lines = [
        f"The command as a whole process (start-up and imports included), over {timed['runs']} "
        "runs each: answered by the running system's command server (as a person's commands "
        "are while `lifecycle up` runs), and alone in a process of its own (no system running "
        "here, or LIFECYCLE_COMMAND_SERVER=0):",
        "",
        "| command | served median | served p95 | target | alone median | alone p95 |",
        "|---|---|---|---|---|---|",
    ]
    for name, t in rows:
        met = "met" if t["median"] <= t["target_s"] else "**missed**"
        own = alone.get(name)
        apart = f"{own['median']:.2f} s | {own['p95']:.2f} s" if own else "– | –"
        lines.append(
            f"| `lifecycle {name}` | {t['median']:.2f} s | {t['p95']:.2f} s | "
            f"≤ {t['target_s']:g} s {met} | {apart} |"
        )
    return lines


if __name__ == "__main__":  # python -m bench.report docs/performance.md
    for name in sys.argv[1:]:
        fill(Path(name))
