"""The follow-up list, taking a unit, logging contacts, overdue marks and region scope."""
from datetime import date, timedelta

import pytest

from huzhu.campaign import queries, rules, services
from huzhu.campaign.models import ContactLog, FollowUp
from huzhu.conftest import make_staff
from huzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.regions.models import Role

from .conftest import BAOTOU, HONGSHAN, KUNDULUN, TODAY

OFFICE = Scope("league", BAOTOU, role=Role.OFFICE)
KUNDULUN_AGENCY = Scope("county", KUNDULUN, role=Role.AGENCY)


def not_renewed(specs, *, league=None, county=None):
    return [s for s in specs if s.covered_2026 and not s.paid_2027_on
            and (league is None or s.league == league) and (county is None or s.county == county)]


@pytest.fixture
def office_clerk(db):
    return make_staff("office_clerk", Role.OFFICE, division=BAOTOU)


@pytest.fixture
def office_colleague(db):
    return make_staff("office_colleague", Role.OFFICE, division=BAOTOU)


def test_the_list_holds_last_years_units_not_yet_renewed_largest_first(scenario, year_2027):
    units = list(queries.units_to_follow(PROVINCE, year_2027, today=TODAY))
    want = not_renewed(scenario)
    assert {u.pk for u in units} == {s.unit.pk for s in want}
    assert [u.people_last_year for u in units] == sorted((len(s.covered_2026) for s in want), reverse=True)
    first = units[0]
    spec = next(s for s in want if s.unit.pk == first.pk)
    assert (first.people_last_year, first.eligible_headcount) == (len(spec.covered_2026), spec.unit.eligible_headcount)
    assert first.contact_phone_masked == spec.unit.contact_phone_masked != ""


def test_an_office_sees_its_league_and_an_agency_point_its_county(scenario, year_2027):
    office_units = {u.pk for u in queries.units_to_follow(OFFICE, year_2027, today=TODAY)}
    agency_units = {u.pk for u in queries.units_to_follow(KUNDULUN_AGENCY, year_2027, today=TODAY)}
    assert office_units == {s.unit.pk for s in not_renewed(scenario, league=BAOTOU)}
    assert agency_units == {s.unit.pk for s in not_renewed(scenario, county=KUNDULUN)}
    assert not office_units & {s.unit.pk for s in not_renewed(scenario, county=HONGSHAN)}


def test_a_unit_renewed_since_drops_off_the_list(scenario, year_2027):
    from huzhu.enrollment.services import enroll_and_pay

    spec = not_renewed(scenario)[0]
    enroll_and_pay(actor=None, check_participation=False, plan_year=year_2027, paid_on=TODAY, batches=[(spec.unit, spec.covered_2026)])
    assert spec.unit.pk not in {u.pk for u in queries.units_to_follow(PROVINCE, year_2027, today=TODAY)}


def test_a_clerk_takes_a_unit_and_a_colleague_cannot_take_it_too(scenario, year_2027, office_clerk,
                                                                  office_colleague):
    unit = not_renewed(scenario, league=BAOTOU)[0].unit
    follow_up = services.take_unit(actor=office_clerk, plan_year=year_2027, unit=unit, today=TODAY)
    assert (follow_up.assignee, follow_up.assigned_on) == (office_clerk, TODAY)
    assert services.take_unit(actor=office_clerk, plan_year=year_2027, unit=unit,
                              today=TODAY).pk == follow_up.pk  # taking it again is harmless
    with pytest.raises(Conflict, match="已由office_clerk跟进"):
        services.take_unit(actor=office_colleague, plan_year=year_2027, unit=unit, today=TODAY)
    listed = {u.pk: u for u in queries.units_to_follow(OFFICE, year_2027, today=TODAY)}
    assert listed[unit.pk].assignee_username == "office_clerk"
    assert {u.pk for u in queries.units_to_follow(OFFICE, year_2027, today=TODAY, show="mine",
                                                  actor=office_clerk)} == {unit.pk}
    assert unit.pk not in {u.pk for u in queries.units_to_follow(OFFICE, year_2027, today=TODAY, show="untaken")}


def test_a_unit_outside_the_scope_cannot_be_taken(scenario, year_2027, office_clerk):
    unit = not_renewed(scenario, county=HONGSHAN)[0].unit
    with pytest.raises(NotFound):
        services.take_unit(actor=office_clerk, plan_year=year_2027, unit=unit, today=TODAY)


def test_an_auditor_may_not_take_a_unit(scenario, year_2027, auditor):
    unit = not_renewed(scenario)[0].unit
    with pytest.raises(PermissionDenied):
        services.take_unit(actor=auditor, plan_year=year_2027,
                           unit=unit, today=TODAY)


def test_a_unit_new_this_year_is_not_a_renewal_to_follow(scenario, year_2027, office_clerk):
    new = next(s for s in scenario if not s.covered_2026 and s.league == BAOTOU)
    with pytest.raises(Conflict, match="上一年度没有参互"):
        services.take_unit(actor=office_clerk, plan_year=year_2027, unit=new.unit, today=TODAY)


