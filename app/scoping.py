"""Office scoping: the one choke point deciding which records a user may read and write.

Every record belongs to a front office (its ``__office_column__``, by default
``owner_office_id``). A user's roles and office give an OfficeScope; the scope
turns into a SQL clause per model. Views, APIs, form dropdowns, bulk actions and
custom routes all ask this module, so a rule changes in one place.

- Admin: everything. Authority: reads everything, writes KPI targets.
- Each other role: its own office's records, and the offices ``ROLE_REACH`` gives it; a
  model's ``__also_read_by__`` columns name more offices that read a record (the office
  that offered a project reads the hand-over, and the project once handed over).
- TaskForce: also every project routed to the Task Force (p. 5).
- Shared lists and analyses (``__shared_read__``): every office reads, the owner writes;
  ``__shared_rows__`` narrows which rows (the pool's projects, foreign investors).
- Catalogue cards (``__catalogue__``, models/catalogue.py): shared, and no one writes them.
- A record may link to what its office reads and to what the catalogue shares (an embassy's
  meeting on another office's pool project); a model whose ``__read_through__`` names a link
  is also read by the offices that change the linked record (the project's owner reads it).
"""
from dataclasses import dataclass, field
from typing import Any, Optional

from flask import abort, g, has_app_context, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select, true
from sqlalchemy.orm import Session

from . import role_names as roles
from .models import (
    NATIONAL_COMPANY_KINDS,
    ForeignInvestorCard,
    FrontOffice,
    Investor,
    KpiTarget,
    OfficeKind,
    OfficeLevel,
    PoolProjectCard,
    Project,
    RoutingLevel,
)
from .models.any_of import any_of
from .models.handover import HandoverStatus, ProjectHandover
from .models.request_local import state


@dataclass(frozen=True)
class OfficeScope:
    """What one user may read and write, as office ids plus a few role-wide grants."""

    read_all: bool = False
    write_all: bool = False
    read_office_ids: frozenset = field(default_factory=frozenset)
    write_office_ids: frozenset = field(default_factory=frozenset)
    task_force_projects: bool = False  # projects routed to the Task Force, read and write
    kpi_admin: bool = False  # may set KPI targets for any office
    own_office_id: Optional[int] = None


# The offices whose records a role reads and writes besides its own office's (p. 2.2-1, 3,
# 18): the NC keeps its own units' records (the Task Force, regional representations and
# offices abroad) and the regional organizations' it consolidates, and reads the central
# offices it reports on; it changes nothing the authorized body or another central body
# keeps. The Task Force reads the National Company's records.
_NC_UNITS = FrontOffice.kind.in_(NATIONAL_COMPANY_KINDS)
_REGIONAL_OFFICES = FrontOffice.kind.in_((OfficeKind.regional_org, OfficeKind.local_body))
ROLE_REACH = {
    roles.NATIONAL_COMPANY: {"read": _NC_UNITS | _REGIONAL_OFFICES
                             | (FrontOffice.level == OfficeLevel.central),
                             "write": _NC_UNITS | _REGIONAL_OFFICES},
    roles.TASK_FORCE: {"read": _NC_UNITS},
}


def build_scope(session: Session, role_names: set[str],
                own_office_id: Optional[int]) -> OfficeScope:
    """Return the scope for a user with these roles in this office."""
    if roles.ADMIN in role_names:
        return OfficeScope(read_all=True, write_all=True, kpi_admin=True,
                           own_office_id=own_office_id)
    own = frozenset([own_office_id]) if own_office_id else frozenset()
    read, write = set(own), set(own)
    for role in role_names & ROLE_REACH.keys():
        reach = ROLE_REACH[role]
        read |= _office_ids(session, reach["read"])
        write |= _office_ids(session, reach["write"]) if "write" in reach else set()
    authority = roles.AUTHORITY in role_names
    return OfficeScope(read_all=authority, read_office_ids=frozenset(read),
                       write_office_ids=frozenset(write),
                       task_force_projects=roles.TASK_FORCE in role_names,
                       kpi_admin=authority, own_office_id=own_office_id)


