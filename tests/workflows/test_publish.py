"""What a programme publishes is generated from its records: after real cases went through
selection, an evaluation round and a clearance on the time-skipping server, the notice, the
directory, the results and the exit announcement say what the records say."""

import datetime as dt
import json

from lifecycle.app.publish import documents, html_of, write
from lifecycle.app.rounds import RoundService
from lifecycle.contracts.rounds import CloseRequest, ScoreRequest
from lifecycle.policies import load_pack
from tests.workflows.cases import OFFICER, at, req
from tests.workflows.listed import listed

GZ = "guangzhou-2024"


async def test_notice_directory_results_and_exit_announcement(service, env, store, tmp_path):
    stays = await listed(service, env, store, GZ, "2026-03-02")
    leaves = await listed(service, env, store, GZ, "2026-03-02")
    rounds = RoundService(env.client, store, task_queue=service.task_queue, indexed=False)
    rid = await rounds.start(GZ, "2026-Q1", today=dt.date(2026, 4, 1))
    await rounds.opened(rid)
    full = {
        "enterprises_transformed": 20,
        "transformation_results": 20,
        "satisfaction": 18,
        "capability": 8,
        "task_book": 16.5,
    }
    await rounds.score(rid, ScoreRequest(case=stays.credit_code, actor=OFFICER, data=full))
    await rounds.close(rid, CloseRequest(actor=OFFICER))
    assert (await rounds.closed(rid, wait=60)).status == "closed"
    # Missing the evaluation proposed clearance (§4.4(清退)); the bureau's meeting confirms it.
    confirm = req("exit", OFFICER, "未按规定参加绩效评价").model_copy(
        update={"data": {"reason": "missed_evaluation", "meeting": "2026年第5次局务会"}}
    )
    await service.act(leaves.case_id, confirm)

    docs = {d.name: d for d in documents(store, load_pack(GZ), at("2026-04-20"))}
    [notice] = [d for d in docs.values() if d.kind == "notice"]
    assert notice.heading == "广州市中小企业数字化转型城市试点数字化牵引单位拟入选名单公示"
    assert notice.clause == "§1.2" and "类型" not in notice.columns  # no provider types here
    assert {r["credit_code"] for r in notice.records} == {stays.credit_code, leaves.credit_code}
    # Published Monday 2 March 2026: five working days close on Friday 6 March.
    assert {r["notice_closes"] for r in notice.records} == {"2026-03-06"}
    assert "公示期自 2026-03-02 起至 2026-03-06 24:00 止 (5个工作日)" in notice.paragraphs[0]

    directory = docs["directory"]
    assert directory.heading == "广州市中小企业数字化转型城市试点数字化牵引单位名单"
    assert [r["credit_code"] for r in directory.records] == [stays.credit_code]
    assert directory.records[0]["listed_on"] == "2026-03-07"

    results = docs["evaluation-2026-Q1"]
    assert [(r["rank"], r["credit_code"], r["grade"], r["total"]) for r in results.records] == [
        (1, stays.credit_code, "pass", 82.5),
        (None, leaves.credit_code, None, None),
    ]
    assert results.records[1]["notes"] == ["未参加评价"]

    [announcement] = [d for d in docs.values() if d.kind == "exit"]
    assert announcement.clause == "§4.5"
    text = html_of(announcement)
    assert "未参加绩效评价" in text and "2026年第5次局务会" in text
    assert "不得重新申请纳入" in text and leaves.credit_code in text
    assert announcement.records[0]["ban"]["ends"] is None

    paths = write(list(docs.values()), tmp_path / "out")
    assert len(paths) == 2 * len(docs)
    page = (tmp_path / "out" / "directory.html").read_text("utf-8")
    assert '<html lang="zh-CN">' in page and "广州市中小企业数字化转型城市试点" in page
    again = json.loads((tmp_path / "out" / "directory.json").read_text("utf-8"))
    assert again["records"] == directory.records
