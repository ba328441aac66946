"""The date picker shows the date a form fills in: its value is the ISO date `<input type="date">` reads."""
from datetime import date

from django import forms

from huzhu.core.forms import DateInput, TypedDateField


class _Form(forms.Form):
    on = TypedDateField(widget=DateInput(), initial=date(2026, 12, 4))


def test_a_filled_in_date_is_written_as_the_picker_reads_it():
    html = str(_Form()["on"])
    assert 'type="date"' in html and 'value="2026-12-04"' in html


def test_a_date_typed_back_in_full_width_digits_is_read():
    form = _Form(data={"on": "２０２６－１２－０４"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == date(2026, 12, 4)
