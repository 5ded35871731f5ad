"""The walkthrough runner bites: a line that is not refused when its comment says so, or that
does not print what its arrow promises, fails; settings and variables are read as written."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.e2e.walkthrough import run, split, walkthrough


@dataclass
class NoSystem:
    """The page's commands below need no running system."""

    env: dict[str, str] = field(default_factory=dict)
    address: str = "127.0.0.1:1"
    api_port: int = 1


def page(tmp_path, body: str):
    path = tmp_path / "page.md"
    path.write_text(f"# A page\n\n```sh\n{body}\n```\n", encoding="utf-8")
    return walkthrough(path)


def test_a_comment_is_split_off_outside_quotes():
    assert split('lifecycle x --data \'{"a": "#1"}\'  # refused: why') == (
        'lifecycle x --data \'{"a": "#1"}\'',
        "refused: why",
    )
    assert split("# only a comment") == ("", "only a comment")


def test_settings_variables_and_promises_are_read(tmp_path):
    walk = page(
        tmp_path,
        "export LIFECYCLE_DAY_SECONDS=10 LIFECYCLE_VAR_DIR=var/x\nmake run\n"
        "D=2024-03-01\nlifecycle calendar window $D 5   # → 2024-03-07\n"
        "lifecycle calendar window 2024-02-30 5   # refused",
    )
    assert walk.settings == {"LIFECYCLE_DAY_SECONDS": "10", "LIFECYCLE_VAR_DIR": "var/x"}
    assert [line.code for line in walk.lines][0] == "D=2024-03-01"
    assert run(walk, NoSystem()) == {"D": "2024-03-01"}


@pytest.mark.parametrize(
    "line",
    [
        "lifecycle calendar window 2024-03-01 5   # refused: it is not",
        "lifecycle calendar window 2024-03-01 5   # → 2099-01-01",
        "lifecycle calendar window 2024-02-30 5",
    ],
)
def test_a_line_that_does_not_do_what_it_says_fails(tmp_path, line):
    with pytest.raises(AssertionError, match="walkthrough line"):
        run(page(tmp_path, line), NoSystem())
