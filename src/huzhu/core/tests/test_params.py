"""Request parameters (issue 16, item 17): one reading for every view — NFKC, ASCII digits only,
bounded to a bigint — and no typed value answers 500, on any page that reads a number, id, year,
page or date from the query string or a form."""
from datetime import date

import pytest
from django.http import QueryDict

from huzhu.core.params import MAX_ID, date_param, ids_param, page_param, parse_integer, year_param
from huzhu.plans.services import install_default_plans

# What users and scanners type: superscript and circled digits (str.isdigit() is True, int() fails),
# Arabic-Indic digits (int() accepts them), numbers past a bigint and past a float, words, negatives.
BAD_VALUES = ["²", "①", "١٢", "9" * 30, "9" * 400, "x", "-1", "2026-02-30", ""]


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), (" 12 ", 12), ("１２", 12), ("²", 2), ("①", 1), ("١٢", None), ("x", None), ("", None),
    (None, None), ("-1", None), ("1.5", None), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("9" * 400, None),
], ids=["ascii", "padded", "full-width", "superscript", "circled", "arabic-indic", "word", "empty", "missing",
        "negative", "decimal", "bigint-max", "past-bigint", "past-float"])
def test_an_integer_reads_as_ascii_digits_after_nfkc_within_a_bigint(text, expected):
    assert parse_integer(text) == expected


def test_page_year_date_and_ids_fall_back_to_their_defaults_on_bad_text():
    query = QueryDict(f"page={'9' * 400}&year=²⁰²⁶&on=2026-02-30&day=２０２６-０３-０１&worker=3&worker=x&worker={'9' * 30}")
    assert page_param(query) == 1 and page_param(QueryDict("page=100001")) == 1 and page_param(QueryDict("page=7")) == 7
    assert year_param(query) == 2026 and year_param(QueryDict("year=12"), default=2025) == 2025
    assert date_param(query, "on") is None and date_param(query, "day") == date(2026, 3, 1)
    assert ids_param(query, "worker") == [3]


# Every page that reads a typed parameter, with the parameter the bad value goes into.
GET_PARAMETERS = [
    ("/calculator/", "rows"), ("/calculator/?action=calculate&plan=hospitalization", "year"),
    ("/calculator/?action=calculate&plan=hospitalization&year=2026", "consecutive_years"),
    ("/payouts/", "page"), ("/payouts/new/", "approved_from"), ("/members/workers/", "page"),
    ("/members/units/", "page"), ("/claims/", "page"), ("/claims/official-days/", "year"),
    ("/ledger/", "year"), ("/ledger/budget/", "year"), ("/ledger/close/", "year"),
    ("/reports/", "year"), ("/reports/", "unit"), ("/reports/export/all.xlsx", "year"),
    ("/reports/export/all.xlsx", "unit"), ("/risk/", "year"),
    ("/campaign/", "year"), ("/campaign/", "pick"), ("/campaign/follow-up/", "page"), ("/campaign/outreach/", "page"),
    ("/campaign/evaluation/", "start"), ("/campaign/targets/", "year"), ("/enrollment/renew/", "unit"),
    ("/enrollment/renew/?unit=1", "plan_year"), ("/actuarial/new/whatif/", "base_year"),
    ("/plans/hospitalization/2026/diff/", "from"), ("/plans/hospitalization/2026/diff/", "to"),
    ("/api/v1/members/workers", "unit"), ("/api/v1/members/workers", "page"),
    ("/api/v1/enrollment/enrollments", "unit"), ("/api/v1/claims", "page"),
]


@pytest.fixture
def signed_in(client, association_approver):
    install_default_plans(years=[2026, 2027])
    client.force_login(association_approver)
    return client


@pytest.mark.parametrize(("page", "name"), GET_PARAMETERS, ids=lambda v: str(v))
def test_a_bad_query_parameter_never_answers_a_server_error(signed_in, page, name):
    signed_in.raise_request_exception = False
    joiner = "&" if "?" in page else "?"
    answers = {value: signed_in.get(f"{page}{joiner}{name}={value}" if name != "pick"
                                    else f"{page}?pick=hospitalization:{value}").status_code for value in BAD_VALUES}
    assert all(status < 500 for status in answers.values()), answers


@pytest.mark.parametrize(("page", "form"), [
    ("/campaign/outreach/new/", {"held_on": "2026-08-01", "kind": "lecture", "place": "会议室", "audience_size": "{}"}),
    ("/campaign/outreach/new/", {"held_on": "2026-08-01", "kind": "lecture", "place": "会议室", "audience_size": "5",
                                 "units": "{}"}),
    ("/ledger/budget/", {"holder": "office:{}", "amount": "1000.00"}),
], ids=["outreach-audience", "outreach-units", "budget-holder"])
def test_a_bad_form_number_never_answers_a_server_error(signed_in, page, form):
    signed_in.raise_request_exception = False
    answers = {value: signed_in.post(page, {k: v.format(value) for k, v in form.items()}).status_code
               for value in BAD_VALUES}
    assert all(status < 500 for status in answers.values()), answers
