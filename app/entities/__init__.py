"""The app's entities, each declared once (declaration.py says what a declaration holds).

A new entity is a model, its migration, an `Entity(...)` in one of these modules (or a new
module imported below), and its tests: app/surface.py serves it and security/roles.py
grants it from the declaration.
"""
from . import catalogue, directory, promotion, records, reporting, requests  # noqa: F401 (declare)
from .declaration import CATEGORIES, Access, Api, Entity, Page, declared

__all__ = ["CATEGORIES", "Access", "Api", "Entity", "Page", "declared", "entity_of"]


def entity_of(resource: str) -> Entity:
    """The entity whose permission resource is `resource`."""
    return next(entity for entity in declared() if entity.resource == resource)