def _office_ids(session: Session, condition) -> set[int]:
    return set(session.execute(select(FrontOffice.id).where(condition)).scalars())


def current_scope() -> OfficeScope:
    """Return the signed-in user's scope, computed once per request (or background job)."""
    from .extensions import db

    user = getattr(g, "user", None) if has_app_context() else None
    if user is None or not getattr(user, "is_authenticated", False):
        return OfficeScope()
    remembered = state()
    cached = remembered.office_scope
    if cached is None or cached[0] != user.id:  # a job may act for several users in turn
        cached = (user.id, build_scope(db.session, {r.name for r in user.roles},
                                       getattr(user, "front_office_id", None)))
        remembered.office_scope = cached
    return cached[1]


def is_scoped(model: type) -> bool:
    """Return whether records of this model belong to an office."""
    return office_column(model) is not None


def office_column(model: type):
    """Return the model's owning-office column, or None for shared reference data."""
    name = getattr(model, "__office_column__", "owner_office_id")
    return getattr(model, name, None)


def is_shared(model: type) -> bool:
    """Return whether every office may read the model's records (lists and analyses that
    exist to be passed on); writing stays with the keeping office."""
    return getattr(model, "__shared_read__", False)


def is_catalogue(model: type) -> bool:
    """Return whether the model is a read-only card of another office's records."""
    return getattr(model, "__catalogue__", False)


def shared_rows(model: type):
    """Return which rows of a shared model every office reads (all, unless it narrows them)."""
    rows = getattr(model, "__shared_rows__", None)
    return true() if rows is None else rows


def read_clause(model: type, scope: Optional[OfficeScope] = None):
    """Return a SQL condition selecting the rows of model the scope may read."""
    scope = scope or current_scope()
    column = office_column(model)
    if is_catalogue(model):  # a card shows its rows alone, to the administrator too
        return shared_rows(model)
    if column is None or scope.read_all:
        return true()
    if is_shared(model):
        return shared_rows(model)
    clause = _office_in(column, scope.read_office_ids)
    for reader in getattr(model, "__also_read_by__", ()):
        clause = clause | _office_in(getattr(model, reader), scope.read_office_ids)
    if model is Project:
        # A project handed over to its level's office stays readable by the one that offered it.
        clause = clause | any_of(Project.id, select(ProjectHandover.project_id).where(
            ProjectHandover.status == HandoverStatus.accepted,
            _office_in(ProjectHandover.from_office_id, scope.read_office_ids)))
        if scope.task_force_projects:
            clause = clause | (Project.routing_level == RoutingLevel.task_force)
    through = getattr(model, "__read_through__", None)
    if through is not None:
        clause = clause | _links_to_writable(model, through, scope)
    return clause


def _office_in(column, office_ids):
    return column.in_(sorted(office_ids)) if office_ids else false()


def _links_to_writable(model: type, relationship: str, scope: OfficeScope):
    """Return a condition: the record links, through relationship, to one the scope changes
    (an embassy's meeting on a region's pool project is read by the region)."""
    rel = model.__mapper__.relationships[relationship]
    target = rel.mapper.class_
    return any_of(next(iter(rel.local_columns)),
                  select(target.id).where(write_clause(target, scope)))


# The card through which every office reads some of a model's records (models/catalogue.py).
CARD_OF = {Project: PoolProjectCard, Investor: ForeignInvestorCard}


def link_clause(model: type, scope: Optional[OfficeScope] = None):
    """Return a SQL condition selecting the rows of model a record may link to: those the
    scope reads, and those the catalogue shares with every office."""
    scope = scope or current_scope()
    clause = read_clause(model, scope)
    card = CARD_OF.get(model)
    if card is not None and not scope.read_all:
        clause = clause | model.id.in_(select(card.id).where(read_clause(card, scope)))
    return clause


