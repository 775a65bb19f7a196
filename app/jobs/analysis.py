"""The daily analytics job: remind offices of passports and country analyses due an update."""
from datetime import date
from typing import Optional

from sqlalchemy.orm import Session

from ..clock import today_local
from ..services.analysis import remind_stale
from .runs import run_once


def analysis_daily(session: Session, today: Optional[date] = None) -> Optional[int]:
    """Send the day's update reminders once, whoever else runs the job; return how many."""
    today = today or today_local()
    return run_once(session, "remind_stale_analysis", today.isoformat(),
                    lambda: remind_stale(session, today))
