"""Shared pieces of the domain models: labelled enums, localized names, timestamps."""
from datetime import datetime
from enum import Enum
from typing import Optional

from flask_babel import get_locale
from sqlalchemy import Enum as SAEnum
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..clock import now_utc
from .types import UtcDateTime


class LabeledEnum(str, Enum):
    """A str enum whose members carry a translatable label; str() gives the label.

    Member names equal their values, so FAB's form and the database agree.
    """

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    def __str__(self) -> str:
        return str(self.label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for a select box."""
        return [(m.value, str(m.label)) for m in cls]


def enum_column(enum_cls: type[LabeledEnum], **kwargs) -> Mapped:
    """Return a portable VARCHAR enum column (no native PostgreSQL enum types to migrate)."""
    return mapped_column(
        SAEnum(enum_cls, native_enum=False, length=32, validate_strings=True,
               create_constraint=False),
        **kwargs,
    )


def current_language() -> str:
    """Return the two-letter language of the request, 'ru' outside a request."""
    try:
        locale = get_locale()
    except (RuntimeError, KeyError):
        return "ru"
    return locale.language if locale else "ru"


def in_language(russian: str, kazakh: Optional[str], english: Optional[str]) -> str:
    """Return the name in the user's language, the Russian one when that is missing."""
    chosen = {"kk": kazakh, "en": english}.get(current_language())
    return chosen or russian


class LocalizedNameMixin:
    """Reference data named in Russian, Kazakh and English; str() follows the user's language."""

    name_ru: Mapped[str] = mapped_column(String(200), nullable=False)
    name_kk: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)

    @property
    def name(self) -> str:
        return in_language(self.name_ru, self.name_kk, self.name_en)

    local_name = name

    def __str__(self) -> str:
        return self.name


class TranslatedNameMixin:
    """A directory record whose `name` is Russian, with optional Kazakh and English names.

    str() and `local_name` give the name in the user's language, falling back to Russian;
    `name` stays the Russian one that code, imports and the CLI look records up by.
    """

    name_kk: Mapped[Optional[str]] = mapped_column(String(255))
    name_en: Mapped[Optional[str]] = mapped_column(String(255))

    @property
    def local_name(self) -> str:
        return in_language(self.name, self.name_kk, self.name_en)

    def names(self) -> dict:
        """Return the three names as a snapshot keeps them (views show them by `local_name`)."""
        return {"name": self.name, "name_kk": self.name_kk, "name_en": self.name_en}

    def __str__(self) -> str:
        return self.local_name


class TimestampMixin:
    """Creation and last-change moments, stored in UTC."""

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now_utc, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=now_utc, onupdate=now_utc, nullable=False
    )


class VersionedMixin:
    """Optimistic locking: each save checks the version it read and counts it up.

    Two people editing one record: the second save finds the version moved on and is
    refused (views/base.py, api/base.py) instead of silently overwriting the first.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}

    @property
    def edited_version(self) -> int:
        """The version an edit form shows (and posts back); see services/versions.py."""
        return self.version

    @edited_version.setter
    def edited_version(self, value) -> None:
        pass  # the form writes it back on save; the version is the database's to count
