"""Registered investors a new one resembles: the user sees their own scope's by name, and of
other offices' only that one exists."""
import re
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Investor
from ..scoping import read_clause

# The key a form or an API body sets to save a look-alike on purpose.
CONFIRM_FIELD = "confirm_similar"
# Legal forms and punctuation that do not tell two investors apart: «ТОО "Алма"» = «Алма ТОО».
LEGAL_FORMS = re.compile(r"\b(тоо|ао|ип|оао|зао|llp|llc|ltd|jsc|inc|gmbh|ag|co|corp|plc|sa)\b")


def same_name_key(name: str) -> str:
    """Return the investor's name stripped of case, quotes and legal form, to spot duplicates."""
    text = re.sub(r"[\"'«»“”„.,()\-]", " ", " ".join(str(name).split()).casefold())
    return " ".join(LEGAL_FORMS.sub(" ", text).split())


@dataclass
class LookAlikes:
    """In-scope look-alikes as (id, name, BIN); whether any is hidden in another office."""

    readable: list = field(default_factory=list)
    elsewhere: bool = False


def look_alikes(session: Session, name: Optional[str]) -> LookAlikes:
    """Return the registered investors whose name, stripped of legal form, case, quotes and
    punctuation, equals this one's."""
    found = LookAlikes()
    key = same_name_key(name or "")
    if not key:
        return found
    rows = session.execute(select(Investor.id, Investor.name, Investor.bin,
                                  read_clause(Investor)).order_by(Investor.id))
    for investor_id, other, bin_, readable in rows:
        if same_name_key(other) != key:
            continue
        if readable:
            found.readable.append((investor_id, other, bin_))
        else:
            found.elsewhere = True
    return found
