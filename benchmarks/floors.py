"""Floors: the bare SQL each page cannot do without, to compare the page's time against.

A paginated list cannot avoid counting its rows, so list floors are the rows query
plus the count; a record page is one row with its linked names.
"""
from typing import Optional

from sqlalchemy import func, or_, select

from app.models import Agreement, FrontOffice, IndustrialSite, Investor, Project, Region, Sector

P, INV, R = Project.__table__, Investor.__table__, Region.__table__
S, OFF = Sector.__table__, FrontOffice.__table__
PAGE_SIZE = 25


def _project_with_names():
    """Project columns with the names its list shows: investor, region, sector, office."""
    return (select(P, INV.c.name.label("investor_name"), INV.c.bin.label("investor_bin"),
                   R.c.code.label("region_code"), R.c.name_ru.label("region_name"),
                   S.c.code.label("sector_code"), S.c.name_ru.label("sector_name"),
                   OFF.c.name.label("office_name"))
            .join_from(P, INV, P.c.investor_id == INV.c.id)
            .join(R, P.c.region_id == R.c.id).join(S, P.c.sector_id == S.c.id)
            .join(OFF, P.c.owner_office_id == OFF.c.id))


def project_list(order=None, where=None, page: int = 0) -> list:
    """The rows of one list page (25, ordered, offset) and the count of all matching rows.

    The page's ids are picked first and only those 25 rows joined to their names: joining
    before a deep OFFSET would join every skipped row, and the floor is the best case.
    """
    ids = select(P.c.id)
    count = select(func.count()).select_from(P)
    if where is not None:
        ids, count = ids.where(where), count.where(where)
    if order is not None:
        ids = ids.order_by(*order)
    ids = ids.limit(PAGE_SIZE).offset(page * PAGE_SIZE).subquery()
    rows = _project_with_names().join(ids, P.c.id == ids.c.id)
    if order is not None:
        rows = rows.order_by(*order)
    return [rows, count]


def by_volume(page: int = 0, where=None) -> list:
    """The list's default order: largest volume first."""
    return project_list([P.c.volume.desc()], where, page)


def by_name() -> list:
    """The list sorted by project name."""
    return project_list([P.c.name.asc()])


def by_stage(stage: str) -> list:
    """The list filtered to one stage, largest volume first."""
    return by_volume(where=P.c.stage == stage)


def of_office(office_id: int) -> list:
    """The list as a user of one office sees it: that office's projects only."""
    return by_volume(where=P.c.owner_office_id == office_id)


def api_list() -> list:
    """The API's default page: no order asked for, none given."""
    return project_list()


def record(project_id: int) -> list:
    """One project with its linked names, as its record page shows it."""
    return [_project_with_names().where(P.c.id == project_id)]


def search(text: str, per_kind: int = 10) -> list:
    """The four look-ups of a global search, with the same LIKE patterns and limits."""
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    A, X = Agreement.__table__, IndustrialSite.__table__
    return [
        select(INV).where(INV.c.name.ilike(like, escape="\\"))
        .order_by(INV.c.name).limit(per_kind),
        select(P).join_from(P, INV, P.c.investor_id == INV.c.id)
        .where(or_(P.c.name.ilike(like, escape="\\"), P.c.external_id == text))
        .order_by(P.c.volume.desc()).limit(per_kind),
        select(A).where(or_(A.c.title.ilike(like, escape="\\"),
                            A.c.parties.ilike(like, escape="\\")))
        .order_by(A.c.signed_on.desc()).limit(per_kind),
        select(X).where(X.c.name.ilike(like, escape="\\")).order_by(X.c.name).limit(per_kind),
    ]


def run(engine, statements: Optional[list]) -> None:
    """Run the statements on one pooled connection and fetch every row, as a page would."""
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(statement).all()
