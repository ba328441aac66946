"""The service-level figures per county, checked against a raw SQL count written here independently."""
import statistics
from datetime import date

import time_machine
from django.db import connection

from huzhu.complaints import queries, services
from huzhu.conftest import HONGSHAN, KUNDULUN
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.scopes import PROVINCE, Scope

START, END, TODAY = date(2025, 10, 1), date(2025, 11, 1), date(2025, 11, 20)


def call(county: str, on: date, **fields):
    return services.log_call(actor=SYSTEM_ACTOR, kind=fields.pop("kind", "question"), category="other",
                             text="来电咨询", caller_phone="13904712345", county_code=county, today=on, **fields)


def answer(complaint, at: str):
    with time_machine.travel(f"{at} 10:00 +0800"):
        services.reply(actor=SYSTEM_ACTOR, complaint=complaint, text="已答复")


def build(db):
    answer(call(KUNDULUN, date(2025, 10, 9)), "2025-10-10")        # in time, 1 working day
    answer(call(KUNDULUN, date(2025, 10, 9)), "2025-10-13")        # in time, 3 (Saturday 10-11 is worked)
    late = call(KUNDULUN, date(2025, 10, 13), kind="complaint")    # due 10-20, escalated 10-21, answered 10-24
    services.escalate_overdue(actor=SYSTEM_ACTOR, today=date(2025, 10, 21))
    late.refresh_from_db()
    answer(late, "2025-10-24")
    call(KUNDULUN, date(2025, 10, 30))                              # open; escalated on 11-07 below, overdue by 11-20
    call(HONGSHAN, date(2025, 10, 31))                              # open, due 11-07: not yet moved, overdue by 11-20
    answer(call(HONGSHAN, date(2025, 10, 20)), "2025-10-22")        # in time, 2
    call(KUNDULUN, date(2025, 11, 1))                               # outside the half-open period
    call(HONGSHAN, date(2025, 9, 30))                               # outside too
    services.escalate_overdue(actor=SYSTEM_ACTOR, today=date(2025, 11, 7))


RAW = """
    SELECT county_id,
           COUNT(*),
           SUM(CASE WHEN replied_on IS NOT NULL THEN 1 ELSE 0 END),
           SUM(CASE WHEN replied_on IS NOT NULL AND escalation_count = 0 AND replied_on <= due_on THEN 1 ELSE 0 END),
           SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END),
           SUM(CASE WHEN status = 'open' AND due_on < %s THEN 1 ELSE 0 END),
           SUM(CASE WHEN escalation_count > 0 THEN 1 ELSE 0 END)
      FROM complaints_complaint
     WHERE received_on >= %s AND received_on < %s
     GROUP BY county_id ORDER BY county_id
"""


def raw_figures(start, end, today, county=None):
    sql = RAW if county is None else RAW.replace("GROUP BY", "AND county_id = %s GROUP BY")
    params = [today, start, end] + ([county] if county else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(int(v) if i else v for i, v in enumerate(row)) for row in cursor.fetchall()]


def test_the_figures_match_a_raw_sql_count_county_by_county(db):
    build(db)
    found = queries.figures(PROVINCE, START, END, today=TODAY)
    assert [(f.county_code, f.received, f.answered, f.answered_in_time, f.open, f.overdue, f.escalated)
            for f in found] == raw_figures(START, END, TODAY)
    assert [(f.county_code, f.received, f.answered, f.answered_in_time, f.open, f.overdue, f.escalated)
            for f in found] == [(KUNDULUN, 4, 3, 2, 1, 1, 2), (HONGSHAN, 2, 1, 1, 1, 1, 0)]


def test_the_median_counts_working_days_from_received_to_answered(db):
    build(db)
    by_county = {f.county_code: f for f in queries.figures(PROVINCE, START, END, today=TODAY)}
    # 昆都仑区: 1, 3 and 9 working days (10-13 → 10-24, the weekend between off); 红山区: 2.
    with connection.cursor() as cursor:
        cursor.execute("SELECT received_on, replied_on FROM complaints_complaint WHERE county_id = %s "
                       "AND replied_on IS NOT NULL AND received_on >= %s AND received_on < %s", [KUNDULUN, START, END])
        pairs = cursor.fetchall()
    assert len(pairs) == 3
    assert by_county[KUNDULUN].median_days_to_answer == 3.0 == statistics.median([1, 3, 9])
    assert by_county[HONGSHAN].median_days_to_answer == 2.0
    assert by_county[KUNDULUN].county_name == "昆都仑区"


def test_a_county_scope_sees_its_own_county_only(db):
    build(db)
    found = queries.figures(Scope("county", KUNDULUN, role="agency"), START, END, today=TODAY)
    assert [(f.county_code, f.received) for f in found] == [(KUNDULUN, 4)]
    assert found[0].received == raw_figures(START, END, TODAY, county=KUNDULUN)[0][1]


def test_an_empty_period_gives_no_rows(db):
    assert queries.figures(PROVINCE, START, END) == []