def write_clause(model: type, scope: Optional[OfficeScope] = None):
    """Return a SQL condition selecting the rows of model the scope may change."""
    scope = scope or current_scope()
    column = office_column(model)
    if is_catalogue(model):
        return false()
    if column is None or scope.write_all:
        return true()
    if model is KpiTarget:
        return true() if scope.kpi_admin else false()
    clause = column.in_(sorted(scope.write_office_ids)) if scope.write_office_ids else false()
    if model is Project and scope.task_force_projects:
        clause = clause | (Project.routing_level == RoutingLevel.task_force)
    return clause


def may_assign_office(session: Session, office_id: Optional[int],
                      model: type = None, scope: Optional[OfficeScope] = None) -> bool:
    """Return whether the scope may make office_id the owner of a record of model."""
    scope = scope or current_scope()
    if office_id is None:
        return False
    if scope.write_all or (model is KpiTarget and scope.kpi_admin):
        return True
    return office_id in scope.write_office_ids


def assign_default_office(item) -> None:
    """Give a new record without an owner office the user's own office."""
    rel = owner_relationship(type(item))
    if rel is not None and getattr(item, rel) is None:
        column = office_column(type(item)).key
        if getattr(item, column, None) is None:
            setattr(item, column, current_scope().own_office_id)


# Ids are INTEGER columns: 32 bits on PostgreSQL, which refuses a larger number (a 500).
MAX_ID = 2**31 - 1


def as_id(pk: Any) -> Optional[int]:
    """Return the primary key from a URL as an int, None if it is not one any record can have."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_ID else None


def record_for_view(session: Session, model: type, pk: Any, base_filters=None,
                    write: bool = False):
    """Fetch the record a view or API shows by id, or answer 404 (403 if write and read-only).

    The one way a route turns an id into a record: the office scope and the view's own
    base filters (a user's notices, a queue's status) in one query, so an id outside
    either is answered as if it did not exist.
    """
    pk = as_id(pk)
    item = None
    if pk is not None:
        query = session.query(model)
        if base_filters is not None:
            query = base_filters.apply_all(query)
        item = query.filter(model.id == pk, read_clause(model)).one_or_none()
    if item is None:
        abort(404)
    if write and not is_writable(session, model, pk):
        abort(403)
    return item


def get_linkable(session: Session, model: type, pk: Any):
    """Return the record a form may link to by id: one the user may read, or a current link
    of the record being edited; None otherwise (so a refused id shows nothing of it)."""
    pk = as_id(pk)
    if pk is None:
        return None
    clause = link_clause(model)
    record = state().record_in_edit if has_request_context() else None
    if record is not None:
        mapper = type(record).__mapper__
        current = {getattr(record, mapper.get_property_by_column(column).key)
                   for rel in mapper.relationships
                   if rel.direction.name == "MANYTOONE" and rel.mapper.class_ is model
                   for column in rel.local_columns} - {None}
        if current:
            clause = clause | model.id.in_(current)
    return session.execute(select(model).where(model.id == pk, clause)).scalar_one_or_none()


def is_writable(session: Session, model: type, pk: Any) -> bool:
    """Return whether the record exists and the user may change it."""
    pk = as_id(pk)
    return pk is not None and session.execute(
        select(model.id).where(model.id == pk, write_clause(model))
    ).first() is not None


def writable_ids(session: Session, model: type, ids) -> set[int]:
    """Return which of the records (a page of a list) the user may change, in one query."""
    ids = list(ids)
    if not ids:
        return set()
    return set(session.execute(
        select(model.id).where(model.id.in_(ids), write_clause(model))).scalars())


OUT_OF_SCOPE = _l("Запись не найдена или недоступна вашему офису.")
OFFICE_NOT_WRITABLE = _l("Ваш офис не может вносить записи за этот офис.")


def out_of_scope_links(session: Session, model: type, values: dict,
                       item_id: Optional[int] = None) -> dict[str, str]:
    """Return {field: error} for linked records the user may not use in a record of model.

    ``values`` maps relationship names to related objects (as forms and schemas give them).
    Links an existing record already has are left alone: a Task Force officer may edit
    a project the NC owns without re-owning it.
    """
    linked = {name for name, rel in model.__mapper__.relationships.items()
              if not rel.uselist and values.get(name) is not None}
    if not linked:
        return {}
    stored = _stored_links(session, model, item_id)
    errors = {}
    for name, rel in model.__mapper__.relationships.items():
        target = values.get(name)
        if rel.uselist:
            continue  # collections link reference data (services of an application)
        if target is None or stored.get(name) == target.id:
            continue
        if name == owner_relationship(model):
            if not may_assign_office(session, target.id, model):
                errors[name] = str(OFFICE_NOT_WRITABLE)
            continue
        related = rel.mapper.class_
        if is_scoped(related) and related is not FrontOffice:
            visible = session.execute(
                select(related.id).where(related.id == target.id, link_clause(related))
            ).first()
            if visible is None:
                errors[name] = str(OUT_OF_SCOPE)
    return errors


def _stored_links(session: Session, model: type, item_id: Optional[int]) -> dict[str, Any]:
    """Return {relationship: id} as saved in the database for an existing record."""
    if item_id is None:
        return {}
    links = {name: next(iter(rel.local_columns))
             for name, rel in model.__mapper__.relationships.items()
             if rel.direction.name == "MANYTOONE"}
    if not links:
        return {}
    with session.no_autoflush:
        row = session.execute(
            select(*links.values()).where(model.id == item_id)
        ).first()
    return dict(zip(links, row)) if row else {}


def _current_link(foreign_key: Optional[str]) -> Optional[int]:
    """Return what the record being edited links to through foreign_key, if anything.

    An edit form must keep offering a record's existing links, even ones outside the
    editor's own scope (a Task Force officer editing a project an embassy owns).
    """
    if not foreign_key or not has_request_context():
        return None
    record = state().record_in_edit
    return getattr(record, foreign_key, None) if record is not None else None


class OfficeScopeFilter(BaseFilter):
    """FAB filter limiting a query to the rows the current user may read.

    As a base filter its value is ``lambda: None``; in a dropdown it names the foreign
    key of the form's record, whose current value stays selectable.
    """

    name = "office scope"
    arg_name = None

    def apply(self, query, foreign_key):
        clause = self.clause(self.model)
        current = _current_link(foreign_key())
        if current is not None:
            clause = clause | (self.model.id == current)
        return query.filter(clause)

    @staticmethod
    def clause(model: type):
        return read_clause(model)


class LinkableFilter(OfficeScopeFilter):
    """FAB filter for a form's dropdown of linked records: what the record may link to."""

    name = "linkable"

    @staticmethod
    def clause(model: type):
        return link_clause(model)


