"""What the API and UI fuzzers share: whose records a user may read, and how a leak is spotted.

A leak is another office's record in an answer. Every scoped record carries a label (its
name, title, subject ...); an answer naming a label that only unreadable records carry
shows a record the user may not read.
"""
from flask_appbuilder import Model
from sqlalchemy import false, select

from app import scoping
from app.extensions import db

from . import scenario

LABEL_COLUMNS = ("name", "title", "subject", "applicant_name", "username", "email")


def scoped_models() -> list:
    """Return every mapped model whose rows belong to an office (users included)."""
    return [m.class_ for m in Model.registry.mappers if scoping.is_scoped(m.class_)]


def scope_of(world, username: str) -> scoping.OfficeScope:
    """Return the office scope of a scenario user (tests/scenario.py), as the app computes it."""
    role, office = scenario.USERS[username]
    return scoping.build_scope(db.session, {role}, world["offices"][office])


def readable_ids(model, scope: scoping.OfficeScope) -> set:
    """Return the ids of model's records the scope may read."""
    return set(db.session.execute(select(model.id).where(scoping.read_clause(model, scope)))
               .scalars())


def shared_to_link(model):
    """Return which rows of model the catalogue shows every office, whom any record may name
    (a meeting on another office's pool project; models/catalogue.py)."""
    card = scoping.CARD_OF.get(model)
    return model.id.in_(select(card.id).where(card.__shared_rows__)) if card else false()


def foreign_labels(app, scope: scoping.OfficeScope) -> set:
    """Return the names and labels only records the scope may not read carry (shared lists
    and analyses, which every office reads, count as readable)."""
    return label_sets(app, scope)[0]


def label_sets(app, scope: scoping.OfficeScope) -> tuple[set, set]:
    """Return (labels only records the scope may not read carry, labels of every record it
    reads, reference data included)."""
    foreign, own = set(), set()
    with app.app_context():
        for mapper in Model.registry.mappers:
            model = mapper.class_
            if not scoping.is_scoped(model):
                if any(hasattr(model, column) for column in LABEL_COLUMNS[:4]):
                    for row in db.session.execute(select(model)).scalars():
                        own.update(_labels(row))
                continue
            readable = readable_ids(model, scope)
            for row in db.session.execute(select(model)).scalars():
                (own if row.id in readable else foreign).update(_labels(row))
                shared = scoping.is_shared(model) or scoping.is_catalogue(model)
                if shared and row.id in readable and hasattr(row, "owner_office"):
                    own.update(_labels(row.owner_office))  # who keeps a shared list is part of it
        db.session.rollback()
    return {label for label in foreign - own if len(label) > 5}, own


def _labels(row) -> set:
    values = (getattr(row, column, None) for column in LABEL_COLUMNS)
    return {str(row)} | {value for value in values if isinstance(value, str)}


def strings_in(value):
    """Yield every string in a JSON value, keys and values."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
