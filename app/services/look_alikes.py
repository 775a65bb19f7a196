"""Registered investors a new one resembles: the user sees their own scope's by name, and of
other offices' only that one exists.

Each investor keeps its name's key (``Investor.name_key``, set on every save by
``keep_name_keys``), so the look-alikes of a name are one indexed query, not a read of every
investor.
"""
import re
from dataclasses import dataclass, field
from typing import Optional

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Investor
from ..scoping import OfficeScope, read_clause

# The key a form or an API body sets to save a look-alike on purpose.
CONFIRM_FIELD = "confirm_similar"
# Legal forms and punctuation that do not tell two investors apart: «ТОО "Алма"» = «Алма ТОО».
LEGAL_FORMS = re.compile(r"\b(тоо|ао|ип|оао|зао|llp|llc|ltd|jsc|inc|gmbh|ag|co|corp|plc|sa)\b")
# The write lock a form or API add holds on a name key while it checks (services/locks.py).
LOOK_ALIKE_LOCK = "investor look-alikes:"
SHOWN = 5  # look-alikes a warning names; more are rare and the first ones tell enough
LOOKED_AT = 50  # rows one look reads at most (an index range, never the table)


def same_name_key(name: Optional[str]) -> str:
    """Return the investor's name stripped of case, quotes and legal form, to spot duplicates."""
    text = re.sub(r"[\"'«»“”„.,()\-]", " ", " ".join(str(name or "").split()).casefold())
    return " ".join(LEGAL_FORMS.sub(" ", text).split())


def keep_name_keys(session: Session, flush_context, instances) -> None:
    """Keep each new or changed investor's name key equal to its name's (a save effect)."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Investor):
            key = same_name_key(obj.name) or None
            if obj.name_key != key:
                obj.name_key = key


@dataclass(frozen=True)
class LookAlike:
    """A registered investor the user may read, with the page that shows it."""

    id: int
    name: str
    bin: Optional[str]

    @property
    def page(self) -> str:
        """Return the path of the investor's record page."""
        return f"/investorview/show/{self.id}"

    @property
    def label(self) -> str:
        """Return how a warning names it: «name» (BIN)."""
        return f"«{self.name}»" + (f" ({self.bin})" if self.bin else "")


@dataclass
class LookAlikes:
    """In-scope look-alikes; whether any is hidden in another office."""

    readable: list[LookAlike] = field(default_factory=list)
    elsewhere: bool = False


def look_alikes(session: Session, name: Optional[str],
                scope: Optional[OfficeScope] = None) -> LookAlikes:
    """Return the registered investors whose name, stripped of legal form, case, quotes and
    punctuation, equals this one's."""
    found = LookAlikes()
    key = same_name_key(name)
    if not key:
        return found
    rows = session.execute(select(Investor.id, Investor.name, Investor.bin,
                                  read_clause(Investor, scope))
                           .where(Investor.name_key == key)
                           .order_by(Investor.id).limit(LOOKED_AT))
    for investor_id, other, bin_, may_read in rows:
        if may_read:
            found.readable.append(LookAlike(investor_id, other, bin_))
        else:
            found.elsewhere = True
    return found


class LinkedMessage(str):
    """A message naming records. As text (the API's) each record is its label and its page's
    path; as HTML (the form's) each is a link to its page, the names escaped."""

    def __new__(cls, template, records: list[LookAlike]):
        text = str(template) % {"names": ", ".join(f"{r.label}: {r.page}" for r in records)}
        self = super().__new__(cls, text)
        links = Markup(", ").join(Markup('<a href="{}">{}</a>').format(r.page, r.label)
                                  for r in records)
        self._html = escape(str(template)) % {"names": links}
        return self

    def __html__(self) -> str:
        # FAB's form shows a field's errors through gettext, which formats them with %:
        # a % of a name is doubled so that it comes out as typed (docs/FAB-NOTES.md).
        return str(self._html).replace("%", "%%")