class WritableOfficeFilter(BaseFilter):
    """FAB filter for owner-office dropdowns: offices the user may write for, and the current."""

    name = "writable offices"
    arg_name = None

    def apply(self, query, owning_model):
        model = owning_model()
        scope = current_scope()
        if scope.write_all or (model is KpiTarget and scope.kpi_admin):
            return query
        ids = set(scope.write_office_ids)
        current = _current_link(office_column(model).key)
        if current is not None:
            ids.add(current)
        return query.filter(FrontOffice.id.in_(sorted(ids)) if ids else false())


def owner_relationship(model: type) -> Optional[str]:
    """Return the name of the relationship to the record's owning office, if any."""
    column = office_column(model)
    if column is None or model is FrontOffice:
        return None
    for name, rel in model.__mapper__.relationships.items():
        if rel.mapper.class_ is FrontOffice and column.key in {c.key for c in rel.local_columns}:
            return name
    return None


def scoped_rel_filters(model: type, columns) -> dict[str, list]:
    """Return FAB query_rel_fields so no dropdown on model lists out-of-scope records."""
    result = {}
    for name in columns:
        rel = model.__mapper__.relationships.get(name)
        if rel is None:
            continue
        related = rel.mapper.class_
        if name == owner_relationship(model):
            result[name] = [["id", WritableOfficeFilter, lambda: model]]
        elif is_scoped(related):
            foreign_key = next(iter(rel.local_columns)).key
            result[name] = [["id", LinkableFilter, lambda fk=foreign_key: fk]]
    return result
