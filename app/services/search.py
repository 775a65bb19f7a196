"""One search across investors (name, BIN), projects, agreements and sites, within the user's
scope."""
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import Agreement, IndustrialSite, Investor, Project
from ..scoping import read_clause

PER_KIND = 10
MIN_LENGTH = 2


@dataclass
class Hit:
    """One record found: what it is, its title, a detail line and its page."""

    kind: str
    title: str
    detail: str
    link: str


def like_pattern(text: str) -> str:
    """Return a LIKE pattern finding text anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def words_of(text, most: int = 6, longest: int = 200) -> list[str]:
    """Return the words of what a user typed into a search box, at most `most` of them."""
    return str(text or "")[:longest].split()[:most]


def every_word_found(words, found_by):
    """Return the condition that each word is found: found_by(pattern) is where one word's
    LIKE pattern is looked for, e.g. a name or a surname for "Айгуль Сапарова"."""
    return and_(*(found_by(like_pattern(word)) for word in words))


def search(session: Session, text: str) -> dict[str, list[Hit]]:
    """Return up to PER_KIND hits of each kind; a BIN finds its investor and its projects."""
    text = (text or "").strip()
    if len(text) < MIN_LENGTH:
        return {}
    like = like_pattern(text)
    digits = text.replace(" ", "")
    investors = session.execute(
        select(Investor).where(read_clause(Investor), or_(
            Investor.name.ilike(like, escape="\\"),
            Investor.bin.startswith(digits) if digits.isdigit() else False))
        .order_by(Investor.name).limit(PER_KIND)).scalars().all()
    projects = session.execute(
        select(Project).join(Project.investor).where(read_clause(Project), or_(
            Project.name.ilike(like, escape="\\"), Project.external_id == text,
            Investor.bin == digits if digits.isdigit() else False))
        .order_by(Project.volume.desc()).limit(PER_KIND)).scalars().all()
    agreements = session.execute(
        select(Agreement).where(read_clause(Agreement), or_(
            Agreement.title.ilike(like, escape="\\"), Agreement.parties.ilike(like, escape="\\")))
        .order_by(Agreement.signed_on.desc()).limit(PER_KIND)).scalars().all()
    sites = session.execute(
        select(IndustrialSite).where(read_clause(IndustrialSite),
                                     IndustrialSite.name.ilike(like, escape="\\"))
        .order_by(IndustrialSite.name).limit(PER_KIND)).scalars().all()
    return {
        "investors": [Hit("investor", i.name, i.bin or "", f"/investorview/show/{i.id}")
                      for i in investors],
        "projects": [Hit("project", p.name, str(p.stage), f"/projectview/show/{p.id}")
                     for p in projects],
        "agreements": [Hit("agreement", a.title, f"{a.signed_on:%d.%m.%Y}",
                           f"/agreementview/show/{a.id}") for a in agreements],
        "sites": [Hit("site", s.name, str(s.status), f"/industrialsiteview/show/{s.id}")
                  for s in sites],
    }
