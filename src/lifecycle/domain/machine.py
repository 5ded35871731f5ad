"""The case state machine, built from a policy pack with ``transitions`` (DOMAIN.md §4).

States and transitions are the pack's data; guards are the named conditions of
:mod:`lifecycle.domain.conditions`. ``refusal`` explains, in one sentence, why an action may not
happen; ``fire`` moves the machine. The same machine draws the pack's Mermaid diagram.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from transitions import EventData, Machine

from lifecycle.domain.conditions import CASE_ONLY, CONDITIONS, ActionFacts, CaseFacts
from lifecycle.domain.refusal import Refusal
from lifecycle.domain.states import CaseState, Role

if TYPE_CHECKING:
    from lifecycle.policies.schema import PolicyPack, Transition


class CaseMachine:
    """A case's machine in a state. Asking what is allowed reads the pack; moving fires the
    pack's one shared ``transitions`` machine (built once per pack, not once per question)."""

    state: str

    def __init__(self, pack: PolicyPack, state: CaseState | None = None) -> None:
        self.pack = pack
        self.state = (state or pack.initial).value

    @property
    def current(self) -> CaseState:
        return CaseState(self.state)

    def actions(self, role: Role | None = None, case: CaseFacts | None = None) -> list[str]:
        """The actions people may take in the current state (``role``'s only, when given); with
        ``case``, only those whose conditions on the case itself hold now (no 'dismiss an
        objection' while none is open)."""
        return list(
            dict.fromkeys(
                t.trigger
                for t in self.pack.transitions
                if self.current in t.source
                and (role in t.roles if role else any(r != Role.SYSTEM for r in t.roles))
                and (case is None or self._open_now(t, case))
            )
        )

    @staticmethod
    def _open_now(rule: Transition, case: CaseFacts) -> bool:
        asked = _Asked(rule.trigger)
        return not any(
            CONDITIONS[name](case, asked) for name in rule.conditions if name in CASE_ONLY
        )

    def rule(self, trigger: str) -> Transition | None:
        return next((t for t in self.pack.transition(trigger) if self.current in t.source), None)

    def judge(
        self, trigger: str, role: Role, case: CaseFacts, action: ActionFacts
    ) -> tuple[Transition | None, Refusal | None]:
        """The rule ``trigger`` fires in this state, and why ``role`` may not fire it now (one
        sentence with its clause; None when it may)."""
        if not self.pack.transition(trigger):
            known = ", ".join(dict.fromkeys(t.trigger for t in self.pack.transitions))
            return None, Refusal(
                f"'{trigger}' is not an action of {self.pack.id} (its actions: {known})."
            )
        rule = self.rule(trigger)
        if rule is None:
            open_now = ", ".join(self.actions(case=case)) or "none"
            return None, Refusal(
                f"'{trigger}' is not allowed while the case is {self.state} "
                f"(allowed now: {open_now})."
            )
        clause = f"{self.pack.id} {rule.clause}"
        if role not in rule.roles:
            who = ", ".join(rule.roles)
            return rule, Refusal(
                f"{role.a} may not '{trigger}'; only {who} may ({clause}).", clause
            )
        for name in rule.conditions:
            reason = CONDITIONS[name](case, action)
            if reason:
                return rule, Refusal(f"'{trigger}' refused: {reason} ({clause}).", clause)
        return rule, None

    def refusal(self, trigger: str, role: Role, case: CaseFacts, action: ActionFacts) -> str | None:
        """Why ``role`` may not ``trigger`` now, in one sentence; None when it may."""
        return self.judge(trigger, role, case, action)[1]

    def fire(
        self, trigger: str, case: CaseFacts, action: ActionFacts, judged: bool = False
    ) -> CaseState:
        """Moves the machine; ``judged``: the action was judged on these very facts, so the
        guards let it pass rather than ask again."""
        shared = _shared(self.pack)
        with shared.lock:
            shared.state = self.state
            if not getattr(shared, trigger)(case=case, action=action, judged=judged):
                raise ValueError(f"'{trigger}' did not pass its conditions in state {self.state}")
            self.state = shared.state
        return self.current

    def mermaid(self) -> str:
        """A Mermaid state diagram drawn from the pack's own ``transitions`` machine."""
        machine = _shared(self.pack).machine
        lines = ["stateDiagram-v2", "  direction LR"]
        lines += [f'  state "{s}" as {s}' for s in machine.states]
        lines.append(f"  [*] --> {machine.initial}")
        for trigger, event in machine.events.items():
            rule = {s: t for t in self.pack.transition(trigger) for s in t.source}
            for source, moves in event.transitions.items():
                for move in moves:
                    dest = move.dest or source
                    roles = "/".join(rule[CaseState(source)].roles)
                    guards = "".join(f" [{c}]" for c in rule[CaseState(source)].conditions)
                    lines.append(f"  {source} --> {dest}: {trigger} ({roles}){guards}")
        lines += [f"  {s.value} --> [*]" for s in self.pack.states if self.pack.is_terminal(s)]
        return "\n".join(lines) + "\n"


class _Shared:
    """The model a pack's machine is bound to, once: a case's move sets its state, fires the
    trigger and reads the state it reached, under the lock (workflows run in several threads)."""

    state: str

    def __init__(self, pack: PolicyPack) -> None:
        self.pack = pack
        self.lock = threading.Lock()
        self.machine = Machine(
            model=self,
            states=[s.value for s in pack.states],
            transitions=[_spec(t) for t in pack.transitions],
            initial=pack.initial.value,
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )


_MACHINES: dict[int, _Shared] = {}
_BUILDING = threading.Lock()
_KEPT = 64  # packs' machines kept (every version a worker serves, with room to spare)


def _shared(pack: PolicyPack) -> _Shared:
    found = _MACHINES.get(id(pack))
    if found is not None and found.pack is pack:
        return found
    with _BUILDING:
        found = _MACHINES.get(id(pack))
        if found is None or found.pack is not pack:
            if len(_MACHINES) >= _KEPT:
                _MACHINES.clear()
            found = _MACHINES[id(pack)] = _Shared(pack)
    return found


def _spec(t: Transition) -> dict[str, Any]:
    return {
        "trigger": t.trigger,
        "source": [s.value for s in t.source],
        "dest": t.dest.value if t.dest else None,
        "conditions": [_guard(name) for name in t.conditions],
    }


def _guard(name: str) -> Any:
    def guard(event: EventData) -> bool:
        if event.kwargs.get("judged"):
            return True
        return CONDITIONS[name](event.kwargs["case"], event.kwargs["action"]) is None

    guard.__name__ = name
    return guard


class _Asked:
    """An action as a case-only condition sees it: only its name matters."""

    def __init__(self, trigger: str) -> None:
        self.trigger = trigger
        self.actor_district: str | None = None
        self.reason = ""
        self.slot = None
