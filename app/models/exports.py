"""Large exports, built by the scheduler process rather than inside a web request."""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from .base import LabeledEnum, enum_column
from .org import OfficeUser
from .types import UtcDateTime


class ExportStatus(LabeledEnum):
    pending = "pending", _l("В очереди")
    running = "running", _l("Формируется")
    done = "done", _l("Готова")
    failed = "failed", _l("Ошибка")


class ExportJob(Model):
    """One user's request for a large workbook; its rows follow that user's office scope."""

    __tablename__ = "export_job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[ExportStatus] = enum_column(ExportStatus, nullable=False,
                                               default=ExportStatus.pending, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    rows: Mapped[Optional[int]] = mapped_column(Integer)
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    error: Mapped[Optional[str]] = mapped_column(String(255))

    user: Mapped[OfficeUser] = relationship()

    def __str__(self) -> str:
        return f"{self.kind} № {self.id}"
