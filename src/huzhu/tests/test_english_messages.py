"""Messages made in Python rather than templates follow the chosen language: a bank return file the
reader refuses, and a message an enrollment page shows after a redirect."""
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from huzhu.conftest import PASSWORD, SYSTEM
from huzhu.core.actors import SystemActor
from huzhu.enrollment import services as enrollment_services
from huzhu.payouts import bank_files
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans

IN_WINDOW = date(2025, 11, 1)  # inside the 2026 enrollment window


def test_a_refused_return_file_and_an_enrollment_message_are_in_english_when_english_is_chosen(
        client, unit_contact, home_unit):
    with translation.override("en"), pytest.raises(bank_files.ReturnFileProblem) as refused:
        bank_files.read_return_file(b"%PDF-1.4 not a table", "statement.pdf")
    assert str(refused.value) == "“statement.pdf” is not a CSV or Excel (.xlsx) file"

    install_default_plans(years=(2026,))
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=2026)
    unpaid = enrollment_services.start_enrollment(actor=SystemActor(SYSTEM), unit=home_unit, plan_year=plan_year,
                                                  today=IN_WINDOW)
    assert client.login(username=unit_contact.username, password=PASSWORD)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    page = client.get(reverse("enrollment:receipt", args=[unpaid.pk]), follow=True).text
    assert "The enrollment receipt can be downloaded once the payment is recorded" in page
    assert "缴费登记后才能下载参互回执" not in page
