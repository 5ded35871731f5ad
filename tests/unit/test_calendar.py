"""Working days (DOMAIN.md §3). The holiday tables below are transcribed from the State Council's
notices (国办发明电) for 2024, 2025 and 2026, independently of the chinesecalendar package."""

import datetime as dt
from pathlib import Path

import pytest

from lifecycle.calendar import CalendarError, WorkingCalendar, load_holiday_file

D = dt.date.fromisoformat
EXAMPLES = Path(__file__).parents[2] / "examples" / "calendar"

# (first day off, last day off, make-up working days) per holiday, as the notices give them.
NOTICES = {
    2024: [
        ("2024-01-01", "2024-01-01", []),
        ("2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"]),
        ("2024-04-04", "2024-04-06", ["2024-04-07"]),
        ("2024-05-01", "2024-05-05", ["2024-04-28", "2024-05-11"]),
        ("2024-06-08", "2024-06-10", []),
        ("2024-09-15", "2024-09-17", ["2024-09-14"]),
        ("2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"]),
    ],
    2025: [
        ("2025-01-01", "2025-01-01", []),
        ("2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
        ("2025-04-04", "2025-04-06", []),
        ("2025-05-01", "2025-05-05", ["2025-04-27"]),
        ("2025-05-31", "2025-06-02", []),
        ("2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
    ],
    2026: [
        ("2026-01-01", "2026-01-03", ["2026-01-04"]),
        ("2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
        ("2026-04-04", "2026-04-06", []),
        ("2026-05-01", "2026-05-05", ["2026-05-09"]),
        ("2026-06-19", "2026-06-21", []),
        ("2026-09-25", "2026-09-27", []),
        ("2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
    ],
}


def _days_off(year: int) -> list[dt.date]:
    out = []
    for first, last, _ in NOTICES[year]:
        day = D(first)
        while day <= D(last):
            out.append(day)
            day += dt.timedelta(days=1)
    return out


def _makeup(year: int) -> list[dt.date]:
    return [D(d) for _, _, makeup in NOTICES[year] for d in makeup]


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_statutory_day_off_is_not_a_working_day(cal, year):
    for day in _days_off(year):
        assert cal.day(day).workday is False, day
        assert cal.day(day).provisional is False


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_make_up_day_is_a_working_day(cal, year):
    for day in _makeup(year):
        assert day.weekday() >= 5, "make-up days are weekend days"
        assert cal.is_workday(day), day


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_all_other_days_follow_the_week(cal, year):
    special = set(_days_off(year)) | set(_makeup(year))
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day not in special:
            assert cal.is_workday(day) == (day.weekday() < 5), day
        day += dt.timedelta(days=1)


def test_domain_examples(cal):
    assert cal.window_close(D("2024-03-01"), 5).date == D("2024-03-07")
    assert cal.latest_before(D("2026-03-16"), 10).date == D("2026-03-02")


def test_window_closes_at_midnight_shanghai(cal):
    closes = cal.window_close(D("2024-03-01"), 5).closes_at()
    assert closes.isoformat() == "2024-03-08T00:00:00+08:00"
    assert closes.astimezone(dt.UTC).isoformat() == "2024-03-07T16:00:00+00:00"


def test_window_across_national_day_2025(cal):
    # Fri 26 Sep, Sun 28 Sep (make-up), 29, 30 Sep, then 1–8 Oct off, Thu 9 Oct.
    assert cal.window_close(D("2025-09-26"), 5).date == D("2025-10-09")


def test_window_across_spring_festival_2026(cal):
    # Thu 12, Fri 13, Sat 14 Feb (make-up), 15–23 off, Tue 24, Wed 25.
    assert cal.window_close(D("2026-02-12"), 5).date == D("2026-02-25")


def test_window_opening_on_a_day_off_starts_on_the_next_working_day(cal):
    assert cal.window_close(D("2024-03-02"), 5).date == D("2024-03-08")
    assert cal.window_close(D("2025-10-01"), 1).date == D("2025-10-09")


def test_window_without_the_publication_day(cal):
    assert cal.window_close(D("2024-03-01"), 5, opening_day_counts=False).date == D("2024-03-08")


def test_before_across_spring_festival_2026(cal):
    # Sat 28 Feb (make-up), 27…24, holiday 15–23 Feb, Sat 14 (make-up), 13…10.
    assert cal.latest_before(D("2026-03-02"), 10).date == D("2026-02-10")


def test_before_does_not_count_the_event_day(cal):
    assert cal.latest_before(D("2024-03-05"), 1).date == D("2024-03-04")
    assert cal.latest_before(D("2024-03-04"), 1).date == D("2024-03-01")


def test_year_without_data_is_provisional_with_fixed_date_holidays(cal):
    assert cal.day(D("2027-10-01")).workday is False
    assert cal.day(D("2027-05-03")).workday is True  # only 1–2 May are fixed by date
    assert cal.day(D("2027-10-04")).provisional is True
    deadline = cal.window_close(D("2027-09-28"), 5)
    assert (deadline.date, deadline.provisional) == (D("2027-10-05"), True)


def test_window_reaching_into_a_provisional_year_is_provisional(cal):
    deadline = cal.window_close(D("2026-12-28"), 5)
    assert deadline.provisional is True
    assert cal.window_close(D("2026-12-21"), 5).provisional is False


def test_bureau_file_makes_a_year_definitive():
    cal = WorkingCalendar.from_dir(EXAMPLES)
    deadline = cal.window_close(D("2027-09-28"), 5)
    assert (deadline.date, deadline.provisional) == (D("2027-10-09"), False)
    assert cal.is_workday(D("2027-02-20")) is True  # a make-up Saturday
    assert cal.is_workday(D("2027-02-08")) is False  # inside the Spring Festival period


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "2027.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_bureau_file_names_the_file_and_the_problem(tmp_path):
    path = _write(
        tmp_path,
        'year = 2027\nnotice = "x"\n[[holidays]]\nname = "a"\nfirst = 2027-02-05\n'
        "last = 2027-02-06\nmakeup = [2027-02-03]\n",
    )
    with pytest.raises(CalendarError, match=r"2027\.toml.*2027-02-03 is a Wednesday"):
        load_holiday_file(path)


def test_bureau_file_with_a_day_outside_its_year(tmp_path):
    _write(
        tmp_path,
        'year = 2027\nnotice = "x"\n[[holidays]]\nname = "a"\nfirst = 2026-12-31\nlast = 2027-01-01\n',
    )
    with pytest.raises(CalendarError, match="outside year 2027"):
        WorkingCalendar.from_dir(tmp_path)


def test_count_must_be_positive(cal):
    with pytest.raises(CalendarError, match="N is 0"):
        cal.window_close(D("2024-03-01"), 0)


def test_a_published_day_is_asked_of_the_package_once_a_process(monkeypatch, tmp_path):
    """Each question to chinesecalendar scans its whole table, so a count asks it about a day
    once; the answers are the package's, and a bureau's file for a year the package publishes
    still wins over it (and over what the package was asked before)."""
    import chinese_calendar

    from lifecycle import calendar as module

    asked: list[dt.date] = []
    detail = chinese_calendar.get_holiday_detail

    def counted(date: dt.date) -> tuple[bool, str | None]:
        asked.append(date)
        return detail(date)

    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", counted)
    module._packaged_day.cache_clear()
    cal = WorkingCalendar()
    first = cal.window_close(D("2025-09-28"), 5)
    again = cal.window_close(D("2025-09-28"), 5)
    # 28 September 2025 a make-up working day, 1-8 October off: the fifth day is 10 October
    assert first == again and first.date == D("2025-10-10")
    assert sorted(asked) == sorted(set(asked)) and len(asked) >= 5
    # A bureau's file for 2025 (not the notice: 9-10 October off too, no make-up day) answers
    # the year without the package, though the package's answers for it are held.
    (tmp_path / "2025.toml").write_text(
        'year = 2025\nnotice = "bureau"\n[[holidays]]\nname = "national day"\n'
        "first = 2025-10-01\nlast = 2025-10-10\n",
        encoding="utf-8",
    )
    filed = WorkingCalendar.from_dir(tmp_path)
    before = len(asked)
    deadline = filed.window_close(D("2025-09-28"), 5)
    assert deadline.date == D("2025-10-15") and len(asked) == before
    assert filed.is_workday(D("2025-09-28")) is False  # a Sunday, no make-up in this file