def test_each_contact_is_logged_and_the_latest_sets_the_next_step(scenario, year_2027, office_clerk):
    unit = not_renewed(scenario, league=BAOTOU)[0].unit
    follow_up = services.take_unit(actor=office_clerk, plan_year=year_2027, unit=unit, today=TODAY)
    services.log_contact(actor=office_clerk, follow_up=follow_up, contacted_on=TODAY,
                         channel="phone", outcome="considering", next_step="上门送续互材料",
                         next_due_on=TODAY + timedelta(days=3), today=TODAY)
    services.log_contact(actor=office_clerk, follow_up=follow_up, contacted_on=TODAY - timedelta(days=2),
                         channel="message", outcome="unreachable", next_step="再打电话",
                         next_due_on=TODAY - timedelta(days=1), today=TODAY)  # logged late: older, does not lead
    follow_up.refresh_from_db()
    assert follow_up.contact_count == 2
    assert (follow_up.last_contact_on, follow_up.next_step) == (TODAY, "上门送续互材料")
    assert ContactLog.objects.filter(follow_up=follow_up).count() == 2
    assert unit.pk not in {u.pk for u in queries.units_to_follow(OFFICE, year_2027, today=TODAY, show="overdue")}
    later = TODAY + timedelta(days=4)
    assert unit.pk in {u.pk for u in queries.units_to_follow(OFFICE, year_2027, today=later, show="overdue")}


def test_a_contact_cannot_be_logged_before_the_unit_is_taken(scenario, year_2027, office_clerk):
    unit = not_renewed(scenario, league=BAOTOU)[0].unit
    follow_up = FollowUp.objects.create(plan_year=year_2027, unit=unit)
    with pytest.raises(Conflict, match="请先认领"):
        services.log_contact(actor=office_clerk, follow_up=follow_up, contacted_on=TODAY,
                             channel="phone", outcome="will_renew", today=TODAY)


@pytest.mark.parametrize(("contacted_on", "outcome", "next_step", "due", "field"), [
    pytest.param(TODAY + timedelta(days=1), "will_renew", "", None, "contacted_on", id="contact-in-the-future"),
    pytest.param(TODAY, "considering", "再联系", None, "next_due_on", id="next-step-without-due-date"),
    pytest.param(TODAY, "considering", "再联系", TODAY - timedelta(days=1), "next_due_on", id="due-before-contact"),
    pytest.param(TODAY, "considering", "", None, "next_step", id="undecided-unit-without-next-step"),
])
def test_a_contact_log_that_breaks_a_rule_is_refused_naming_the_field(scenario, year_2027, office_clerk, contacted_on,
                                                                     outcome, next_step, due, field):
    unit = not_renewed(scenario, league=BAOTOU)[0].unit
    follow_up = services.take_unit(actor=office_clerk, plan_year=year_2027, unit=unit, today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        services.log_contact(actor=office_clerk, follow_up=follow_up, contacted_on=contacted_on,
                             channel="phone", outcome=outcome, next_step=next_step, next_due_on=due, today=TODAY)
    assert refused.value.field == field


def test_the_sql_overdue_filter_agrees_with_the_rule(scenario, year_2027, office_clerk):
    units = not_renewed(scenario, league=BAOTOU)
    cases = [  # (assigned days ago, contacted days ago or None, next due in days or None)
        (10, None, None), (2, None, None), (10, 5, -1), (10, 5, 0), (10, 5, 3), (1, 0, None)]
    for spec, (assigned, contacted, due) in zip(units, cases):
        FollowUp.objects.create(
            plan_year=year_2027, unit=spec.unit, assignee=office_clerk, assigned_on=TODAY - timedelta(days=assigned),
            last_contact_on=None if contacted is None else TODAY - timedelta(days=contacted),
            next_due_on=None if due is None else TODAY + timedelta(days=due))
    listed = list(queries.units_to_follow(OFFICE, year_2027, today=TODAY))
    by_rule = {u.pk for u in listed if rules.is_overdue(assigned_on=u.assigned_on, last_contact_on=u.last_contact_on,
                                                        next_due_on=u.next_due_on, today=TODAY)}
    by_sql = {u.pk for u in queries.units_to_follow(OFFICE, year_2027, today=TODAY, show="overdue")}
    assert by_sql == by_rule and by_rule
    assert queries.follow_up_summary(OFFICE, year_2027, today=TODAY)["overdue"] == len(by_rule)


def test_the_follower_releases_a_unit_and_a_colleague_can_take_it(scenario, year_2027, office_clerk,
                                                                  office_colleague):
    unit = not_renewed(scenario, league=BAOTOU)[0].unit
    follow_up = services.take_unit(actor=office_clerk, plan_year=year_2027, unit=unit, today=TODAY)
    services.release_unit(actor=office_clerk, follow_up=follow_up)
    again = services.take_unit(actor=office_colleague, plan_year=year_2027, unit=unit,
                               today=date(2026, 11, 21))
    assert again.assignee == office_colleague
