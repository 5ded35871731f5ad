"""Settings read from the environment: the deadline spread's default follows the business clock's
speed, and a value out of range is refused in one sentence naming it."""

import pytest

from lifecycle.config import MAX_SPREAD, SPREAD, Settings
from lifecycle.errors import Misconfigured


@pytest.fixture(autouse=True)
def clean(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    for name in ("LIFECYCLE_DAY_SECONDS", "LIFECYCLE_DEADLINE_SPREAD"):
        monkeypatch.delenv(name, raising=False)


def test_spread_is_half_an_hour_at_real_speed_and_none_on_a_faster_clock(monkeypatch):
    assert Settings.from_env().deadline_spread == SPREAD == 1800
    monkeypatch.setenv("LIFECYCLE_DAY_SECONDS", "2")
    assert Settings.from_env().deadline_spread == 0


def test_spread_set_by_the_bureau(monkeypatch):
    monkeypatch.setenv("LIFECYCLE_DAY_SECONDS", "2")
    monkeypatch.setenv("LIFECYCLE_DEADLINE_SPREAD", "600")
    assert Settings.from_env().deadline_spread == 600
    monkeypatch.setenv("LIFECYCLE_DEADLINE_SPREAD", "0")
    assert Settings.from_env().deadline_spread == 0


@pytest.mark.parametrize("raw", ["-1", str(MAX_SPREAD + 1), "half an hour"])
def test_spread_out_of_range_is_refused_in_one_sentence(monkeypatch, raw):
    monkeypatch.setenv("LIFECYCLE_DEADLINE_SPREAD", raw)
    with pytest.raises(Misconfigured) as refused:
        Settings.from_env()
    assert str(refused.value) == (
        f"LIFECYCLE_DEADLINE_SPREAD is '{raw}'; it must be a whole number from 0 to {MAX_SPREAD}."
    )
