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
    """One row per figure: name, ours, twin, ratio, the target and whether it is met."""
    out: list[dict[str, Any]] = []

    def add(name, ours, twin, unit, target=None, spread=None, fmt="{:,.3f}") -> None:
        ratio = _ratio(ours, twin) if twin is not None else None
        met = None if target is None or ratio is None else ratio <= target
        out.append(
            dict(name=name, ours=ours, twin=twin, ratio=ratio, unit=unit, target=target,
                 met=met, spread=spread, fmt=fmt)
        )  # fmt: skip

    adm = result.get("admission")
    if adm:
        o, t = adm["ours"], adm["twin"]
        add("worker CPU-seconds per lifecycle (median of rounds)", o["cpu"]["median"],
            t["cpu"]["median"], "s", 1.3,
            spread=(o["cpu"]["p95"], t["cpu"]["p95"]))  # fmt: skip
        add("history bytes per admission (protobuf)", o["history"]["median"],
            t["history"]["median"], "B", 1.3, fmt="{:,.0f}")  # fmt: skip
        add("start input payload", o["input"]["median"], t["input"]["median"], "B",
            fmt="{:,.0f}")  # fmt: skip
        add("accepted Update p95, warm", o["updates"]["p95"] * 1000,
            t["updates"]["p95"] * 1000, "ms", 1.2, fmt="{:,.1f}",
            spread=(o["updates"]["median"] * 1000, t["updates"]["median"] * 1000))  # fmt: skip
        add("worker memory after the admissions (RSS)", o["rss"]["median"],
            t["rss"]["median"], "MB", 1.5, fmt="{:,.0f}")  # fmt: skip
    rep = result.get("replay")
    if rep:
        o, t = rep["ours"], rep["twin"]
        add("cold replay: a Replayer and its first replay (median)", o["replay_s"]["median"] * 1000,
            t["replay_s"]["median"] * 1000, "ms", 1.5, fmt="{:,.0f}")  # fmt: skip
        add("workflow module import, and the rules registry (median)", o["import_s"]["median"] * 1000,
            t["import_s"]["median"] * 1000, "ms", fmt="{:,.0f}")  # fmt: skip
    yrs = result.get("years")
    if yrs:
        o, t = yrs["ours"], yrs["twin"]
        add(f"three years, {o['updates']} Updates: history bytes, all runs",
            sum(r["bytes"] for r in o["runs"]), sum(r["bytes"] for r in t["runs"]), "B",
            fmt="{:,.0f}")  # fmt: skip
    return out


def checks(result: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """Targets that are limits, not ratios."""
    out = []
    rep = result.get("replay")
    if rep:
        libs = rep["ours"]["database_libraries"]
        out.append(("the workflow module imports no database library", not libs,
                    ", ".join(libs) or "none imported"))  # fmt: skip
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
    if rows(result) or checks(result):
        lines += ["| figure | ours | twin | ratio | target |", "|---|---|---|---|---|"]
    for r in rows(result):
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = (
            ""
            if r["target"] is None
            else f"≤ {r['target']}× " + ("met" if r["met"] else "**missed**")
        )
        twin = "" if r["twin"] is None else r["fmt"].format(r["twin"]) + f" {r['unit']}"
        ours = r["fmt"].format(r["ours"]) + f" {r['unit']}"
        if r["spread"]:
            ours += f" (p95 {r['fmt'].format(r['spread'][0])})" if "CPU" in r["name"] else ""
            twin += f" (p95 {r['fmt'].format(r['spread'][1])})" if "CPU" in r["name"] else ""
        lines.append(f"| {r['name']} | {ours} | {twin} | {ratio} | {target} |")
    for name, ok, detail in checks(result):
        lines.append(f"| {name} | {detail} | | | {'met' if ok else '**missed**'} |")
    scale = result.get("scale")
    if scale:
        u = scale["update_s"]
        lines += [
            "",
            f"Scale: {scale['cases']:,} open cases started in {scale['start_seconds']} s "
            f"({scale['starts_per_second']}/s"
            + (
                f"; {scale['starts_retried']} start(s) tried again after SQLite's write lock "
                "outlasted its busy timeout"
                if scale.get("starts_retried")
                else ""
            )
            + "); worker memory "
            f"{scale['worker_rss_mb']['started']:.0f} MB once started, "
            f"{scale['worker_rss_mb']['after']:.0f} MB after their timers fired; an officer's "
            f"Update while they fired: median {u['median'] * 1000:.0f} ms, p95 "
            f"{u['p95'] * 1000:.0f} ms over {u['n']} ({scale['updates']['accepted']} accepted, "
            f"{scale['updates']['refused']} refused as the timer had moved the case first).",
        ]
    timed = result.get("commands")
    if timed:
        lines += [
            "",
            f"The command as a whole process (start-up and imports included), over "
            f"{timed['runs']} runs each:",
            "",
            "| command | median | p95 | target |",
            "|---|---|---|---|",
        ]
        for name, t in timed.items():
            if isinstance(t, dict) and "median" in t:
                met = "met" if t["median"] <= t["target_s"] else "**missed**"
                lines.append(
                    f"| `lifecycle {name}` | {t['median']:.2f} s | {t['p95']:.2f} s | "
                    f"≤ {t['target_s']:g} s {met} |"
                )
    pages = (scale or {}).get("console")
    if pages:
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
    return "\n".join(lines)


BLOCK = re.compile(r"(<!-- bench: (\S+) -->\n)(.*?)(<!-- /bench -->)", re.S)


def fill(page: Path) -> None:
    """Renders every ``<!-- bench: RUN.json -->`` block of ``page`` from the run it names."""
    text = page.read_text("utf-8")

    def rendered(found: re.Match[str]) -> str:
        result = json.loads((page.parent / found.group(2)).read_text("utf-8"))
        return f"{found.group(1)}{render(result).strip()}\n{found.group(4)}"

    page.write_text(BLOCK.sub(rendered, text), encoding="utf-8")


if __name__ == "__main__":  # python -m bench.report docs/performance.md
    for name in sys.argv[1:]:
        fill(Path(name))
