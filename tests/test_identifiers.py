"""BIN / IIN check digit: the official rule, computed here independently of the app's code."""
import pytest

from app.services.identifiers import is_valid_bin


def expected_check(body: str):
    """The rule as published: weights 1..11 mod 11; on 10, weights 3..11,1,2; 10 again: none."""
    first = sum(int(body[i]) * (i + 1) for i in range(11)) % 11
    if first != 10:
        return first
    second = sum(int(body[i]) * ((i + 2) % 11 + 1) for i in range(11)) % 11
    return None if second == 10 else second


@pytest.mark.parametrize("bin_", [
    "990340012345", "070140002222", "180540012343", "123456789013",
    # first pass gives 10, the second pass decides
    *[b + str(expected_check(b)) for b in ("00000000019", "10000000010")
      if expected_check(b) is not None],
])
def test_valid_bins_pass(bin_):
    assert expected_check(bin_[:11]) == int(bin_[11])
    assert is_valid_bin(bin_)


@pytest.mark.parametrize("bin_", [
    "990340012346", "123456789012", "180540012345", "12345", "1234567890AB", "",
    "9903400123450",
])
def test_invalid_bins_are_refused(bin_):
    assert not is_valid_bin(bin_)


def test_every_body_agrees_with_the_rule_including_bodies_with_no_valid_number():
    seen_second_pass = seen_impossible = False
    for n in range(0, 10 ** 11, 7_919_113):
        body = f"{n:011d}"
        check = expected_check(body)
        seen_second_pass |= sum(int(body[i]) * (i + 1) for i in range(11)) % 11 == 10
        seen_impossible |= check is None
        for digit in range(10):
            assert is_valid_bin(body + str(digit)) == (check == digit), body
    assert seen_second_pass and seen_impossible
