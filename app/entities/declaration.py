"""What an entity declaration says: its model, who may read and write it, its pages and
menu entries, its REST resource and the fields its forms and API accept.

One `Entity(...)` per domain entity, in a module of this package, is all the app needs to
serve it: app/surface.py registers its views, its API and its menu entries, and
security/roles.py grants its permissions from `access` and `grants`.
"""
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping, Optional

from flask_babel import lazy_gettext as _l

from .labels import FIELD_LABELS

# Menu categories, in the order of the menu bar.
CATEGORIES = {
    "Records": _l("Реестр"),
    "Promotion": _l("Продвижение"),
    "Analytics": _l("Аналитика"),
    "Requests": _l("Запросы инвесторов"),
    "Reporting": _l("Отчётность"),
    "KPI": _l("KPI"),
    "Reference data": _l("Справочники"),
    "Control": _l("Контроль"),
}


class Access(Enum):
    """Who reads and who writes an entity's records (security/roles.py turns it into grants).

    Within what a role may touch, the office scoping (scoping.py) decides which
    records: an office's own, its subordinates', or, for shared models, everyone's.
    """

    RECORD = "record"  # every role reads; front offices write their own
    IMPORT = "import"  # front offices load their own records from Excel
    CATALOGUE = "catalogue"  # every role reads; no one writes (cards of others' records)
    KPI = "kpi"  # every role reads; the authorized body writes
    DIRECTORY = "directory"  # every role reads; the administrator writes
    REFERENCE = "reference"  # every role reads; the administrator writes
    OWN = "own"  # each user reads and writes their own (notices, exports)
    AUDIT = "audit"  # the authorized body reads; no one writes


@dataclass(frozen=True)
class Page:
    """A page of the entity: a view class ("module:Class"), or a link, and its menu entry.

    A page without `menu` is served but not in the menu (reached from other pages).
    """

    view: str = ""
    menu: str = ""  # FAB's menu name: also the name of its menu_access permission
    label: Any = None
    icon: str = ""
    category: str = ""
    href: str = ""  # a link into another page (a filtered list), instead of a view


@dataclass(frozen=True)
class Api:
    """The entity's REST resource at /api/v1/<name>/: what it lists, shows and sorts by.

    `cls` names a class of its own ("module:Class") when the resource has endpoints beyond
    FAB's CRUD; otherwise the app builds a plain scoped one.
    """

    name: str
    list_columns: tuple[str, ...]
    show_columns: tuple[str, ...] = ()  # beyond list_columns
    order_columns: tuple[str, ...] = ()
    cls: str = ""


@dataclass(frozen=True, eq=False)  # compared and hashed as itself: one declaration each
class Entity:
    """One domain entity as users meet it. `resource` is the permission resource its views
    and API share (can_read, can_write, and the `grants`)."""

    resource: str
    model: Optional[type]
    access: Access
    pages: tuple[Page, ...] = ()
    api: Optional[Api] = None
    add_columns: tuple[str, ...] = ()  # the fields of the add form and of the API's POST
    edit_columns: Optional[tuple[str, ...]] = None  # of the edit form and PUT; default: add
    search_columns: tuple[str, ...] = ()  # the list's filters, on the page and in the API
    list_columns: tuple[str, ...] = ()  # a plain page's list (a view class sets its own)
    labels: Mapping[str, Any] = field(default_factory=lambda: FIELD_LABELS)
    # Choices a related field offers beyond the scoping: {field: ((column, FAB filter, value),)}
    related_filters: Mapping[str, tuple] = field(default_factory=dict)
    grants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role: permissions

    def __post_init__(self):
        _DECLARED.append(self)

    @property
    def form_columns(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.add_columns, (self.add_columns if self.edit_columns is None
                                  else self.edit_columns)

    def related_choices(self) -> dict[str, list]:
        """`related_filters` as FAB's *_query_rel_fields take them."""
        return {name: [list(rule) for rule in rules]
                for name, rules in self.related_filters.items()}

    def apply_to(self, surface: type, **more) -> None:
        """Give a view or API class of this entity what it takes from the declaration, the
        attributes the class sets itself excepted."""
        add, edit = self.form_columns
        wanted = {"class_permission_name": self.resource, "add_columns": list(add),
                  "edit_columns": list(edit), "search_columns": list(self.search_columns),
                  "label_columns": dict(self.labels), **more}
        for name, value in wanted.items():
            if name not in vars(surface):
                setattr(surface, name, value)


_DECLARED: list[Entity] = []


def declared() -> tuple[Entity, ...]:
    """Every entity declared so far, in the order of declaration."""
    return tuple(_DECLARED)
