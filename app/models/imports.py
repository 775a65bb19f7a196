"""Spreadsheet imports: checked in a dry run, then written all or nothing, in the background."""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from .base import LabeledEnum, enum_column
from .org import OfficeUser
from .types import UtcDateTime


class ImportKind(LabeledEnum):
    investors = "investors", _l("Инвесторы")
    projects = "projects", _l("Инвестиционные проекты (единый пул)")
    niche_projects = "niche_projects", _l("Нишевые проекты")


class ImportStatus(LabeledEnum):
    checking = "checking", _l("Проверяется")
    checked = "checked", _l("Проверен: можно записать")
    invalid = "invalid", _l("Есть ошибки: ничего не записано")
    writing = "writing", _l("Записывается")
    done = "done", _l("Записан")
    failed = "failed", _l("Не записан: ошибка")


# A worker picks these up (the web process at once, the scheduler if that one died).
PENDING = {ImportStatus.checking: "check", ImportStatus.writing: "write"}


class ImportJob(Model):
    """One uploaded file: who sent it, what the dry run found, what was written."""

    __tablename__ = "import_job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    kind: Mapped[ImportKind] = enum_column(ImportKind, nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    status: Mapped[ImportStatus] = enum_column(ImportStatus, nullable=False, index=True,
                                               default=ImportStatus.checking)
    # Claimed by one worker at a time: a second one skips a job whose claim is fresh.
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    rows_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # [{"row": 7, "column": "БИН", "message": "..."}], the first few hundred only.
    errors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warnings: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)

    user: Mapped[OfficeUser] = relationship()

    def __str__(self) -> str:
        return f"{self.file_name} № {self.id}"
