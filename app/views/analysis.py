"""Analytical materials: country analyses of external offices and regional investment passports
(p. 6 ext. 14, p. 10.2, p. 12.2, p. 13.1, p. 15.2). Every office reads them; the keeper edits."""
from flask_babel import lazy_gettext as _l

from ..models import CountryAnalysis, RegionalPassport
from ..models.interface import ScopedInterface
from .base import ScopedModelView
from .labels import FIELD_LABELS


class CountryAnalysisView(ScopedModelView):
    """Country analyses: the host country's investment profile, companies, target sectors."""

    datamodel = ScopedInterface(CountryAnalysis)
    class_permission_name = "CountryAnalysis"
    list_title = _l("Страновые анализы")
    show_title = add_title = edit_title = _l("Страновой анализ")
    label_columns = FIELD_LABELS
    list_columns = ["country", "year", "updated_at", "owner_office"]
    add_columns = edit_columns = ["country", "year", "investment_profile", "economy",
                                  "outward_investment", "large_companies", "target_sectors",
                                  "cooperation_opportunities", "owner_office"]
    show_columns = add_columns + ["created_at", "updated_at"]
    search_columns = ["country", "year", "target_sectors", "large_companies", "owner_office"]
    order_columns = ["year", "updated_at"]
    base_order = ("year", "desc")


PASSPORT_SECTIONS = [
    (_l("Климат и население"), ["climate", "population"]),
    (_l("Трудовые ресурсы"), ["labour_force", "unemployment_percent", "average_salary",
                              "workforce"]),
    (_l("Тарифы на коммунальные услуги и электроэнергию"),
     ["electricity_tariff", "gas_tariff", "water_tariff", "heat_tariff"]),
    (_l("Маршруты и логистика"), ["logistics"]),
    (_l("Потенциальные партнёры"), ["potential_partners"]),
    (_l("Меры государственной поддержки"), ["support_measures"]),
]


class RegionalPassportView(ScopedModelView):
    """Regional investment passports, in sections the National Company compares across regions."""

    datamodel = ScopedInterface(RegionalPassport)
    class_permission_name = "RegionalPassport"
    list_title = _l("Инвестиционные паспорта регионов")
    show_title = add_title = edit_title = _l("Инвестиционный паспорт региона")
    label_columns = FIELD_LABELS
    list_columns = ["region", "as_of", "population", "electricity_tariff", "average_salary",
                    "updated_at", "owner_office"]
    _sections_fields = [name for _, names in PASSPORT_SECTIONS for name in names]
    add_columns = edit_columns = ["region", "as_of", *_sections_fields, "owner_office"]
    add_fieldsets = edit_fieldsets = [
        (_l("Паспорт"), {"fields": ["region", "as_of", "owner_office"]}),
        *[(title, {"fields": names}) for title, names in PASSPORT_SECTIONS],
    ]
    show_fieldsets = [*add_fieldsets, (_l("Запись"), {"fields": ["created_at", "updated_at"]})]
    search_columns = ["region", "as_of", "owner_office"]
    order_columns = ["as_of", "population", "electricity_tariff", "average_salary",
                     "updated_at"]
    base_order = ("as_of", "desc")
    description_columns = {
        "electricity_tariff": _l("Тенге за единицу, без НДС."),
        "potential_partners": _l("Подробный список ведётся в разделе «Потенциальные партнёры»."),
    }
