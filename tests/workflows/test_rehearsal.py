"""A programme rehearsed on the time-skipping server before it goes live: the example's script
runs as written, and a script whose expectation does not hold is named at its step."""

from pathlib import Path

from lifecycle.policies import pack_ids
from runtime.rehearse import run

EXAMPLE = Path("examples/example-2027")


async def test_the_example_rehearses_as_scripted_and_a_wrong_expectation_is_named(tmp_path):
    done = await run(EXAMPLE / "pack.toml", EXAMPLE / "rehearsal.toml")
    assert done.failures == [], done.failures
    assert "example-2027" not in pack_ids()  # tried while it ran, not installed
    states = [s.state for s in done.steps]
    assert states[0] == "submitted" and "publicity" in states and states[-1] == "rectification"
    refused = [s.what for s in done.steps if "refused" in s.what]
    assert len(refused) == 2 and all("example-2027 第" in r for r in refused)
    notice = next(s for s in done.steps if s.state == "publicity")
    assert any(line.startswith("公示 2027-03-16 24:00") for line in notice.deadlines)

    wrong = tmp_path / "wrong.toml"
    text = (EXAMPLE / "rehearsal.toml").read_text("utf-8")
    wrong.write_text(
        text.replace(
            "on = 2027-03-18                  # five", "on = 2027-03-15                  # five"
        ).replace("application.json", str((EXAMPLE / "application.json").resolve())),
        encoding="utf-8",
    )
    done = await run(EXAMPLE / "pack.toml", wrong)
    assert done.failures and "step 7: the case is publicity, not listed." in done.failures[0]
