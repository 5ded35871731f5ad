"""What a programme publishes, generated from the records, never typed by hand: the
public notice of each selection batch, the directory of listed providers, each closed
evaluation round's results and each exit announcement; as printable HTML (Chinese, with the
programme's title and clause references) and JSON with the same content."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from lifecycle.app import rules
from lifecycle.app.system import System
from lifecycle.calendar import SHANGHAI
from lifecycle.domain.states import CaseState
from lifecycle.errors import Invalid, Unavailable
from lifecycle.policies.schema import PolicyPack
from lifecycle.store.models import AuditRow, CaseRow
from lifecycle.store.repo import Store

Kind = Literal["notice", "directory", "evaluation", "exit"]
IN_DIRECTORY = {CaseState.LISTED.value: "在库", CaseState.RECTIFICATION.value: "限期整改中"}


class Document(BaseModel):
    kind: Kind
    name: str = Field(description="the file name, without .html or .json")
    policy: str
    programme: str
    heading: str
    clause: str
    paragraphs: list[str] = Field(default_factory=list)
    columns: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    records: list[dict[str, Any]] = Field(default_factory=list, description="the same, as data")
    generated_at: str


def documents(store: Store, pack: PolicyPack, now: dt.datetime) -> list[Document]:
    stamp = now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return [
        *_notices(store, pack, stamp),
        _directory(store, pack, now, stamp),
        *_evaluations(store, pack, stamp),
        *_exits(store, pack, stamp),
    ]


def _base(pack: PolicyPack, stamp: str) -> dict[str, Any]:
    return {"policy": pack.id, "programme": pack.title, "generated_at": stamp}


def _cite(pack: PolicyPack, clause: str | None) -> str:
    return f"《{pack.source.document}》{clause or ''}".strip()


def _listed_as(pack: PolicyPack) -> str:
    return pack.publication.listed_as or pack.title


def _table(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Leaves out a column no row fills (a programme without provider types)."""
    keep = [i for i in range(len(columns)) if any(row[i] for row in rows) or not rows]
    return [columns[i] for i in keep], [[row[i] for i in keep] for row in rows]


def _kind_of(pack: PolicyPack, case: CaseRow) -> str:
    names = {t.id: t.name for t in pack.admission.provider_types}
    sectors = {s.id: s.name for s in pack.admission.sectors}
    kind = names.get(case.provider_type or "", case.provider_type or "")
    where = "、".join(sectors.get(s, s) for s in case.sectors or [])
    return " · ".join(x for x in (kind, where) if x)


def _notices(store: Store, pack: PolicyPack, stamp: str) -> list[Document]:
    window = next((d for d in pack.deadlines_in(CaseState.PUBLICITY) if d.on_pass.action), None)
    if window is None:
        return []
    clause = next((t.clause for t in pack.transition("publicise")), window.clause)
    batches: dict[tuple[str, str], list[tuple[AuditRow, CaseRow]]] = {}
    for row, case in store.policy_audit(pack.id, ["publicise"]):
        day = row.at.astimezone(SHANGHAI).date().isoformat()
        batches.setdefault((case.round, day), []).append((row, case))
    out = []
    for (round_name, day), members in batches.items():
        closes = sorted(
            {(r.data or {}).get("deadlines", {}).get(window.name, "") for r, _ in members}
        )
        last = closes[-1] if closes and closes[-1] else "（见各单位公示期）"
        records = [
            {
                "credit_code": c.credit_code,
                "name": c.provider_name,
                "district": c.district,
                "kind": _kind_of(pack, c),
                "notice_closes": (r.data or {}).get("deadlines", {}).get(window.name),
                "case_id": c.case_id,
            }
            for r, c in members
        ]
        columns, rows = _table(
            ["序号", "单位名称", "统一社会信用代码", "所在区", "类型"],
            [
                [str(n), r["name"], r["credit_code"], r["district"], r["kind"]]
                for n, r in enumerate(records, start=1)
            ],
        )
        out.append(
            Document(
                kind="notice",
                name=f"notice-{round_name}-{day}",
                heading=f"{_listed_as(pack)}拟入选名单公示",
                clause=clause,
                paragraphs=[
                    f"经申报、评审 ({round_name}批次), 现将拟入选名单予以公示。公示期自 {day} 起至 "
                    f"{last} 24:00 止 ({window.working_days}个工作日)。",
                    f"公示期内对名单有异议的, 请以书面形式实名向{pack.source.authority}反映, "
                    "并提供必要的证明材料。",
                    f"依据: {_cite(pack, clause)}",
                ],
                columns=columns,
                rows=rows,
                records=records,
                **_base(pack, stamp),
            )
        )
    return out


