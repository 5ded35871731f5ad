"""The bureau console in a real browser (Debian's Chromium, driven by Playwright), on a whole
system as `make run` starts it: an officer finds today's work and acts on it, a district officer
and an expert do their part, the public lodges an objection on a notice and the officer answers
it, an evaluator scores with the rubric (the points computed as they type) and the officer closes
the round, a provider sees only its own case and answers an order, and nobody reaches what
their role does not allow: another provider's case by its address, a form replayed, a form sent
from another site, a session that has ended. axe-core finds nothing serious on any page."""

from __future__ import annotations

import http.server
import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.conftest import System
from tests.helpers import free_port, wait_until
from tests.helpers.console import (
    ARGS,
    CHROMIUM,
    Api,
    accessible,
    key,
    shot,
    sign_in_with_key,
)
from tests.helpers.oidc import Issuer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Chromium is not installed (make test does)"
    ),
]
QD = "qingdao-2024"
WH = "wuhan-2021"
GZ = "guangzhou-2024"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def person(browser: Browser):  # type: ignore[no-untyped-def]
    """A person's own browser (their own cookies), at a desk's screen size."""
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")


def _start(tmp: Path, **env: str) -> System:
    tmp.mkdir(parents=True, exist_ok=True)
    system = System(tmp, free_port(), free_port(), env)
    system.start()
    return system


@pytest.fixture(scope="module")
def issuer():
    made = Issuer()
    yield made
    made.close()


@pytest.fixture(scope="module")
def bureau(tmp_path_factory, issuer):
    """A system on real business time, signing people in with the bureau's provider (a
    stand-in), with its one-time sign-in link and an officer's key."""
    system = _start(tmp_path_factory.mktemp("console") / "var", **issuer.console_env())
    try:
        link = re.search(r"(http://\S+/console/sign-in/once/\S+)", system.output())
        assert link, system.output()
        system.once = link.group(1)
        system.officer_key = key(system, "li", "bureau_officer")
        system.api_as = Api(system, system.officer_key)
        for policy in (QD, WH):
            put = system.api_as.http.put(
                f"/calls/{policy}/rounds/c1", json={"applications_close": "2099-12-31"}
            )
            assert put.status_code == 200, put.text
        yield system
    finally:
        if system.process and system.process.poll() is None:
            system.stop()


def _qingdao(api: Api, n: int, **change: str) -> str:
    return api.apply(
        QD,
        "application.json",
        f"91370212MA3QD{n:04d}",
        "c1",
        name=f"青岛测试{n}号科技有限公司",
        **change,
    )


