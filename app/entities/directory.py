"""Reference data and the directory of front offices: what every office reads and the
administrator keeps."""
from flask_babel import lazy_gettext as _l

from ..models import CalendarDay, Country, FrontOffice, MrpRate, Region, Sector
from ..models.accompaniment import StateBody, StateService
from ..models.audit import AuditEntry
from .declaration import Access, Api, Entity, Page
from .labels import APPLICATION_LABELS, FIELD_LABELS, TRANSLATED_NAME_LABELS

NAMES = ("name_ru", "name_kk", "name_en")
# A directory named in Russian (`name`) with its Kazakh and English names beside it.
TRANSLATED = ("name", "name_kk", "name_en")

FRONT_OFFICE = Entity(
    "FrontOffice", FrontOffice, Access.DIRECTORY,
    pages=(Page("app.views.directory:FrontOfficeView", "Front offices", _l("Фронт-офисы"),
                "fa-sitemap", "Reference data"),),
    api=Api("front_office", ("id", *TRANSLATED, "level", "kind", "region.code", "country.alpha2",
                             "parent.id", "email", "phone", "active")),
    add_columns=(*TRANSLATED, "kind", "region", "country", "parent", "email", "phone",
                 "active"),
    search_columns=("name", "level", "kind", "region", "country", "active"),
    labels={**FIELD_LABELS, **TRANSLATED_NAME_LABELS},
)

REGION = Entity(
    "Region", Region, Access.REFERENCE,
    pages=(Page("app.views.directory:RegionView", "Regions", _l("Регионы"), "fa-map-marker",
                "Reference data"),),
    api=Api("region", ("id", "code", "kind", *NAMES)),
    add_columns=("code", "kind", *NAMES),
    search_columns=("code", "name_ru"),
)

COUNTRY = Entity(
    "Country", Country, Access.REFERENCE,
    pages=(Page("app.views.directory:CountryView", "Countries", _l("Страны"), "fa-globe",
                "Reference data"),),
    api=Api("country", ("id", "alpha2", "alpha3", *NAMES)),
    add_columns=("alpha2", "alpha3", *NAMES),
    search_columns=("alpha2", "name_ru", "name_en"),
)

SECTOR = Entity(
    "Sector", Sector, Access.REFERENCE,
    pages=(Page("app.views.directory:SectorView", "Sectors", _l("Отрасли"), "fa-tags",
                "Reference data"),),
    api=Api("sector", ("id", "code", "non_resource", *NAMES)),
    add_columns=("code", "non_resource", *NAMES),
    search_columns=("code", "name_ru", "non_resource"),
)

MRP_RATE = Entity(
    "MrpRate", MrpRate, Access.REFERENCE,
    pages=(Page("app.views.directory:MrpRateView", "MRP", _l("МРП"), "fa-calculator",
                "Reference data"),),
    api=Api("mrp_rate", ("id", "effective_from", "amount")),
    add_columns=("effective_from", "amount"),
    search_columns=("effective_from",),
)

STATE_BODY = Entity(
    "StateBody", StateBody, Access.REFERENCE,
    pages=(Page("app.views.accompaniment:StateBodyView", "State bodies",
                _l("Государственные органы"), "fa-university", "Reference data"),),
    api=Api("state_body", ("id", *TRANSLATED, "kind", "email", "phone")),
    add_columns=(*TRANSLATED, "kind", "email", "phone"),
    search_columns=("name", "kind"),
    labels={**APPLICATION_LABELS, **TRANSLATED_NAME_LABELS},
)

STATE_SERVICE = Entity(
    "StateService", StateService, Access.REFERENCE,
    pages=(Page("app.views.accompaniment:StateServiceView", "State services",
                _l("Государственные услуги"), "fa-list-alt", "Reference data"),),
    api=Api("state_service", ("id", "code", *TRANSLATED, "provider.id", "provider.name",
                              "term_working_days")),
    add_columns=("code", *TRANSLATED, "provider", "term_working_days"),
    search_columns=("code", "name", "provider"),
    labels={**APPLICATION_LABELS, **TRANSLATED_NAME_LABELS},
)

CALENDAR_DAY = Entity(
    "CalendarDay", CalendarDay, Access.REFERENCE,
    pages=(Page("app.views.directory:CalendarDayView", "Working calendar",
                _l("Переносы выходных дней"), "fa-calendar", "Reference data"),),
    add_columns=("day", "kind", "basis"),
    search_columns=("day", "kind"),
)

AUDIT_ENTRY = Entity(
    "AuditEntry", AuditEntry, Access.AUDIT,
    pages=(Page("app.views.history:AuditTrailView", "Audit trail", _l("Журнал аудита"),
                "fa-history", "Control"),),
)
