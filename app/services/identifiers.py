"""Kazakh business and personal identification numbers (БИН, ИИН): the official check digit."""
import re
from typing import Optional

TWELVE_DIGITS = re.compile(r"^\d{12}$")
FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(body: str) -> Optional[int]:
    """Return the check digit of an 11-digit BIN/IIN body, None when the number cannot exist."""
    # Weights 1..11 mod 11; a result of 10 means a second pass with weights 3..11, 1, 2;
    # 10 again means no number with this body is ever issued.
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        check = sum(int(digit) * weight for digit, weight in zip(body, weights)) % 11
        if check != 10:
            return check
    return None


def is_valid_bin(value: str) -> bool:
    """Return whether a 12-digit BIN or IIN ends with its check digit."""
    return bool(TWELVE_DIGITS.match(value)) and check_digit(value[:11]) == int(value[11])