def test_an_officer_finds_todays_work_and_acts_on_it(bureau, browser: Browser, tmp_path):
    api = bureau.api_as
    case_id = _qingdao(api, 101)
    officer = person(browser)
    page = officer.new_page()
    page.goto(bureau.once)  # the link `make run` printed: signed in as the demonstration officer
    expect(page).to_have_url(re.compile(r"/console/$"))
    # The link works once: a second visit (another person on the machine) is refused.
    other = person(browser).new_page()
    other.goto(bureau.once)
    expect(other.get_by_role("alert")).to_contain_text("used already")

    row = page.get_by_role("row").filter(has_text="青岛测试101号")
    expect(row).to_contain_text("申报审核")
    expect(row).to_contain_text("开始审核")
    expect(row).to_contain_text("qingdao-2024 §三(二)")
    accessible(page, "inbox")
    shot(page, "inbox", tmp_path)

    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("青岛测试101号")
    accessible(page, "case")
    form = page.locator("#form-begin_review")
    expect(form).to_contain_text("qingdao-2024 §三(二)")
    # A second tab keeps the page as it was; the first acts.
    stale = officer.new_page()
    stale.goto(page.url)
    form.get_by_role("button", name="开始审核").click()
    expect(page.get_by_role("status")).to_contain_text("已办理: 开始审核")
    expect(page.get_by_role("heading", level=1)).to_contain_text("初审")
    # The stale tab's form is refused in one sentence; nothing changes.
    stale.locator("#form-begin_review").get_by_role("button").click()
    expect(stale.get_by_role("alert")).to_contain_text("the case changed since it was read at #1")
    assert api.show(case_id)["seq"] == 2

    # The district officer of the case's district passes it; another district's cannot see it.
    district = person(browser).new_page()
    sign_in_with_key(
        district, bureau.api, key(bureau, "wang", "district_officer", "--district", "市南区")
    )
    row = district.get_by_role("row").filter(has_text="青岛测试101号")
    expect(row).to_contain_text("初审通过")
    row.get_by_role("link").first.click()
    passing = district.locator("#form-pass_preliminary")
    passing.get_by_label("理由").fill("材料真实完整, 条件符合")
    passing.get_by_role("button", name="初审通过").click()
    expect(district.get_by_role("status")).to_contain_text("初审通过")
    north = person(browser).new_page()
    sign_in_with_key(
        north, bureau.api, key(bureau, "zhao", "district_officer", "--district", "市北区")
    )
    expect(north.get_by_role("row").filter(has_text="青岛测试101号")).to_have_count(0)
    north.goto(f"{bureau.api}/console/cases/{case_id}")
    expect(north.get_by_role("alert")).to_contain_text("市北区")

    # The expert scores in the form the rules make (score, rank, recommended).
    expert = person(browser).new_page()
    sign_in_with_key(expert, bureau.api, key(bureau, "panel", "expert"))
    expert.get_by_role("row").filter(has_text="青岛测试101号").get_by_role("link").first.click()
    scoring = expert.locator("#form-score")
    scoring.get_by_label("得分").fill("200")  # the browser refuses it before it is sent
    scoring.get_by_label("排名").fill("1")
    scoring.get_by_role("button", name="专家评分").click()
    assert api.show(case_id)["expert_review"] is None
    scoring.get_by_label("得分").fill("91")
    scoring.get_by_role("button", name="专家评分").click()
    expect(expert.get_by_role("status")).to_contain_text("专家评分")
    assert api.show(case_id)["expert_review"]["score"] == 91

    # Back in the officer's inbox: the selection waits for them now.
    page.goto(f"{bureau.api}/console/")
    expect(page.get_by_role("row").filter(has_text="青岛测试101号")).to_contain_text("公示")
    page.get_by_role("link", name=re.compile("案件")).first.click()
    page.get_by_label("机构名称或信用代码").fill("测试101")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("row").filter(has_text="青岛测试101号")).to_contain_text("专家评审")
    accessible(page, "cases")
    shot(page, "cases", tmp_path)


def test_staff_and_providers_sign_in_with_the_bureaus_provider(bureau, issuer, browser: Browser):
    """Authorization code flow with PKCE: the provider is asked for S256, the code is exchanged
    with its verifier, the token's claims decide the role; an action is audited as oidc."""
    api = bureau.api_as
    case_id = _qingdao(api, 105)
    issuer.sign_in_as("li.officer", ["bureau_officer"])
    page = person(browser).new_page()
    page.goto(f"{bureau.api}/console/cases/{case_id}")  # asks to sign in first
    page.get_by_role("link", name="使用局统一身份认证登录").click()
    expect(page).to_have_url(re.compile(re.escape(f"/console/cases/{case_id}") + "$"))
    assert issuer.verified == ["S256"]
    expect(page.get_by_role("banner")).to_contain_text("市局工作人员 · li.officer")
    page.locator("#form-begin_review").get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("开始审核")
    [begun] = [e for e in api.show(case_id)["history"] if e["action"] == "begin_review"]
    assert (begun["actor_id"], begun["assurance"]) == ("li.officer", "oidc")

    # A provider's token carries its credit code: it sees its own case, not another's.
    code = case_id.rsplit(":", 1)[1]
    issuer.sign_in_as("qd-105", ["provider"], credit_code=code)
    own = person(browser).new_page()
    own.goto(f"{bureau.api}/console/sign-in")
    own.get_by_role("link", name="使用局统一身份认证登录").click()
    own.goto(f"{bureau.api}/console/cases")
    expect(own.locator("tbody tr")).to_have_count(1)
    expect(own.locator("tbody")).to_contain_text("青岛测试105号")


