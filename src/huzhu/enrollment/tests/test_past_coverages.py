"""A sample history's enrollments and coverages (the synthetic experience) go through the one coverage
write path: active as they ran, each with its own start, its consecutive years and the day its worker left."""
from datetime import date, timedelta

import pytest

from huzhu.enrollment import queries, services
from huzhu.enrollment.models import Coverage, Enrollment

from .conftest import staff_unit


def test_past_enrollments_are_paid_with_their_headcounts_in_the_order_given(hospitalization_2026):
    first, _ = staff_unit(2)
    second, _ = staff_unit(1, county="150204")
    paid_on = hospitalization_2026.terms.protection_start_on
    made = services.record_past_enrollments(plan_year=hospitalization_2026, headcounts=[(first, 2), (second, 1)],
                                            paid_on=paid_on)
    assert [(e.unit_id, e.headcount) for e in made] == [(first.pk, 2), (second.pk, 1)]
    stored = Enrollment.objects.filter(pk__in=[e.pk for e in made])
    assert {(e.status, e.paid_on, e.kind, e.county_id) for e in stored} == {
        ("paid", paid_on, "annual", "150203"), ("paid", paid_on, "annual", "150204")}
    assert queries.paid_enrollments(hospitalization_2026, paid_to=paid_on).count() == 2


def test_past_coverages_are_active_from_their_own_start_to_the_periods_end(hospitalization_2026):
    unit, workers = staff_unit(3)
    terms = hospitalization_2026.terms
    (enrollment,) = services.record_past_enrollments(plan_year=hospitalization_2026, headcounts=[(unit, 3)],
                                                     paid_on=terms.protection_start_on)
    joined = terms.protection_start_on + timedelta(days=100)
    left = terms.protection_start_on + timedelta(days=200)
    starts = [terms.protection_start_on, joined, terms.protection_start_on]
    ids = services.insert_past_coverages(plan_year=hospitalization_2026, rows=[
        (worker.pk, enrollment.pk, unit.pk, unit.league_id, unit.county_id, start, years, gone)
        for worker, start, years, gone in zip(workers, starts, (1, 3, 6), (None, None, left), strict=True)])
    coverages = list(Coverage.objects.filter(pk__in=ids).order_by("pk"))
    assert [c.pk for c in coverages] == ids and [c.worker_id for c in coverages] == [w.pk for w in workers]
    assert [(c.starts_on, c.consecutive_years, c.left_on) for c in coverages] == [
        (starts[0], 1, None), (joined, 3, None), (starts[2], 6, left)]
    assert {(c.status, c.ends_on, c.contribution_amount, c.subsidy_amount, c.certificate_no) for c in coverages} == {
        ("active", terms.protection_end_on, terms.contribution_amount, terms.subsidy_amount, None)}
    assert queries.active_coverages_of_years([hospitalization_2026.pk]).count() == 3


def test_a_past_coverage_starting_outside_the_protection_period_is_refused(hospitalization_2026):
    unit, (worker,) = staff_unit(1)
    (enrollment,) = services.record_past_enrollments(plan_year=hospitalization_2026, headcounts=[(unit, 1)],
                                                     paid_on=date(2026, 1, 1))
    too_early = hospitalization_2026.terms.protection_start_on - timedelta(days=1)
    with pytest.raises(ValueError, match=f"worker {worker.pk}"):
        services.insert_past_coverages(plan_year=hospitalization_2026, rows=[
            (worker.pk, enrollment.pk, unit.pk, unit.league_id, unit.county_id, too_early, 1, None)])
