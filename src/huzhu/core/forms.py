"""Form fields every app's pages share."""
from django import forms

from .params import parse_date


class DateInput(forms.DateInput):
    """The browser's date picker (`<input type="date">`), its value written as the ISO date the picker reads: with
    the locale's format ("2026/12/04") a date the form fills in shows empty and a required one cannot be sent."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TypedDateField(forms.DateField):
    """A date as typed: full-width digits are read as core.params reads a date parameter (an input method may type
    them); anything else as Django's DateField does, with its error."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            return parse_date(value) or super().to_python(value)
        return super().to_python(value)