def test_the_public_objects_on_a_notice_and_the_officer_answers(bureau, browser: Browser, tmp_path):
    api = bureau.api_as
    case_id = _qingdao(api, 102)
    api.act(case_id, "begin_review")
    district = Api(bureau, key(bureau, "wang2", "district_officer", "--district", "市南区"))
    district.act(case_id, "pass_preliminary", "核实无误")
    Api(bureau, key(bureau, "panel2", "expert")).act(
        case_id, "score", score=88, rank=1, recommended=True
    )
    api.act(case_id, "publicise")

    public = person(browser).new_page()  # nobody signed in
    public.goto(f"{bureau.api}/console/public/")
    accessible(public, "public")
    public.get_by_role("link", name=re.compile("青岛")).click()
    public.get_by_role("link", name=re.compile("拟入选名单公示")).first.click()
    expect(public.get_by_role("table")).to_contain_text("青岛测试102号")
    accessible(public, "notice")
    form = public.locator("form").filter(has_text="提交异议")
    form.get_by_label("服务机构").select_option(case_id)
    form.get_by_label("您的姓名").fill("张三")
    form.get_by_label("联系方式").fill("13800000000")
    form.get_by_label("异议理由").fill("该企业申报业绩与实际不符")
    shot(public, "notice", tmp_path)
    form.get_by_role("button", name="提交异议").click()
    expect(public.get_by_role("status")).to_contain_text("已收到")
    # Contact details are never shown to the public.
    assert "13800000000" not in public.content()
    directory = public.request.get(f"{bureau.api}/console/public/{QD}/directory")
    assert "13800000000" not in directory.text()

    officer = person(browser).new_page()
    sign_in_with_key(officer, bureau.api, bureau.officer_key)
    officer.get_by_role("link", name=re.compile("公示异议")).first.click()
    row = officer.get_by_role("row").filter(has_text="青岛测试102号")
    expect(row).to_contain_text("异议不成立")
    row.get_by_role("link").first.click()
    expect(officer.locator("body")).to_contain_text("该企业申报业绩与实际不符")
    answer = officer.locator("#form-dismiss_objection")
    answer.get_by_label("理由").fill("经核实, 业绩真实")
    answer.get_by_role("button", name="异议不成立").click()
    expect(officer.get_by_role("status")).to_contain_text("异议不成立")
    trail = {(e["action"], e["assurance"]) for e in api.show(case_id)["history"]}
    assert ("object", "public-form") in trail and ("dismiss_objection", "api-key") in trail
    [objected] = [e for e in api.show(case_id)["history"] if e["action"] == "object"]
    assert objected["data"]["contact"] == "13800000000"  # kept for staff


def test_an_evaluator_scores_by_the_rubric_and_the_officer_closes(
    bureau, browser: Browser, tmp_path
):
    api = bureau.api_as
    cases = {}
    for n, name in ((201, "武汉甲平台"), (202, "武汉乙平台")):
        cases[name] = api.apply(WH, "application.json", f"91420100MA4WH{n:04d}", "c1", name=name)
        api.act(cases[name], "admit_directly", "局务会决定")
    officer = person(browser).new_page()
    sign_in_with_key(officer, bureau.api, bureau.officer_key)
    officer.goto(f"{bureau.api}/console/admin?policy={WH}")
    accessible(officer, "admin")
    shot(officer, "admin", tmp_path)
    opening = officer.locator("form").filter(has_text="开启评价")
    opening.get_by_label(re.compile("期间")).fill("2026")
    opening.get_by_label(re.compile("预算")).fill("3000000")
    opening.get_by_role("button", name="开启评价").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("evaluation:wuhan-2021:2026")

    expert = person(browser).new_page()
    sign_in_with_key(expert, bureau.api, key(bureau, "wu", "expert"))
    expert.get_by_role("link", name="evaluation:wuhan-2021:2026").first.click()
    form = expert.locator("form").filter(has_text="保存评分")
    form.get_by_label("服务机构").select_option(cases["武汉甲平台"])
    points = expert.locator("#points")
    rubric = {
        "本地社保技术人员50人以上": "50",
        "诊断服务企业数 (目标100家)": "100",
        "诊断报告被采用并委托实施 (目标10项)": "10",
        "推动实施百万元以上项目 (目标40项)": "40",
        "完成投资并入库项目 (目标20项)": "20",
        "示范项目": "2",
        "现场推广会": "5",
        "诊断报告质量 (最差报告)": "0",
        "服务企业反馈 (不满意企业)": "0",
        "附加项: 累计新增投资额": "0",
    }
    form.locator("input[type=checkbox][name=registered_locally]").check()
    form.locator("input[name=org_elements_missing]").fill("0")
    for label, value in rubric.items():
        form.get_by_label(label).fill(value)
    expect(points).to_contain_text("100")  # computed by the engine's scoring as they type
    expect(points).to_contain_text("优秀")
    form.get_by_label("诊断报告质量 (最差报告)").fill("5")
    expect(points).to_contain_text("95")
    accessible(expert, "round")
    shot(expert, "round", tmp_path)
    form.get_by_role("button", name="保存评分").click()
    expect(expert.get_by_role("status")).to_contain_text("95")
    # An expert closes no round.
    expect(expert.get_by_role("button", name=re.compile("结束"))).to_have_count(0)

    officer.reload()
    officer.get_by_role("button", name=re.compile("结束")).click()
    expect(officer.get_by_role("row").filter(has_text="武汉甲平台")).to_contain_text(
        "1", timeout=60000
    )