def _directory(store: Store, pack: PolicyPack, now: dt.datetime, stamp: str) -> Document:
    entering = [
        t.trigger
        for t in pack.transitions
        if t.dest == CaseState.LISTED and any(s not in IN_DIRECTORY for s in t.source)
    ]
    since = {c.case_id: r.at for r, c in store.policy_audit(pack.id, entering)}
    cases = [c for s in IN_DIRECTORY for c in store.cases(state=s, policy=pack.id)]
    cases.sort(key=lambda c: (since.get(c.case_id) or now, c.case_id))
    records: list[dict[str, Any]] = [
        {
            "credit_code": c.credit_code,
            "name": c.provider_name,
            "district": c.district,
            "kind": _kind_of(pack, c),
            "listed_on": since[c.case_id].astimezone(SHANGHAI).date().isoformat()
            if c.case_id in since
            else None,
            "state": c.state,
            "case_id": c.case_id,
        }
        for c in cases
    ]
    clause = next((t.clause for t in pack.transitions if t.trigger in entering), "")
    today = now.astimezone(SHANGHAI).date()
    columns, rows = _table(
        ["序号", "单位名称", "统一社会信用代码", "所在区", "类型", "纳入日期", "状态"],
        [
            [
                str(n),
                r["name"],
                r["credit_code"],
                r["district"],
                r["kind"],
                r["listed_on"] or "",
                IN_DIRECTORY[r["state"]],
            ]
            for n, r in enumerate(records, start=1)
        ],
    )
    return Document(
        kind="directory",
        name="directory",
        heading=f"{_listed_as(pack)}名单",
        clause=clause,
        paragraphs=[
            f"截至 {today}, 名单共 {len(records)} 家。",
            f"依据: {_cite(pack, clause)}",
        ],
        columns=columns,
        rows=rows,
        records=records,
        **_base(pack, stamp),
    )


def _evaluations(store: Store, pack: PolicyPack, stamp: str) -> list[Document]:
    then = pack.evaluation.consequences
    clause = then.clause or (pack.evaluation.rubric.clause if pack.evaluation.rubric else "")
    out = []
    for rnd in store.rounds.rounds(pack.id):
        if rnd.status != "closed":
            continue
        results = store.rounds.results(rnd.round_id)
        records: list[dict[str, Any]] = []
        for r in results:
            notes = [
                note
                for note, on in (
                    (f"优秀 (前{then.excellent_top}名)", r.excellent),
                    ("白名单", r.white_list),
                    ("未参加评价", r.missed),
                )
                if on
            ]
            records.append(
                {
                    "rank": r.rank,
                    "credit_code": r.credit_code,
                    "name": r.provider_name,
                    "total": r.total,
                    "grade": r.grade,
                    "grade_label": r.grade_label,
                    "reward_cny": r.reward_cny,
                    "notes": notes,
                }
            )
        budget = f"; 奖励预算 {rnd.budget_cny:,} 元" if rnd.budget_cny is not None else ""
        out.append(
            Document(
                kind="evaluation",
                name=f"evaluation-{rnd.period}",
                heading=f"{_listed_as(pack)} {rnd.period} 评价结果",
                clause=clause,
                paragraphs=[
                    f"评价期间: {rnd.period}; 参评单位 {len(records)} 家{budget}。",
                    f"依据: {_cite(pack, clause)}",
                ],
                columns=[
                    "名次",
                    "单位名称",
                    "统一社会信用代码",
                    "得分",
                    "等次",
                    "奖励 (元)",
                    "备注",
                ],
                rows=[
                    [
                        str(r["rank"] or "—"),
                        r["name"],
                        r["credit_code"],
                        f"{r['total']:g}" if r["total"] is not None else "—",
                        r["grade_label"] or "—",
                        f"{r['reward_cny']:,}" if r["reward_cny"] is not None else "—",
                        "、".join(r["notes"]),
                    ]
                    for r in records
                ],
                records=records,
                **_base(pack, stamp),
            )
        )
    return out


