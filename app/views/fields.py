"""Form fields of our own: dates and moments typed as people write them (03.12.2026 17:30,
Kazakhstan time, stored in UTC) and amounts typed in the user's language (25 000 000,50).

The inputs carry none of FAB's appbuilder_date classes: FAB's ab.js would start its picker
on them with yyyy-mm-dd; static/irm/datepicker.js starts ours (dd.mm.yyyy, Monday first).
"""
from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField, DateTimeField, DecimalField
from wtforms.widgets import html_params

from ..clock import DAY_FORMATS, MOMENT_FORMATS, local_timezone, parse_day, parse_local_moment
from .formatting import amount_for_input, parse_amount

DATE_MESSAGE = _l("Введите дату в виде ДД.ММ.ГГГГ, например 03.12.2026.")
MOMENT_MESSAGE = _l("Введите дату и время в виде ДД.ММ.ГГГГ ЧЧ:ММ, например 03.12.2026 17:30.")
AMOUNT_MESSAGE = _l("Введите число цифрами, например 25 000 000 или 1 500 000,50.")


def _calendar_input(name, value, field_id, **extra) -> str:
    return "<input %s>" % html_params(
        type="text", name=name, id=field_id, value=value, autocomplete="off",
        placeholder=str(_l("ДД.ММ.ГГГГ")), size=10, **{"class": "form-control irm-date",
                                                        **extra})


class DateInputWidget:
    """A date box with a calendar button; our picker script opens it."""

    def __call__(self, field, **kwargs):
        box = _calendar_input(field.name, field._value(), kwargs.get("id", field.id))
        return Markup('<div class="input-group irm-date-group" style="max-width: 13em">'
                      '<span class="input-group-addon"><i class="fa fa-calendar"></i></span>'
                      '%s</div>' % box)


class MomentInputWidget:
    """A date box and a time box of the same name (WTForms joins them with a space)."""

    def __call__(self, field, **kwargs):
        day, hour = field.parts()
        box = _calendar_input(field.name, day, kwargs.get("id", field.id))
        time_box = "<input %s>" % html_params(
            type="text", name=field.name, value=hour, autocomplete="off", size=5,
            placeholder=str(_l("ЧЧ:ММ")), inputmode="numeric",
            **{"class": "form-control irm-time", "aria-label": str(_l("Время"))})
        return Markup('<div class="input-group irm-date-group" style="max-width: 20em">'
                      '<span class="input-group-addon"><i class="fa fa-calendar"></i></span>%s'
                      '<span class="input-group-addon"><i class="fa fa-clock-o"></i></span>%s'
                      '</div>' % (box, time_box))


class LocalDateField(DateField):
    """A calendar day typed as 03.12.2026 (ISO 2026-12-03 also accepted)."""

    widget = DateInputWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", list(DAY_FORMATS))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip()
        self.data = parse_day(text) if text else None
        if text and self.data is None:
            raise ValueError(str(DATE_MESSAGE))


class LocalDateTimeField(DateTimeField):
    """A moment shown and typed in Kazakhstan time; the form hands on an aware datetime."""

    widget = MomentInputWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", list(MOMENT_FORMATS))
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(local_timezone()).replace(tzinfo=None, microsecond=0)
        super().process_data(value)

    def parts(self) -> tuple[str, str]:
        """Return the date and the time as the boxes show them: what was typed, else the value."""
        if self.raw_data:
            typed = [str(v) for v in self.raw_data] + [""]
            return (typed[0], typed[1]) if len(self.raw_data) > 1 else \
                tuple((typed[0].split(" ", 1) + [""])[:2])
        if isinstance(self.data, datetime):
            return self.data.strftime("%d.%m.%Y"), self.data.strftime("%H:%M")
        return "", ""

    def process_formdata(self, valuelist):
        text = " ".join(v.strip() for v in valuelist if v and v.strip())
        self.data = parse_local_moment(text) if text else None
        if text and self.data is None:
            raise ValueError(str(MOMENT_MESSAGE))


class LocalDecimalField(DecimalField):
    """An amount typed with the user's separators; kept as an exact Decimal."""

    def __init__(self, label=None, validators=None, places=2, **kwargs):
        from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
        kwargs.setdefault("widget", BS3TextFieldWidget())
        super().__init__(label, validators, places=places, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return amount_for_input(self.data, self.places, str(get_locale() or "ru"))

    def process_formdata(self, valuelist):
        text = (valuelist or [""])[0] or ""
        self.data = None
        if not text.strip():
            return
        amount = parse_amount(text, str(get_locale() or "ru"))
        if amount is None:
            raise ValueError(str(AMOUNT_MESSAGE))
        self.data = amount

