"""Unified social credit codes, GB 32100-2015."""

from hypothesis import given
from hypothesis import strategies as st

from lifecycle.domain.credit_code import ALPHABET, check_character, complete, is_valid, problem

bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def test_published_codes_are_valid():
    # The code commonly quoted as the standard's worked example.
    assert is_valid("91350100M000100Y43")


def test_weights_and_check_character():
    assert check_character("91350100M000100Y4") == "3"
    assert check_character("00000000000000000") == "0"


def test_reasons_name_what_is_wrong():
    assert "has 17 characters" in problem("91350100M000100Y4")
    assert "'I' at position 9" in problem("91350100I000100Y43")
    assert "capitals" in problem("91350100m000100Y43")
    assert "should be '3'" in problem("91350100M000100Y44")


@given(bodies, st.integers(0, 17), st.sampled_from(ALPHABET))
def test_every_single_substitution_is_caught(body, position, char):
    code = complete(body)
    if code[position] == char:
        return
    assert not is_valid(code[:position] + char + code[position + 1 :])


@given(bodies, st.integers(0, 16))
def test_every_adjacent_swap_is_caught(body, position):
    code = complete(body)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    assert not is_valid(code[:position] + b + a + code[position + 2 :])


@given(bodies)
def test_exhaustively_for_one_code(body):
    code = complete(body)
    assert is_valid(code)
    for position in range(18):
        for char in ALPHABET.replace(code[position], ""):
            assert not is_valid(code[:position] + char + code[position + 1 :])