def test_a_session_ends_forms_come_from_this_console_and_a_replay_applies_once(
    bureau, browser: Browser
):
    api = bureau.api_as
    case_id = _qingdao(api, 103)
    officer = person(browser)
    page = officer.new_page()
    sign_in_with_key(page, bureau.api, bureau.officer_key)
    page.goto(f"{bureau.api}/console/cases/{case_id}")
    form = page.locator("#form-begin_review")
    # The same form sent twice (a double click, a reload that sends it again): applied once.
    values = {
        name: form.locator(f"input[name={name}]").get_attribute("value")
        for name in ("csrf", "request_id", "expected_seq")
    }
    first = page.request.post(
        f"{bureau.api}/console/cases/{case_id}/actions/begin_review", form=values
    )
    again = page.request.post(
        f"{bureau.api}/console/cases/{case_id}/actions/begin_review", form=values
    )
    assert first.ok and again.ok
    assert "此前已办理" in again.text()
    assert [e["action"] for e in api.show(case_id)["history"]].count("begin_review") == 1

    # A page on another site posts to the console with the officer's browser: refused.
    case_2 = _qingdao(api, 104)
    port = free_port()
    attack = (
        f'<html><body><form id="f" method="post" action="{bureau.api}/console/cases/{case_2}'
        '/actions/begin_review"><input name="reason" value="x"></form>'
        '<script>document.getElementById("f").submit()</script></body></html>'
    ).encode()

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(attack)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Evil)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        evil = officer.new_page()
        evil.goto(f"http://localhost:{port}/")
        expect(evil.locator("body")).to_contain_text("security token", timeout=20000)
    finally:
        server.shutdown()
    assert api.show(case_2)["seq"] == 1  # nothing changed

    # Signed out, the session is gone: its pages ask to sign in again.
    page.goto(f"{bureau.api}/console/")
    page.get_by_role("button", name="退出登录").click()
    page.goto(f"{bureau.api}/console/cases/{case_id}")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?next="))
    accessible(page, "sign-in")


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    """A system whose business days last 4 s (a notice closes within half a minute) and whose
    sessions end after 36 s."""
    system = _start(
        tmp_path_factory.mktemp("console-fast") / "var",
        LIFECYCLE_BUSINESS_START="2026-12-07",
        LIFECYCLE_DAY_SECONDS="4",
        LIFECYCLE_CONSOLE_SESSION_HOURS="0.01",
    )
    try:
        system.officer_key = key(system, "li", "bureau_officer")
        system.api_as = Api(system, system.officer_key)
        put = system.api_as.http.put(f"/calls/{GZ}/rounds/c1", json={})
        assert put.status_code == 200, put.text
        yield system
    finally:
        if system.process and system.process.poll() is None:
            system.stop()


