"""Signed-in sessions kept on the server, so that logout and deactivation end them everywhere."""
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now_utc
from .types import UtcDateTime


class UserSession(Model):
    """One sign-in of a user in one browser; the cookie holds its id, the table its hash."""

    __tablename__ = "user_session"
    # sha256 of the random id in the cookie: a copy of this table cannot sign anyone in.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"),
                                         nullable=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now_utc, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now_utc, nullable=False)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UtcDateTime)
    end_reason: Mapped[Optional[str]] = mapped_column(String(32))
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    user_agent: Mapped[Optional[str]] = mapped_column(String(300))

    __table_args__ = (Index("ix_user_session_user_open", "user_id", "ended_at"),)
