"""Staffing: an office needs two active staff, an agency point one; the association sees where that fails."""
from huzhu.campaign import queries
from huzhu.conftest import make_staff
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.regions.models import AgencyPoint, Office, Role

from .conftest import BAOTOU, HONGSHAN, KUNDULUN, QINGSHAN


def test_offices_below_two_and_agency_points_below_one_active_staff_are_listed_first(db):
    make_staff("bt1", Role.OFFICE, division=BAOTOU)
    make_staff("bt2", Role.OFFICE, division=BAOTOU)
    make_staff("kd1", Role.AGENCY, division=KUNDULUN)
    gone = make_staff("qs1", Role.AGENCY, division=QINGSHAN)
    gone.is_active = False
    gone.save()
    make_staff("bt_agency_role_at_league", Role.AGENCY, division=BAOTOU)  # wrong role: not office staff
    rows = {(r.kind, r.code): r for r in queries.staffing(PROVINCE)}
    assert len(rows) == Office.objects.count() + AgencyPoint.objects.count()
    assert rows[("office", BAOTOU)].shortfall == 0
    assert rows[("agency", KUNDULUN)].shortfall == 0
    assert (rows[("agency", QINGSHAN)].active_staff, rows[("agency", QINGSHAN)].shortfall) == (0, 1)
    assert rows[("office", "150400")].shortfall == 2
    ordered = queries.staffing(PROVINCE)
    first_ok = next(i for i, r in enumerate(ordered) if not r.shortfall)
    assert all(not r.shortfall for r in ordered[first_ok:])


def test_an_office_sees_its_own_office_and_agency_points(db):
    rows = queries.staffing(Scope("league", BAOTOU, role=Role.OFFICE))
    assert {r.code for r in rows if r.kind == "office"} == {BAOTOU}
    assert KUNDULUN in {r.code for r in rows} and HONGSHAN not in {r.code for r in rows}