def _exits(store: Store, pack: PolicyPack, stamp: str) -> list[Document]:
    out = []
    for row, case in store.policy_audit(pack.id, ["exit"]):
        data = row.data or {}
        if not data.get("reason"):
            continue  # an exit recorded before exits had reason codes: nothing to announce
        day = row.at.astimezone(SHANGHAI).date().isoformat()
        ban = data.get("ban")
        if ban is None:
            barred = ""
        elif ban.get("ends"):
            barred = f"{ban['starts']} 至 {ban['ends']} 不得申请纳入。"
        else:
            barred = "不得重新申请纳入。"
        clause = pack.exit.announcement_clause or data.get("clause") or ""
        paragraphs = [
            f"{case.provider_name} (统一社会信用代码 {case.credit_code}) {data.get('text', '')}, "
            f"依据{_cite(pack, data.get('clause'))}, 自 {day} 起退出{_listed_as(pack)}名单。"
        ]
        if data.get("meeting"):
            paragraphs.append(f"经{data['meeting']}审议确认。")
        if barred:
            paragraphs.append(barred)
        paragraphs.append(f"特此公告。依据: {_cite(pack, clause)}")
        record = {
            "credit_code": case.credit_code,
            "name": case.provider_name,
            "date": day,
            "reason": data.get("reason"),
            "reason_text": data.get("text"),
            "reason_clause": data.get("clause"),
            "meeting": data.get("meeting"),
            "ban": ban,
            "case_id": case.case_id,
            "audit_seq": row.seq,
        }
        out.append(
            Document(
                kind="exit",
                name=f"exit-{case.credit_code}-{day}",
                heading=f"关于{case.provider_name}退出{_listed_as(pack)}名单的公告",
                clause=clause,
                paragraphs=paragraphs,
                records=[record],
                **_base(pack, stamp),
            )
        )
    return out


STYLE = """
body { font-family: "Noto Serif CJK SC", "Songti SC", SimSun, serif; margin: 2.5em auto;
  max-width: 52em; line-height: 1.7; color: #111; }
h1 { text-align: center; font-size: 1.5em; } .programme { text-align: center; color: #444; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; }
th, td { border: 1px solid #333; padding: 0.3em 0.5em; text-align: left; }
th { background: #eee; } footer { margin-top: 2em; font-size: 0.85em; color: #555; }
@media print { body { margin: 0; } footer { position: fixed; bottom: 0; } }
"""


def html_of(doc: Document) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(doc.heading)}</title><style>{STYLE}</style></head><body>",
        f'<p class="programme">{e(doc.programme)} ({e(doc.policy)})</p>',
        f"<h1>{e(doc.heading)}</h1>",
        *(f"<p>{e(p)}</p>" for p in doc.paragraphs),
    ]
    if doc.columns:
        parts.append("<table><thead><tr>")
        parts += [f"<th>{e(c)}</th>" for c in doc.columns]
        parts.append("</tr></thead><tbody>")
        for row in doc.rows:
            parts.append("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append(
        f"<footer>依据 {e(doc.clause)} · 由系统根据案件记录生成 (generated from the records) · "
        f"{e(doc.generated_at)}</footer></body></html>"
    )
    return "\n".join(parts) + "\n"


def write(docs: list[Document], folder: Path) -> list[Path]:
    """Writes each document as NAME.html and NAME.json (again: the same files)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in docs:
        for suffix, text in (
            (".html", html_of(doc)),
            (".json", json.dumps(doc.model_dump(), ensure_ascii=False, indent=2) + "\n"),
        ):
            path = folder / f"{doc.name}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def publish(system: System, policy: str, out: Path | None) -> tuple[Path, list[Document], int]:
    """Writes what a programme publishes into ``out`` (default var/published/POLICY): the
    folder, the documents and how many files."""
    pack = rules.pack(policy)
    folder = out or system.settings.var_dir / "published" / policy
    if folder.exists() and not folder.is_dir():
        raise Invalid(f"--out '{folder}' is a file; it must be a folder.")
    docs = documents(system.store, pack, system.business_now())
    try:
        paths = write(docs, folder)
    except OSError as exc:
        raise Unavailable(f"--out '{folder}' cannot be written ({exc.strerror}).") from None
    return folder, docs, len(paths)


def directory(system: System, policy: str) -> Document:
    """The published directory of a programme's listed providers (open to everyone)."""
    docs = documents(system.store, rules.pack(policy), system.business_now())
    return next(d for d in docs if d.kind == "directory")


def published(system: System, policy: str) -> list[Document]:
    return documents(system.store, rules.pack(policy), system.business_now())
