"""The password policy (OWASP ASVS 5.0, level 2): 12 to 128 characters, not a common password.

No composition rules (capitals, digits, symbols): they push people to predictable patterns,
while a long phrase of plain words is strong. FAB calls check_password wherever a password is
set through a form or the user API (config: FAB_PASSWORD_COMPLEXITY_VALIDATOR) and hashes
it with its own hasher.
"""
from functools import lru_cache

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the 30,000 most common passwords zxcvbn ships, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_password(password: str) -> None:
    """Raise PasswordComplexityValidationError saying what to change if the policy refuses it."""
    if len(password) < MIN_LENGTH:
        raise PasswordComplexityValidationError(_(
            "Пароль короче %(min)d символов. Удобнее всего длинная фраза из нескольких "
            "слов через пробел.", min=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordComplexityValidationError(_(
            "Пароль длиннее %(max)d символов: сократите его.", max=MAX_LENGTH))
    if password.lower() in common_passwords():
        raise PasswordComplexityValidationError(_(
            "Это один из самых распространённых паролей, его подбирают первым. "
            "Выберите другой, например фразу из нескольких слов."))
