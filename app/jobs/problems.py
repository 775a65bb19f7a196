"""The daily proposal of projects without movement to the Investment HQ (p. 7.2)."""
from datetime import date
from typing import Optional

from sqlalchemy.orm import Session

from ..clock import today_local
from ..services.problems import propose_stalled_projects
from .runs import run_once


def stalled_projects_daily(session: Session, today: Optional[date] = None) -> Optional[int]:
    """Propose the day's projects without movement once, whoever else runs the job."""
    today = today or today_local()
    return run_once(session, "propose_stalled_projects", today.isoformat(),
                    lambda: propose_stalled_projects(session, today))
