"""The worker loads the workflows' modules once and every run shares them
(``lifecycle.temporal.sandbox``): what they hold at module level must be constant, or one case's
run could change what another's sees."""

import __future__

import datetime as dt
import importlib
import pkgutil
import re
import types
import typing
import zoneinfo

from temporalio.common import RetryPolicy

import workflows
from lifecycle.policies.registry import PackRegistry

CONSTANT = (
    types.ModuleType,
    types.FunctionType,
    types.MappingProxyType,
    type,
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    tuple,
    frozenset,
    re.Pattern,
    typing.TypeVar,
    dt.timedelta,
    zoneinfo.ZoneInfo,
    type(typing.Literal["x"]),
    __future__._Feature,
)
# Shared on purpose: the rules' registry is the worker's (passed through with the domain), and a
# retry policy is read, never changed, by the SDK.
SHARED = (PackRegistry, RetryPolicy)


# What a class body defines that is behaviour, not state.
BEHAVIOUR = (types.FunctionType, staticmethod, classmethod, property)


def shared_state(module: types.ModuleType) -> dict[str, str]:
    """Module-level values, and class-level values of the classes it defines, that are not
    constant."""
    found = {}
    for name, value in vars(module).items():
        if name.startswith("__"):
            continue
        if isinstance(value, type) and value.__module__ == module.__name__:
            if issubclass(
                value, tuple
            ):  # a NamedTuple: its fields are descriptors, its rows frozen
                continue
            for attr, held in vars(value).items():
                if not attr.startswith("__") and not isinstance(
                    held, CONSTANT + SHARED + BEHAVIOUR
                ):
                    found[f"{module.__name__}.{name}.{attr}"] = type(held).__name__
        elif not isinstance(value, CONSTANT + SHARED):
            found[f"{module.__name__}.{name}"] = type(value).__name__
    return found


def test_workflow_modules_hold_only_constants_between_runs():
    modules = [
        importlib.import_module(f"workflows.{m.name}")
        for m in pkgutil.iter_modules(workflows.__path__)
    ]
    assert {"workflows.case", "workflows.core", "workflows.evaluation"} <= {
        m.__name__ for m in modules
    }
    found: dict[str, str] = {}
    for module in modules:
        found.update(shared_state(module))
    assert not found, f"module-level state every run would share: {found}"


def test_a_mutable_value_is_seen():
    probe = types.ModuleType("workflows.probe")
    probe.seen = []  # type: ignore[attr-defined]
    probe.kinds = {"store": "the store"}  # type: ignore[attr-defined]
    probe.Run = type("Run", (), {"__module__": "workflows.probe", "runs": [], "name": "run"})  # type: ignore[attr-defined]
    assert shared_state(probe) == {
        "workflows.probe.seen": "list",
        "workflows.probe.kinds": "dict",
        "workflows.probe.Run.runs": "list",
    }
