"""Form fields of our own: moments typed in Kazakhstan time, stored in UTC."""
from datetime import datetime

from flask_appbuilder.fieldwidgets import DateTimePickerWidget
from wtforms import DateTimeField

from ..clock import local_timezone


class LocalDateTimeField(DateTimeField):
    """A moment shown and typed in Kazakhstan time; the form hands on an aware datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"])
        kwargs.setdefault("widget", DateTimePickerWidget())
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(local_timezone()).replace(tzinfo=None, microsecond=0)
        super().process_data(value)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, datetime) and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=local_timezone())
