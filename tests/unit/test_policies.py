"""Policy packs load, hold together, and refuse bad data naming file, path and rule."""

import tomllib
from pathlib import Path

import pytest

from lifecycle.domain.machine import CaseMachine
from lifecycle.domain.states import CaseState
from lifecycle.policies import PackError, load_pack, load_pack_file, pack_ids
from lifecycle.policies.loader import PACK_DIR

PATHS = {
    "qingdao-2024": ["submitted", "preliminary_review", "expert_review", "publicity", "listed"],
    "wenzhou-2021": ["submitted", "expert_review", "publicity", "listed"],
    "guangzhou-2024": ["submitted", "expert_review", "publicity", "listed"],
    "wuhan-2021": ["submitted", "expert_review", "listed"],
    "anhui-2019": ["submitted", "expert_review", "listed"],
}


def test_the_five_programmes_are_packed():
    assert pack_ids() == sorted(PATHS)


@pytest.mark.parametrize("pack_id", sorted(PATHS))
def test_admission_path(pack_id):
    pack = load_pack(pack_id)
    assert [s.value for s in pack.admission.path] == PATHS[pack_id]
    notice = pack.deadline("public_notice")
    assert (notice is not None) == ("publicity" in PATHS[pack_id])
    if notice is not None:
        assert (notice.rule, notice.working_days, notice.anchor) == ("window", 5, "entered")
        assert (notice.on_pass.action, notice.states) == ("list", [CaseState.PUBLICITY])


def test_qingdao_public_notice_and_types():
    pack = load_pack("qingdao-2024")
    assert pack.deadline("public_notice").clause == "§三(四)"
    limits = {t.id: t.per_sector for t in pack.admission.provider_types}
    assert limits == {"integrated": (3, 6), "product": (10, 20), "chain_leader": (1, 3)}
    assert pack.admission.types_clause == "§一"
    assert pack.round("2024-1").applications_close.isoformat() == "2024-01-31"
    close = pack.deadline("applications_close")
    assert (close.anchor, close.on_pass.action) == ("round.applications_close", "begin_review")


@pytest.mark.parametrize("pack_id", sorted(PATHS))
def test_machine_walks_the_admission_path(pack_id):
    pack = load_pack(pack_id)
    machine = CaseMachine(pack)
    for here, there in zip(pack.admission.path, pack.admission.path[1:], strict=False):
        assert machine.current == here
        trigger = next(t.trigger for t in pack.transitions if here in t.source and t.dest == there)
        assert machine.rule(trigger) is not None
        machine.state = there.value  # the walk itself; guards are tested with the workflow
    assert machine.current == CaseState.LISTED


def test_diagram_is_drawn_from_the_machine():
    text = CaseMachine(load_pack("qingdao-2024")).mermaid()
    assert text.startswith("stateDiagram-v2")
    assert "publicity --> listed: list (system) [deadline_passed] [no_open_objections]" in text
    assert "[*] --> submitted" in text


def _broken(tmp_path: Path, mutate) -> Path:
    data = tomllib.loads((PACK_DIR / "qingdao-2024.toml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "qingdao-2024.toml"
    path.write_text(_to_toml(data), encoding="utf-8")
    return path


def _wenzhou_quota(**capped: str) -> dict:
    data = tomllib.loads((PACK_DIR / "wenzhou-2021.toml").read_text(encoding="utf-8"))
    return data["listed"]["quota"] | {"capped_kinds": capped}


def _to_toml(data) -> str:
    import json

    # JSON values are valid TOML inline values for the types packs use (dates excepted).
    def value(v):
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, dict):
            return "{ " + ", ".join(f'"{k}" = {value(x)}' for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v, ensure_ascii=False)

    return "\n".join(f'"{k}" = {value(v)}' for k, v in data.items()) + "\n"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["transitions"][3].update(dest="limbo"), r"transitions\[3\]\.dest.*'limbo'"),
        (
            lambda d: d["transitions"][1].update(conditions=["lucky"]),
            r"transitions\[1\]\.conditions\[0\]: 'lucky' is not a known condition",
        ),
        (
            lambda d: d["transitions"][0].update(clause="§99"),
            r"transitions\[0\]\.clause: clause '§99' is not listed",
        ),
        (lambda d: d["admission"].update(path=["submitted", "listed"]), r"admission\.path\[1\]"),
        (lambda d: d["transitions"][0].update(roles=["mayor"]), r"transitions\[0\]\.roles\[0\]"),
        (
            lambda d: d["transitions"][2].update(label=42),
            r"transitions\[2\]\.label: Input should be a valid string \(value 42\)",
        ),
        (lambda d: d.update(extra_key=1), r"extra_key: Extra inputs are not permitted"),
        (
            lambda d: d["deadlines"][3]["on_pass"].update(action="publicise"),
            r"deadlines\[3\]\.on_pass\.action: 'publicise' is not an action the system may take",
        ),
        (
            lambda d: d["deadlines"][1].update(on_pass={"overdue": True, "action": "list"}),
            r"deadlines\[1\]\.on_pass: Value error, give exactly one of action",
        ),
        (
            lambda d: d["deadlines"][3].pop("working_days"),
            r"deadlines\[3\]: Value error, a window rule needs working_days",
        ),
        (
            lambda d: d["deadlines"][0].update(states=["rejected"]),
            r"deadlines\[0\]\.states\[0\]: 'rejected' is not a non-terminal state",
        ),
        (
            lambda d: d["listed"].update(quota=_wenzhou_quota(transformation="diagnosis")),
            r"listed: Value error, service kinds \['transformation'\] are both exclusive and "
            r"capped by the quota; engine rule",
        ),
        (
            lambda d: d.update(pack_format=9),
            r"pack_format: 9 is not a format this engine reads \(1 to 2\)",
        ),
    ],
)
def test_bad_pack_is_refused_naming_file_path_and_rule(tmp_path, mutate, message):
    path = _broken(tmp_path, mutate)
    with pytest.raises(PackError, match=message) as info:
        load_pack_file(path)
    assert str(info.value).startswith(str(path))


def test_unbroken_copy_loads(tmp_path):
    assert load_pack_file(_broken(tmp_path, lambda d: None)).id == "qingdao-2024"


def test_unknown_policy_lists_the_known_ones():
    with pytest.raises(PackError, match="the policies are: anhui-2019"):
        load_pack("shenzhen-2030")
