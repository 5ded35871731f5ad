"""Every saved history replays against today's workflow code: a change that would break a
running case fails here (record new histories with `python -m tests.replay.record`).

The oldest histories were recorded before rules were versioned and selection places reserved;
they carry a format-1 pack inline and take the unpatched branches. Later ones name their rules
by version and take the patched branches; together they cover both sides of every patch."""

import base64
import collections
import json
import re
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, WorkflowInstance, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from lifecycle.policies import REGISTRY, PackRef
from lifecycle.policies.loader import read_document
from lifecycle.temporal.client import sealing
from lifecycle.temporal.codec import ENCODINGS, KeyRing
from lifecycle.temporal.sandbox import workflow_runner
from workflows import WORKFLOWS
from workflows.case import PERIODS
from workflows.core import CORE_V2, ONE_INSTANT, RECOMPUTE_PROVISIONAL
from workflows.evaluation import OPENER_PROVEN

HERE = Path(__file__).parent
HISTORIES = sorted(HERE.glob("*.json"))
# As a bureau's Temporal holds them: sealed by the codec (the tests' own keys), one set per
# encoding it has written.
SEALED = sorted((HERE / "sealed").glob("*_*.json"))
FIXTURES = HERE.parent / "fixtures" / "packs"


@pytest.fixture(scope="module", autouse=True)
def versions_the_tests_made():
    """Rules versions that exist only in the tests (the worker serves them as it would a
    bureau's): the tests-only programme and a revised qingdao pack cases were moved to; and
    every version kept read before any history replays, as the worker does when it starts
    (``build_worker``). Read from inside a replay instead, the archive took more than the
    sandbox's 2 s on a loaded machine, and the replay failed as a potential deadlock."""
    REGISTRY.load(everything=True)
    for path in sorted(FIXTURES.glob("*.toml")):
        REGISTRY.add(read_document(path))


def patches(path: Path) -> set[str]:
    """The patches a history's run took (the markers ``workflow.patched`` recorded)."""
    events = json.loads(path.read_text(encoding="utf-8"))["events"]
    found = set()
    for e in events:
        attributes = e.get("markerRecordedEventAttributes", {})
        if attributes.get("markerName") == "core_patch":
            payload = e["markerRecordedEventAttributes"]["details"]["patch-data"]["payloads"][0]
            found.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return found


def test_histories_cover_both_sides_of_every_patch():
    taken = {p.stem: patches(p) for p in HISTORIES}
    for patch in (CORE_V2, RECOMPUTE_PROVISIONAL, PERIODS, ONE_INSTANT, OPENER_PROVEN):
        assert any(patch in t for t in taken.values()), f"no saved history took {patch}"
    before = [name for name in taken if not re.match(r"v\d+_", name)]
    assert before and all(not taken[name] for name in before), "histories from before the patches"
    rounds = [name for name in taken if "_round_" in name]
    assert any(OPENER_PROVEN not in taken[name] for name in rounds), "a round from before it"


