"""Files attached to records: a signed MoU, a receipt scan, a presentation.

The bytes live in the storage folder (IRM_DOCUMENT_DIR), named by the row's storage key;
the row says which record the file belongs to, so downloads follow that record's scoping.
"""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now_utc
from .org import OfficeUser
from .types import UtcDateTime


class Document(Model):
    """One stored file and the record it is attached to."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_record", "record_type", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64), nullable=False)  # the model's table
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(128), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=now_utc)

    uploaded_by: Mapped[Optional[OfficeUser]] = relationship()

    def __str__(self) -> str:
        return self.filename
