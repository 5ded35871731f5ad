"""What an action carries (--data), each field refused in one sentence naming the key, the
value and what it must be."""

import pytest

from lifecycle.domain.phases import fields


@pytest.mark.parametrize(
    ("read", "data", "message"),
    [
        (
            lambda d: fields.integer(d, "n", 1, 9),
            {"n": 0},
            "data n is 0; it must be a whole number from 1 to 9.",
        ),
        (
            lambda d: fields.integer(d, "n"),
            {"n": True},
            "data n is True; it must be a whole number 0 or more.",
        ),
        (lambda d: fields.date(d, "day"), {"day": "2026/03/01"}, "data day is 2026/03/01"),
        (
            lambda d: fields.choice(d, "kind", ["a", "b"]),
            {},
            "data kind is None; it must be one of a, b.",
        ),
        (lambda d: fields.code(d, "enterprise"), {"enterprise": "123"}, "data enterprise"),
    ],
)
def test_a_field_that_does_not_fit_is_one_sentence(read, data, message):
    with pytest.raises(fields.FieldError) as refused:
        read(data)
    assert str(refused.value).startswith(message)


def test_a_reading_check_turns_a_field_error_into_its_refusal():
    check = fields.reading(lambda case, pack, action: fields.integer({"n": -1}, "n"))
    assert check(None, None, None) == "data n is -1; it must be a whole number 0 or more."