def test_runs_that_name_their_engine_carry_no_patch_marker_and_call_locally():
    """Runs started by engine 1 or later follow every change without a marker; their questions are
    local activities (one marker with the result each) and only the recording of a change is a
    scheduled activity (the Web UI's timeline shows it by its summary)."""
    engine = [p for p in HISTORIES if p.stem.startswith(("v6_engine1_", "v7_", "v8_engine2_"))]
    assert len(engine) >= 3
    called = 0
    for path in engine:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        kinds = [e["eventType"] for e in events]
        assert not patches(path), path.stem
        scheduled = {
            e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
            for e in events
            if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
        }
        assert scheduled <= {"record_case"}, path.stem
        assert "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED" in kinds or len(kinds) < 10, path.stem
        markers = [e["markerRecordedEventAttributes"]["markerName"] for e in events if
                   e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"]  # fmt: skip
        assert set(markers) <= {"core_local_activity"}, path.stem
        called += len(markers)
    assert called > 5


def test_runs_recorded_since_carry_their_state_whole():
    """A run continued as new hands the next one its whole state (RunState): what it waits on
    and when it tries again travel with the case, not only the case and its outbox."""
    continued = [
        p for p in HISTORIES if p.stem.startswith(("v7_", "v8_engine2_")) and ".run" in p.name
    ]
    assert continued, "record the v7 histories: python -m tests.replay.record"
    for path in continued:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        payload = events[0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
        carried = json.loads(base64.b64decode(payload["data"]))["carried"]
        whole = {"case", "remembered", "outbox", "trouble", "recounts", "retry_at", "attempt"}
        assert whole <= set(carried) and carried["run"] >= 2, path.stem


def test_histories_pinned_to_rules_changed_since_still_name_served_versions():
    """Rules changed after these cases started: they name versions no longer current, which
    the worker still serves (and replays below)."""
    pinned = set()
    for path in HISTORIES:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        payload = events[0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
        rules = json.loads(base64.b64decode(payload["data"])).get("rules")
        if rules:
            pinned.add(PackRef.model_validate(rules))
    assert pinned and all(REGISTRY.has(ref) for ref in pinned)
    shipped = [ref for ref in pinned if ref.id in REGISTRY.ids()]
    assert any(ref != REGISTRY.current(ref.id) for ref in shipped)


def test_the_strict_sandbox_imports_every_workflows_module_afresh():
    """The worker loads the workflows' modules once; the strict sandbox the tests run them in
    passes none of them through, so Temporal's restrictions apply to all of their code."""
    strict = workflow_runner(strict=True).restrictions.passthrough_modules
    worker = workflow_runner().restrictions.passthrough_modules
    assert not {m for m in strict if m == "workflows" or m.startswith("workflows.")}
    assert "lifecycle" in strict and "workflows" in worker


@pytest.mark.parametrize("strict", [True, False], ids=["strict-sandbox", "worker-sandbox"])
@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays(path, strict):
    """In the strict sandbox (every module of workflows/ imported afresh, with Temporal's
    restrictions: a clock or I/O in workflow code fails here) and in the worker's own."""
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(strict=strict),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


def test_runs_of_engine_2_say_so_and_take_their_inputs_raw():
    """Histories recorded since the handlers read their own inputs name engine 2 in their
    start input (the input-bytes change followed without a marker)."""
    recorded = [p for p in HISTORIES if p.stem.startswith("v8_engine2_") and ".run" not in p.name]
    assert len(recorded) >= 3, "record the v8 histories: python -m tests.replay.record"
    for path in recorded:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        payload = events[0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
        assert json.loads(base64.b64decode(payload["data"]))["engine"] == 2, path.stem


def encodings(path: Path) -> collections.Counter[bytes]:
    found: collections.Counter[bytes] = collections.Counter()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "metadata" in value and "data" in value:
                found[base64.b64decode(value["metadata"].get("encoding", ""))] += 1
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(path.read_text(encoding="utf-8"))["events"])
    return found


def test_sealed_histories_cover_every_encoding_the_codec_opens():
    """Each encoding the codec has written has saved histories sealed with it alone (the
    payloads left in the clear are the search attributes, which Temporal indexes)."""
    seen = {path.stem: encodings(path) for path in SEALED}
    for encoding in ENCODINGS:
        sealed_with = [name for name, found in seen.items() if found[encoding] >= 20]
        assert sealed_with, f"record histories sealed with {encoding!r}: --sealed"
        for name in sealed_with:
            assert set(seen[name]) <= {encoding, b"json/plain"}, name


def sealed_converter():
    """Opens what the tests' own keys sealed, as a worker does (tolerant)."""
    return sealing(KeyRing.read(HERE / "sealed" / "keys.json"), tolerant=True)


@pytest.mark.parametrize("path", SEALED, ids=lambda p: p.stem)
async def test_sealed_history_replays(path):
    converter = sealed_converter()
    replayer = Replayer(
        workflows=WORKFLOWS, data_converter=converter, workflow_runner=workflow_runner(strict=True)
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


class SideBySide(WorkflowRunner):
    """Each run twice, in the worker's sandbox and in Temporal's own with the same modules
    passed through: the worker's answers are used, and each is compared with Temporal's."""

    def __init__(self) -> None:
        self.ours = workflow_runner()
        self.temporal = SandboxedWorkflowRunner(restrictions=self.ours.restrictions)
        self.compared: collections.Counter[str] = collections.Counter()

    def prepare_workflow(self, defn):
        self.ours.prepare_workflow(defn)
        self.temporal.prepare_workflow(defn)

    def create_instance(self, det):
        return Both(self.ours.create_instance(det), self.temporal.create_instance(det), self)

    def set_worker_level_failure_exception_types(self, types):
        self.ours.set_worker_level_failure_exception_types(types)
        self.temporal.set_worker_level_failure_exception_types(types)


class Both(WorkflowInstance):
    def __init__(self, ours: WorkflowInstance, temporal: WorkflowInstance, runner: SideBySide):
        self.ours, self.temporal, self.compared = ours, temporal, runner.compared

    def same(self, what: str, ours, theirs):
        assert ours == theirs, f"{what}: {ours!r} in the worker's sandbox, {theirs!r} in Temporal's"
        self.compared[what] += 1
        return ours

    def activate(self, act):
        return self.same("activation", self.ours.activate(act), self.temporal.activate(act))

    def get_serialization_context(self, command_info):
        ours = self.ours.get_serialization_context(command_info)
        return self.same("context", ours, self.temporal.get_serialization_context(command_info))

    def get_external_store_context(self, command_info):
        ours = self.ours.get_external_store_context(command_info)
        return self.same("store", ours, self.temporal.get_external_store_context(command_info))

    def get_info(self):
        return self.ours.get_info()

    def get_thread_id(self):
        return self.ours.get_thread_id()


@pytest.mark.parametrize("path", HISTORIES + SEALED, ids=lambda p: p.stem)
async def test_the_worker_sandbox_answers_as_temporals_own(path):
    """The worker's sandbox reads the SDK's per-payload look-ups straight from the run
    (``lifecycle.temporal.sandbox``): over saved histories, plain and sealed, every activation's
    commands and every look-up's answer are the ones Temporal's own sandbox gives."""
    converter = sealed_converter()
    runner = SideBySide()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=converter, workflow_runner=runner)
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
    assert all(runner.compared[w] for w in ("activation", "context", "store")), runner.compared


def local_calls(path: Path) -> collections.Counter[str]:
    """The local activities a saved run called, by type (one marker each)."""
    found: collections.Counter[str] = collections.Counter()
    for e in json.loads(path.read_text(encoding="utf-8"))["events"]:
        marker = e.get("markerRecordedEventAttributes", {})
        data = marker.get("details", {}).get("data", {}).get("payloads", [{}])[0].get("data")
        if data:
            found[json.loads(base64.b64decode(data))["activity_type"]] += 1
    return found


def test_runs_of_engine_4_ask_what_a_decision_needs_in_one_call():
    """Since engine 4 a decision's counts, settings, claims and place are one local activity
    (``obtain``), where engine 3 called one for each (publicise: a count and a place); a lone
    count outside a decision (a deadline counted again) is still its own call."""
    recorded = [p for p in HISTORIES if p.stem.startswith("v11_engine4_") and ".run" not in p.name]
    assert len(recorded) >= 3, "record the v11 histories: python -m tests.replay.record"
    for path in recorded:
        calls = local_calls(path)
        assert calls["obtain"] >= 1, path.stem
        assert not {"reserve", "claim", "read_settings"} & set(calls), path.stem
    before = local_calls(HERE / "v9_engine3_qingdao_listed.json")
    after = local_calls(HERE / "v11_engine4_qingdao_listed.json")
    assert (before["compute_deadline"], before["reserve"], after["obtain"]) == (1, 1, 1)
