"""Outreach: recorded in the actor's region, totals per office and month, units reached that enrolled after."""
from datetime import date

import pytest

from huzhu.campaign import queries, services
from huzhu.campaign.models import OutreachEvent
from huzhu.core.errors import NotFound, ValidationFailed
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.regions.models import Role

from .conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN, TODAY

OFFICE = Scope("league", BAOTOU, role=Role.OFFICE)
AGENCY = Scope("county", KUNDULUN, role=Role.AGENCY)


def test_an_agency_point_records_outreach_in_its_county_and_league(scenario, year_2027, county_clerk):
    units = [s.unit.pk for s in scenario if s.county == KUNDULUN][:3]
    event = services.record_outreach(actor=county_clerk, held_on=date(2026, 7, 10), kind="mine",
                                     place="白云鄂博铁矿", audience_size=120, materials_count=300, unit_ids=units,
                                     league_code=CHIFENG, today=TODAY)
    assert (event.league_id, event.county_id) == (BAOTOU, KUNDULUN)  # the scope decides, not the form
    assert sorted(event.units_reached.values_list("pk", flat=True)) == sorted(units)


def test_outreach_cannot_name_a_unit_outside_the_scope(scenario, year_2027, county_clerk):
    elsewhere = next(s for s in scenario if s.county == HONGSHAN).unit.pk
    with pytest.raises(NotFound):
        services.record_outreach(actor=county_clerk, held_on=date(2026, 7, 10), kind="briefing",
                                 place="区工会", audience_size=30, unit_ids=[elsewhere], today=TODAY)


def test_totals_per_office_and_month_count_units_that_enrolled_afterwards(scenario, year_2027, county_clerk,
                                                                         league_reviewer):
    baotou = [s for s in scenario if s.league == BAOTOU]
    july, september = date(2026, 7, 10), date(2026, 9, 1)
    july_units = [s for s in baotou if s.county == KUNDULUN][:5]
    sept_units = baotou[3:8]
    services.record_outreach(actor=county_clerk, held_on=july, kind="enterprise", place="A",
                             audience_size=50, materials_count=80, unit_ids=[s.unit.pk for s in july_units],
                             today=TODAY)
    services.record_outreach(actor=league_reviewer, held_on=date(2026, 7, 25), kind="training",
                             place="B", audience_size=20, materials_count=10, today=TODAY)
    services.record_outreach(actor=league_reviewer, held_on=september, kind="school", place="C",
                             audience_size=200, unit_ids=[s.unit.pk for s in sept_units], today=TODAY)
    totals = {t.month: t for t in queries.outreach_totals(PROVINCE, year_2027, start=date(2026, 7, 1),
                                                          end=date(2026, 12, 11))}
    assert set(totals) == {date(2026, 7, 1), date(2026, 9, 1)}
    jul = totals[date(2026, 7, 1)]
    assert (jul.league_code, jul.events, jul.audience, jul.materials) == (BAOTOU, 2, 70, 90)
    assert jul.units_reached == len(july_units)
    assert jul.units_enrolled == sum(1 for s in july_units if s.paid_2027_on and s.paid_2027_on >= july)
    sep = totals[date(2026, 9, 1)]
    assert sep.units_enrolled == sum(1 for s in sept_units if s.paid_2027_on and s.paid_2027_on >= september)
    event = OutreachEvent.objects.get(held_on=september)
    assert queries.outreach_conversions(year_2027, [event.pk])[event.pk] == (len(sept_units), sep.units_enrolled)


def test_an_agency_point_sees_its_own_events_and_not_the_offices(scenario, year_2027, county_clerk, league_reviewer):
    services.record_outreach(actor=county_clerk, held_on=date(2026, 8, 1), kind="community",
                             place="社区", audience_size=40, today=TODAY)
    services.record_outreach(actor=league_reviewer, held_on=date(2026, 8, 2), kind="hotline",
                             place="包头广播电台", audience_size=5000, today=TODAY)
    assert [e.place for e in queries.outreach_in_scope(AGENCY)] == ["社区"]
    assert {e.place for e in queries.outreach_in_scope(OFFICE)} == {"社区", "包头广播电台"}
    assert not queries.outreach_in_scope(Scope("county", HONGSHAN, role=Role.AGENCY)).exists()


def test_outreach_in_the_future_is_refused(year_2027, county_clerk):
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.record_outreach(actor=county_clerk, held_on=date(2026, 12, 1), kind="briefing",
                                 place="区工会", audience_size=30, today=TODAY)
