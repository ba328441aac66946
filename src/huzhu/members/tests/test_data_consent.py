"""Consent to medical-insurance data matching: given in scope, withdrawn, audited, one open row per worker."""
import pytest

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_worker
from huzhu.core.actors import WorkerActor
from huzhu.core.errors import NotFound, ValidationFailed
from huzhu.members import queries, services
from huzhu.members.models import DataConsent


@pytest.mark.django_db
def test_a_clerk_records_consent_once_and_the_worker_withdraws_it(home_unit, county_clerk):
    first, second = make_worker(home_unit), make_worker(home_unit)
    assert services.give_data_consent(actor=county_clerk, worker_ids=[first.pk, second.pk], source="roster") == 2
    assert services.give_data_consent(actor=county_clerk, worker_ids=[first.pk], source="unit") == 0
    assert queries.consenting_worker_ids([first.pk, second.pk]) == {first.pk, second.pk}

    assert services.withdraw_data_consent(actor=WorkerActor(first.pk), worker=first, source="worker") is True
    assert services.withdraw_data_consent(actor=WorkerActor(first.pk), worker=first, source="worker") is False
    assert queries.consenting_worker_ids([first.pk, second.pk]) == {second.pk}
    # consenting again is a new row: the history of the first stays
    services.give_data_consent(actor=WorkerActor(first.pk), worker_ids=[first.pk], source="worker")
    assert DataConsent.objects.filter(worker=first).count() == 2
    actions = list(AuditEvent.objects.filter(action__in=["give_data_consent", "withdraw_data_consent"])
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["give_data_consent", "withdraw_data_consent", "give_data_consent"]


@pytest.mark.django_db
def test_consent_outside_the_scope_is_not_found_and_a_worker_speaks_only_for_herself(home_unit, other_unit,
                                                                                      county_clerk):
    mine, theirs = make_worker(home_unit), make_worker(other_unit)
    with pytest.raises(NotFound):
        services.give_data_consent(actor=county_clerk, worker_ids=[mine.pk, theirs.pk], source="desk")
    with pytest.raises(NotFound):
        services.give_data_consent(actor=WorkerActor(mine.pk), worker_ids=[theirs.pk], source="worker")
    with pytest.raises(ValidationFailed):
        services.give_data_consent(actor=WorkerActor(mine.pk), worker_ids=[mine.pk], source="roster")
    assert not DataConsent.objects.exists()
