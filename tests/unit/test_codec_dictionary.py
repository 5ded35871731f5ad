"""The codec's preset dictionary: shipped frozen (a changed file is refused, never used to open
old payloads wrongly), and made of the engine's words only, never a case's data."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lifecycle.errors import Misconfigured
from lifecycle.temporal import dictionary as module
from lifecycle.temporal.dictionary import SHIPPED, build, dictionary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def case_values() -> set[str]:
    """What the example applications hold about a provider: its name, credit code, contact
    person and phone, free texts."""
    values: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and len(value) >= 6:
            values.add(value)

    for path in EXAMPLES.glob("*/application.json"):
        app = json.loads(path.read_text("utf-8"))
        walk({k: v for k, v in app.items() if k not in ("provider_type", "sectors", "tracks")})
    return values


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_dictionary_holds_no_case_data(name):
    data = dictionary(name).decode("utf-8", errors="replace")
    values = case_values()
    assert len(values) >= 10
    assert [v for v in values if v in data] == []
    assert not re.search(r"\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b", data)
    assert not re.search(r"1[3-9]\d{9}|0\d{2,3}-\d{7,8}", data)  # no phone number
    assert not re.search(r"20\d\d-\d\d-\d\dT", data)  # no moment


def test_a_dictionary_built_today_holds_no_case_data_either():
    data = build().decode("utf-8", errors="replace")
    assert [v for v in case_values() if v in data] == []
    assert '"case_id":' in data and '"expected_seq":null' in data  # the contracts' words


def test_a_changed_or_unknown_dictionary_is_refused(tmp_path, monkeypatch):
    for name in SHIPPED:
        shutil.copy(module.HERE / f"{name}.bin", tmp_path / f"{name}.bin")
        with (tmp_path / f"{name}.bin").open("ab") as out:
            out.write(b" ")
    monkeypatch.setattr(module, "HERE", tmp_path)
    dictionary.cache_clear()
    try:
        with pytest.raises(Misconfigured, match="is not the one this version shipped"):
            dictionary("z1")
        with pytest.raises(Misconfigured, match="cannot be read"):
            dictionary("z0")
    finally:
        dictionary.cache_clear()