def test_a_provider_sees_only_its_own_case_and_answers_an_order(fast, browser: Browser, tmp_path):
    api = fast.api_as
    mine = api.apply(GZ, "application.json", "91440101MA5GU0301", "c1", name="广州甲科技")
    theirs = api.apply(GZ, "application.json", "91440101MA5GU0302", "c1", name="广州乙科技")
    expert = Api(fast, key(fast, "panel", "expert"))
    for case_id in (mine, theirs):
        api.act(case_id, "begin_review")
        expert.act(case_id, "score", score=90, rank=1, recommended=True)
        api.act(case_id, "publicise")
    code = mine.rsplit(":", 1)[1]
    provider = person(browser).new_page()
    sign_in_with_key(provider, fast.api, key(fast, "gz-a", "provider", "--credit-code", code))
    signed_in = time.monotonic()

    # The notice closes; meanwhile the session ends, and the page asks to sign in again.
    wait_until(lambda: api.show(mine)["state"] == "listed", timeout=120, interval=1)
    time.sleep(max(0.0, 38 - (time.monotonic() - signed_in)))
    provider.goto(f"{fast.api}/console/cases/{mine}")
    expect(provider).to_have_url(re.compile(r"/console/sign-in\?next="))

    sign_in_with_key(provider, fast.api, key(fast, "gz-a2", "provider", "--credit-code", code))
    api.act(mine, "order_rectification", "季度材料不规范", grounds="late_report")
    provider.goto(f"{fast.api}/console/")
    rows = provider.get_by_role("row").filter(has_text="广州甲科技")
    expect(rows.filter(has_text="提交整改材料")).to_contain_text("资料报送不及时")
    expect(rows.filter(has_text="季度绩效材料")).to_contain_text("报送材料")  # a report owed
    expect(provider.get_by_role("row").filter(has_text="广州乙科技")).to_have_count(0)
    provider.goto(f"{fast.api}/console/cases")
    expect(provider.locator("tbody tr")).to_have_count(1)
    # Another provider's case by its address: refused, nothing of it shown.
    provider.goto(f"{fast.api}/console/cases/{theirs}")
    expect(provider.get_by_role("alert")).to_contain_text("only its own case")
    assert "广州乙科技" not in provider.content()

    provider.goto(f"{fast.api}/console/cases/{mine}")
    accessible(provider, "provider case")
    shot(provider, "provider-case", tmp_path)
    answer = provider.locator("#form-submit_rectification")
    answer.get_by_label("理由").fill("已按要求补报季度材料")
    answer.get_by_role("button", name="提交整改材料").click()
    expect(provider.get_by_role("status")).to_contain_text("提交整改材料")
    assert api.show(mine)["listed"]["rectification_order"]["submitted"]


def test_an_officer_administers_the_bureaus_settings(bureau, browser: Browser):
    """A call's round dates, a year's holiday notice checked and previewed before it is
    installed, a key made (shown once) and revoked; a district officer reaches none of it."""
    page = person(browser).new_page()
    sign_in_with_key(page, bureau.api, bureau.officer_key)
    page.goto(f"{bureau.api}/console/admin?policy={QD}")
    rounds = page.locator("form").filter(has_text="保存批次")
    rounds.get_by_label("批次").fill("c2")
    rounds.get_by_label("申报截止").fill("2099-06-30")
    rounds.get_by_label("区级初审截止").fill("2099-06-01")  # before the close: refused
    rounds.get_by_role("button", name="保存批次").click()
    expect(page.get_by_role("alert")).to_contain_text("before --applications-close")
    rounds = page.locator("form").filter(has_text="保存批次")
    rounds.get_by_label("批次").fill("c2")
    rounds.get_by_label("申报截止").fill("2099-06-30")
    rounds.get_by_label("区级初审截止").fill("2099-07-10")
    rounds.get_by_role("button", name="保存批次").click()
    expect(page.get_by_role("status")).to_contain_text("c2")
    expect(page.get_by_role("row").filter(has_text="2099-06-30")).to_contain_text("2099-07-10")

    # A holiday notice: checked and shown, installed only once the officer confirms.
    page.locator("#calendar-file").set_input_files("examples/calendar/2027.toml")
    page.get_by_role("button", name="检查并预览").click()
    expect(page.locator("#main")).to_contain_text("2027")
    expect(page.locator("#main")).to_contain_text("调休上班日")
    assert not (bureau.var_dir / "calendar" / "2027.toml").exists()
    accessible(page, "calendar preview")
    page.get_by_role("button", name="安装此日历").click()
    expect(page.get_by_role("status")).to_contain_text("2027")
    assert (bureau.var_dir / "calendar" / "2027.toml").exists()

    # A key, shown this once; revoked, it signs no one in.
    keys = page.locator("form").filter(has_text="创建密钥")
    keys.get_by_label("名称").fill("zhou")
    keys.get_by_label("角色").select_option("district_officer")
    keys.get_by_label(re.compile("区\\(县\\)")).fill("市南区")
    keys.get_by_role("button", name="创建密钥").click()
    shown = page.locator(".secret").first.inner_text()
    assert shown.startswith("lk_")
    district = person(browser).new_page()
    sign_in_with_key(district, bureau.api, shown)
    district.goto(f"{bureau.api}/console/admin")
    expect(district.get_by_role("alert")).to_contain_text("Only a bureau_officer")
    accessible(district, "refused page")
    page.get_by_role("button", name="吊销 zhou").click()
    expect(page.get_by_role("status")).to_contain_text("zhou")
    # The same page in English, one click away (the English catalogue).
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    accessible(page, "admin, in English")
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("管理")
    district.goto(f"{bureau.api}/console/")
    expect(district).to_have_url(re.compile(r"/console/sign-in"))  # its session ended with it
