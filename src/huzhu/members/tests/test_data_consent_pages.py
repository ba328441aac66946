"""The staff doors of consent to data matching: the unit's declaration (its own workers only, the
text ticked) and the county desk's paper consent and withdrawal on the worker's page; audited."""
import pytest
from django.urls import reverse

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD, make_staff, make_worker
from huzhu.members.models import DataConsent
from huzhu.members.services import UNIT_DECLARATION_VERSION
from huzhu.regions.models import Role


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _open(worker_ids):
    return set(DataConsent.objects.filter(worker_id__in=worker_ids, withdrawn_at__isnull=True)
               .values_list("worker_id", flat=True))


@pytest.mark.django_db
def test_the_unit_contact_declares_for_chosen_workers_after_ticking_the_text(client, unit_contact, home_unit):
    first, second, third = (make_worker(home_unit) for _ in range(3))
    login(client, unit_contact)
    url = reverse("members:unit_data_consent", args=[home_unit.pk])
    page = client.get(url)
    assert page.status_code == 200 and "单位声明" in page.text and first.name in page.text

    unticked = client.post(url, {"scope": "selected", "workers": [first.pk]}, follow=True)
    assert "请先阅读并勾选单位声明" in unticked.text and not _open([first.pk])

    client.post(url, {"scope": "selected", "workers": [first.pk, second.pk], "declaration": "1"})
    assert _open([first.pk, second.pk, third.pk]) == {first.pk, second.pk}
    assert DataConsent.objects.get(worker=first).source == "unit"
    event = AuditEvent.objects.get(action="give_data_consent")
    assert event.after["declaration"] == UNIT_DECLARATION_VERSION and event.after["count"] == 2

    client.post(url, {"scope": "all", "declaration": "1"})
    assert _open([first.pk, second.pk, third.pk]) == {first.pk, second.pk, third.pk}
    shown = client.get(url).text
    assert shown.count("已授权") >= 3


@pytest.mark.django_db
def test_a_unit_contact_cannot_declare_for_another_units_workers(client, unit_contact, home_unit, other_unit):
    mine, theirs = make_worker(home_unit), make_worker(other_unit)
    login(client, unit_contact)
    assert client.get(reverse("members:unit_data_consent", args=[other_unit.pk])).status_code == 404
    assert client.post(reverse("members:unit_data_consent", args=[other_unit.pk]),
                       {"scope": "all", "declaration": "1"}).status_code == 404
    # naming a stranger on her own unit's page refuses the whole declaration
    response = client.post(reverse("members:unit_data_consent", args=[home_unit.pk]),
                           {"scope": "selected", "workers": [mine.pk, theirs.pk], "declaration": "1"}, follow=True)
    assert response.status_code == 200
    assert not _open([mine.pk, theirs.pk])


@pytest.mark.django_db
def test_the_county_clerk_reads_the_declarations_but_only_the_contact_declares(client, county_clerk, home_unit):
    worker = make_worker(home_unit)
    login(client, county_clerk)
    url = reverse("members:unit_data_consent", args=[home_unit.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="declaration"' not in page.text
    assert client.post(url, {"scope": "all", "declaration": "1"}).status_code == 403
    assert not _open([worker.pk])


@pytest.mark.django_db
def test_the_desk_records_a_paper_consent_and_a_withdrawal_with_history(client, county_clerk, home_unit):
    worker = make_worker(home_unit, name="萨仁")
    login(client, county_clerk)
    detail = reverse("members:worker_detail", args=[worker.pk])
    action = reverse("members:worker_data_consent", args=[worker.pk])
    assert "未授权" in client.get(detail).text

    client.post(action, {"action": "give"})  # the paper form not confirmed
    assert not _open([worker.pk])
    response = client.post(action, {"action": "give", "paper": "1"})
    assert response.status_code == 302 and response.url.endswith("#data-consent")
    assert DataConsent.objects.get(worker=worker).source == "desk"
    client.post(action, {"action": "withdraw"})
    assert not _open([worker.pk])
    closed = DataConsent.objects.get(worker=worker)
    assert (closed.withdrawn_source, closed.withdrawn_by) == ("desk", county_clerk)

    page = client.get(detail).text
    assert "代办点" in page and "clerk_kundulun" in page and "登记纸质授权" in page
    events = list(AuditEvent.objects.filter(object_id=str(worker.pk), action__endswith="data_consent")
                  .order_by("id").values_list("action", "after"))
    assert [a for a, _after in events] == ["give_data_consent", "withdraw_data_consent"]
    assert events[0][1]["source"] == "desk" and events[1][1]["source"] == "desk"


@pytest.mark.django_db
def test_the_desk_cannot_record_for_a_worker_outside_its_county_and_others_cannot_record(
        client, county_clerk, other_unit, home_unit, league_reviewer):
    stranger, local = make_worker(other_unit), make_worker(home_unit)
    login(client, county_clerk)
    assert client.post(reverse("members:worker_data_consent", args=[stranger.pk]),
                       {"action": "give", "paper": "1"}).status_code == 404
    client.logout()
    login(client, league_reviewer)
    assert client.post(reverse("members:worker_data_consent", args=[local.pk]),
                       {"action": "give", "paper": "1"}).status_code == 403
    assert 'name="paper"' not in client.get(reverse("members:worker_detail", args=[local.pk])).text
    auditor = make_staff("auditor_x", Role.AUDITOR)
    client.logout()
    login(client, auditor)
    assert client.post(reverse("members:worker_data_consent", args=[local.pk]),
                       {"action": "give", "paper": "1"}).status_code == 403
    assert not _open([stranger.pk, local.pk])
