"""What the app serves, from the entity declarations (app/entities): each entity's pages and
menu entries, and its REST resource."""
from flask_appbuilder import AppBuilder
from werkzeug.utils import import_string

from .api.base import plain_api
from .entities import CATEGORIES, declared
from .views.base import plain_view


def _class(path: str) -> type:
    return import_string(path.replace(":", "."))


def _menu_order(entities):
    """Pages by menu category (CATEGORIES' order), then in the order they were declared."""
    categories = list(CATEGORIES)
    pages = [(entity, page) for entity in entities for page in entity.pages]
    return sorted(pages, key=lambda pair: (categories.index(pair[1].category)
                                           if pair[1].category else len(categories)))


def register_entities(appbuilder: AppBuilder, entities=None) -> None:
    """Add every declared entity's views, links and REST resource to the app."""
    entities = declared() if entities is None else entities
    for entity, page in _menu_order(entities):
        menu = {"label": page.label, "icon": page.icon, "category": page.category,
                "category_label": CATEGORIES.get(page.category, "")}
        if page.href:
            appbuilder.add_link(page.menu, href=page.href, **menu)
            continue
        view = _class(page.view) if page.view else plain_view(entity)
        if page.menu:
            appbuilder.add_view(view, page.menu, **menu)
        else:
            appbuilder.add_view_no_menu(view)
    for entity in entities:
        if entity.api is not None:
            appbuilder.add_api(_class(entity.api.cls) if entity.api.cls else plain_api(entity))
