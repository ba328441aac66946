"""Public policy pages (政策宣讲): no login; everything shown is read from the plan year's terms."""
from django.http import Http404
from django.shortcuts import render

from huzhu.plans import queries as plan_queries
from huzhu.plans.rules import claim_deadline

from . import queries
from .examples import worked_examples


def _agency_chooser(request) -> dict:
    """The league → county GET form and what it found; a county outside the league is dropped."""
    league_code = request.GET.get("league", "").strip()
    county_code = request.GET.get("county", "").strip()
    league_choices, county_choices = queries.agency_point_choices(league_code)
    if county_code and not county_choices.filter(code=county_code).exists():
        county_code = ""
    chosen = bool(league_code or county_code)
    return {
        "leagues": league_choices, "counties": county_choices, "league": league_code, "county": county_code,
        "chosen": chosen, "agency_points": queries.agency_points_near(league_code=league_code, county_code=county_code),
    }


def index(request):
    return render(request, "portal/policy/index.html", {
        "plans": plan_queries.published_plans(), **_agency_chooser(request),
    })


def plan_year(request, plan: str, year: int):
    found = plan_queries.published_plan_year(plan, year)
    if found is None:
        raise Http404
    terms = found.terms
    return render(request, "portal/policy/plan_year.html", {
        "plan_year": found, "terms": terms, "claim_deadline_on": claim_deadline(terms),
        "examples": worked_examples(terms), **_agency_chooser(request),
    })
