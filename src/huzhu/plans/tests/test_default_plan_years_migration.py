"""Migration plans 0002: `huzhu migrate` alone leaves the shipped default plan years, opened, once."""
import pytest

from huzhu.conftest import default_plan_years_migration
from huzhu.plans.default_terms import PLAN_NAMES, default_terms
from huzhu.plans.models import Plan, PlanYear, TermsVersion
from huzhu.plans.services import install_default_plans

MIGRATION = default_plan_years_migration()
DEFAULT_YEARS = [(plan, year) for plan in sorted(PLAN_NAMES) for year in (2026, 2027)]


def test_the_migrated_database_holds_both_plans_for_2026_and_2027_opened_with_version_1(db):
    years = PlanYear.objects.select_related("plan", "current_version").order_by("plan_id", "year")
    assert [(y.plan_id, y.year, y.status, y.current_version.number) for y in years] == [
        (plan, year, PlanYear.Status.OPEN, 1) for plan, year in DEFAULT_YEARS]
    assert {p.code: p.name for p in Plan.objects.all()} == PLAN_NAMES


@pytest.mark.parametrize(("plan", "year"), DEFAULT_YEARS, ids=[f"{p}-{y}" for p, y in DEFAULT_YEARS])
def test_the_migrated_terms_are_the_shipped_default_terms(db, plan, year):
    """A change to default_terms.py needs a new data migration that publishes it as a new version."""
    assert MIGRATION.frozen_document(plan, year) == default_terms(plan, year).model_dump(mode="json")
    assert PlanYear.objects.get(plan_id=plan, year=year).terms == default_terms(plan, year)


def test_the_migration_leaves_existing_plan_years_alone_and_adds_nothing_twice(db):
    PlanYear.objects.filter(plan_id="women_health", year=2027).update(status=PlanYear.Status.DRAFT)
    assert MIGRATION.install_default_plan_years(Plan, PlanYear, TermsVersion) == 0
    assert (PlanYear.objects.count(), TermsVersion.objects.count()) == (4, 4)
    assert PlanYear.objects.get(plan_id="women_health", year=2027).status == PlanYear.Status.DRAFT


def test_installing_the_default_plans_after_the_migration_finds_the_migrated_years(db):
    migrated = set(PlanYear.objects.values_list("pk", flat=True))
    assert {p.pk for p in install_default_plans()} == migrated
    assert TermsVersion.objects.count() == 4


def test_the_migration_fills_an_empty_database(without_default_plans):
    assert MIGRATION.install_default_plan_years(Plan, PlanYear, TermsVersion) == 4
    assert PlanYear.objects.filter(status=PlanYear.Status.OPEN, current_version__number=1).count() == 4



@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", ["first", "after a flush"])
def test_a_transactional_test_finds_the_default_plan_years_even_after_another_flushed_them(run):
    assert PlanYear.objects.filter(year__in=(2026, 2027), status=PlanYear.Status.OPEN).count() == 4
