"""What the bench reads: a process's CPU time and memory (from /proc), a history's size, and
medians and 95th percentiles."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
from dataclasses import dataclass, field
from typing import Any

from temporalio.api.history.v1 import History
from temporalio.client import WorkflowHistory

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    """A worker process the bench started: its CPU-seconds and resident memory so far."""

    side: str
    process: subprocess.Popen[str]
    log: Any = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime

    def threads(self) -> dict[str, float]:
        """CPU-seconds by thread name (the SDK's core threads, the event loop, the store's)."""
        out: dict[str, float] = {}
        for task in os.listdir(f"/proc/{self.pid}/task"):
            with contextlib.suppress(OSError):
                with open(f"/proc/{self.pid}/task/{task}/stat") as f:
                    head, rest = f.read().rsplit(")", 1)
                name = head.split("(", 1)[1]
                fields = rest.split()
                cpu = (int(fields[11]) + int(fields[12])) / TICK
                out[name] = round(out.get(name, 0.0) + cpu, 2)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0


def history_bytes(history: WorkflowHistory) -> int:
    """The run's history as Temporal stores it (protobuf, payloads as encoded)."""
    return History(events=history.events).ByteSize()


# The parts a history's bytes are read into (each event whole in one part, except that its
# payloads of note and its summary are counted apart), in the order the report lists them.
PARTS = (
    "start input",
    "start search attributes",
    "activity inputs",
    "Update requests",
    "Update results",
    "summaries (Web UI)",
    "search attributes upserted",
    "local activities' markers",
    "activity results and task events",
    "workflow tasks",
    "the rest",
)


def history_parts(history: WorkflowHistory) -> dict[str, int]:
    """One run's history bytes by part, read from the events alone (as Temporal stores them,
    payloads as encoded): where ours and the twin's differ."""
    out = dict.fromkeys(PARTS, 0)
    for event in history.events:
        kind = event.WhichOneof("attributes") or ""
        attrs: Any = getattr(event, kind) if kind else None
        size = event.ByteSize()
        summary = event.user_metadata.ByteSize()
        out["summaries (Web UI)"] += summary
        size -= summary
        if kind == "workflow_execution_started_event_attributes":
            out["start input"] += attrs.input.ByteSize()
            out["start search attributes"] += attrs.search_attributes.ByteSize()
            size -= attrs.input.ByteSize() + attrs.search_attributes.ByteSize()
            part = "the rest"
        elif kind == "activity_task_scheduled_event_attributes":
            out["activity inputs"] += attrs.input.ByteSize()
            size -= attrs.input.ByteSize()
            part = "activity results and task events"
        elif kind.startswith("activity_task_"):
            part = "activity results and task events"
        elif kind.startswith("workflow_task_"):
            part = "workflow tasks"
        elif kind == "workflow_execution_update_accepted_event_attributes":
            part = "Update requests"
        elif kind == "workflow_execution_update_completed_event_attributes":
            part = "Update results"
        elif kind == "upsert_workflow_search_attributes_event_attributes":
            part = "search attributes upserted"
        elif kind == "marker_recorded_event_attributes":
            part = "local activities' markers"
        else:
            part = "the rest"
        out[part] += size
    return out


# Where an accepted Update's time goes, read from the event times of its run's history (the
# server's clock): the workflow task that takes it, waiting for the worker and then at it (for
# `publicise`, its local activity is inside that task); the record, from its scheduling to its
# completion; the task that answers it, waiting and at the worker; and all of it, from the first
# task's scheduling to the Update's completion (what the person waits for, less the trip to the
# server and back).
HOPS = (
    "the task that takes it: waiting for the worker",
    "the task that takes it: at the worker",
    "the record (an activity), scheduled to completed",
    "the task that answers it: waiting for the worker",
    "the task that answers it: at the worker",
    "in all, on the server's clock",
)


def update_hops(history: WorkflowHistory) -> list[dict[str, float]]:
    """Each accepted Update of a run by ``HOPS``, in milliseconds (an Update whose history is
    not in the usual shape, a task failed or timed out, is left out)."""
    events = list(history.events)

    def ms(e: Any) -> float:
        return float(e.event_time.ToNanoseconds() / 1e6)

    def kind(e: Any) -> str:
        return str(e.WhichOneof("attributes") or "")

    out = []
    for i, accepted in enumerate(events):
        if kind(accepted) != "workflow_execution_update_accepted_event_attributes":
            continue
        taken = _task_before(events, i)
        done = next(
            (
                k
                for k in range(i + 1, len(events))
                if kind(events[k]) == "workflow_execution_update_completed_event_attributes"
            ),
            None,
        )
        if taken is None or done is None:
            continue
        answered = _task_before(events, done)
        between = [kind(e) for e in events[i:done]]
        if {
            "workflow_task_failed_event_attributes",
            "workflow_task_timed_out_event_attributes",
        } & set(between):
            continue  # a task failed or timed out on the way
        # the record it asked (an activity scheduled once it was accepted), and its completion
        scheduled = next(
            (e for e in events[i:done] if kind(e) == "activity_task_scheduled_event_attributes"),
            None,
        )
        completed = scheduled and next(
            (
                e
                for e in events[i:done]
                if kind(e) == "activity_task_completed_event_attributes"
                and e.activity_task_completed_event_attributes.scheduled_event_id
                == scheduled.event_id
            ),
            None,
        )
        if answered is None or answered[0] <= i or scheduled is None or completed is None:
            continue
        sched, start, comp = (events[j] for j in taken[1])
        sched2, start2, comp2 = (events[j] for j in answered[1])
        out.append(
            dict(
                zip(
                    HOPS,
                    (
                        ms(start) - ms(sched),
                        ms(comp) - ms(start),
                        ms(completed) - ms(scheduled),
                        ms(start2) - ms(sched2),
                        ms(comp2) - ms(start2),
                        ms(events[done]) - ms(sched),
                    ),
                    strict=True,
                )
            )
        )
    return out


def _task_before(events: list[Any], at: int) -> tuple[int, tuple[int, int, int]] | None:
    """The workflow task completed last before event ``at``: its completion's index, and its
    scheduled, started and completed events' indexes."""
    for j in range(at - 1, 1, -1):
        if events[j].WhichOneof("attributes") == "workflow_task_completed_event_attributes":
            trio = (j - 2, j - 1, j)
            names = [events[k].WhichOneof("attributes") for k in trio[:2]]
            if names != [
                "workflow_task_scheduled_event_attributes",
                "workflow_task_started_event_attributes",
            ]:
                return None
            return j, trio
    return None


def workflow_tasks(history: WorkflowHistory) -> int:
    """How many workflow tasks the run completed: the same on both sides when they are driven
    alike (each Update takes two; the twin's records run one after another as ours do)."""
    return sum(e.HasField("workflow_task_completed_event_attributes") for e in history.events)


def start_input_bytes(history: WorkflowHistory) -> int:
    return history.events[0].workflow_execution_started_event_attributes.input.ByteSize()


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    """Median and 95th percentile of repeated measurements (and how many)."""
    return {
        "median": statistics.median(values) if values else float("nan"),
        "p95": p95(values),
        "n": len(values),
    }
