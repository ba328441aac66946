"""plans.services: publishing terms versions, the draft → open → closed workflow, copying a year."""
from decimal import Decimal

import pytest

from huzhu.audit.models import AuditEvent
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.plans import services
from huzhu.plans.default_terms import default_terms
from huzhu.plans.models import PlanYear


def document(plan: str = "hospitalization", year: int = 2026, **changes) -> dict:
    return default_terms(plan, year).model_copy(update=changes).model_dump(mode="json")


@pytest.fixture
def draft(without_default_plans, association_approver):
    return services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                                  document=document()).plan_year


@pytest.fixture
def opened(draft, association_approver):
    return services.open_plan_year(actor=association_approver, plan_year=draft)


def test_publishing_new_terms_creates_the_plan_year_as_a_draft_with_version_1(draft, association_approver):
    assert draft.status == PlanYear.Status.DRAFT
    assert draft.current_version.number == 1
    assert draft.current_version.created_by == association_approver
    assert draft.terms.contribution_amount == Decimal("100.00")


def test_each_publication_adds_the_next_version_number_and_keeps_the_old_one(draft, association_approver):
    second = services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                                    document=document(contribution_amount=Decimal("120.00")))
    third = services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                                   document=document(contribution_amount=Decimal("130.00")))
    assert (second.number, third.number) == (2, 3)
    draft.refresh_from_db()
    assert draft.current_version == third
    assert [v.terms.contribution_amount for v in draft.versions.order_by("number")] == [
        Decimal("100.00"), Decimal("120.00"), Decimal("130.00")]


def test_invalid_terms_are_refused_naming_the_field_in_chinese(without_default_plans, association_approver):
    bad = document()
    bad["inpatient"]["bands"][0]["rate"] = "1.5"
    with pytest.raises(ValidationFailed) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026, document=bad)
    assert raised.value.field == "inpatient.bands.0.rate"
    assert "不能大于 100%" in raised.value.message
    assert not PlanYear.objects.exists()


def test_a_subsidy_above_the_contribution_is_blamed_on_the_subsidy(db, association_approver):
    with pytest.raises(ValidationFailed) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                               document=document(subsidy_amount=Decimal("200")))
    assert raised.value.field == "subsidy_amount"


def test_terms_of_another_year_cannot_be_published_under_this_one(db, association_approver):
    with pytest.raises(ValidationFailed) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2027,
                               document=document(year=2026))
    assert raised.value.code == "terms_mismatch"


def test_a_draft_may_change_without_a_reason(draft, association_approver):
    version = services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                                     document=document(subsidy_amount=Decimal("20.00")))
    assert version.number == 2 and version.reason == ""


def test_opening_a_draft_freezes_it_so_a_change_needs_a_reason(opened, association_approver):
    assert opened.status == PlanYear.Status.OPEN
    with pytest.raises(ValidationFailed) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                               document=document(subsidy_amount=Decimal("20.00")), reason="  ")
    assert raised.value.code == "reason_required"
    assert opened.versions.count() == 1


def test_a_change_to_an_open_year_with_a_reason_becomes_a_new_version(opened, association_approver):
    version = services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                                     document=document(subsidy_amount=Decimal("20.00")), reason="自治区总工会追加补助")
    assert version.number == 2
    assert version.reason == "自治区总工会追加补助"
    assert version.plan_year.versions.get(number=1).terms.subsidy_amount == Decimal("10.00")


def test_a_closed_year_refuses_every_change(opened, association_approver):
    services.close_plan_year(actor=association_approver, plan_year=opened)
    with pytest.raises(Conflict) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                               document=document(subsidy_amount=Decimal("20.00")), reason="补录")
    assert raised.value.code == "year_closed"


def test_publishing_identical_terms_is_refused_as_no_change(draft, association_approver):
    with pytest.raises(ValidationFailed) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026, document=document())
    assert raised.value.code == "no_change"


def test_an_edit_based_on_an_old_version_is_refused_when_someone_published_since(draft, association_approver):
    services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                           document=document(subsidy_amount=Decimal("20.00")), based_on=1)
    with pytest.raises(Conflict) as raised:
        services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                               document=document(subsidy_amount=Decimal("30.00")), based_on=1)
    assert raised.value.code == "stale_version"


@pytest.mark.parametrize(("start", "to"), [
    ("draft", "closed"), ("open", "draft"), ("open", "open"), ("closed", "open"), ("closed", "draft"),
], ids=lambda value: value)
def test_forbidden_status_moves_are_refused(draft, association_approver, start, to):
    PlanYear.objects.filter(pk=draft.pk).update(status=start)
    with pytest.raises(Conflict):
        services.transition_plan_year(actor=association_approver, plan_year=draft, to=to)
    draft.refresh_from_db()
    assert draft.status == start


def test_opening_and_closing_are_written_to_the_audit_log(opened, association_approver):
    services.close_plan_year(actor=association_approver, plan_year=opened)
    actions = list(AuditEvent.objects.filter(object_type="PlanYear", object_id=str(opened.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["publish_terms", "open_plan_year", "closed_plan_year"]


def test_copying_a_year_creates_the_next_year_as_a_draft_with_dates_a_year_later(opened, association_approver):
    services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                           document=document(contribution_amount=Decimal("110.00")), reason="调整")
    version = services.copy_plan_year(actor=association_approver, source=PlanYear.objects.get(pk=opened.pk))
    terms = version.terms
    assert version.plan_year.year == 2027 and version.plan_year.status == PlanYear.Status.DRAFT
    assert (terms.year, str(terms.protection_start_on), str(terms.enrollment_closes_on)) == (2027, "2027-01-01", "2026-12-10")
    assert terms.contribution_amount == Decimal("110.00")
    assert version.reason == "复制自 2026 年度第 2 版"


def test_a_year_cannot_be_copied_onto_an_existing_next_year(opened, association_approver):
    services.copy_plan_year(actor=association_approver, source=opened)
    with pytest.raises(Conflict):
        services.copy_plan_year(actor=association_approver, source=opened)


def test_installing_the_default_plans_twice_changes_nothing(db):
    first = services.install_default_plans()
    second = services.install_default_plans()
    assert [p.pk for p in first] == [p.pk for p in second]
    assert all(p.status == PlanYear.Status.OPEN and p.versions.count() == 1 for p in second)
