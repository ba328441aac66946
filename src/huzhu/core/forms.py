"""Form fields every app's pages share."""
from django import forms

from .params import parse_date


class TypedDateField(forms.DateField):
    """A date as typed: full-width digits are read as core.params reads a date parameter (an input method may type
    them); anything else as Django's DateField does, with its error."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            return parse_date(value) or super().to_python(value)
        return super().to_python(value)
