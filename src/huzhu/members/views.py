"""Web pages for units and workers: parse, call one query, render."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from huzhu.regions.queries import counties, scope_of

from . import queries

PAGE_SIZE = 25


@login_required
def unit_list(request):
    scope = scope_of(request.user)
    text = request.GET.get("q", "")
    county = request.GET.get("county", "")
    units = queries.search_units(scope, text=text, county_code=county)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    county_choices = scope.filter(counties(), league="parent_id", county="code") if scope.level != "unit" else []
    return render(request, "members/unit_list.html",
                  {"page": page, "q": text, "county": county, "counties": county_choices})


@login_required
def unit_detail(request, pk: int):
    scope = scope_of(request.user)
    unit = queries.unit_for(scope, pk)
    workers = Paginator(queries.search_workers(scope, unit_id=unit.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/unit_detail.html", {"unit": unit, "page": workers})


@login_required
def worker_list(request):
    scope = scope_of(request.user)
    text = request.GET.get("q", "")
    county = request.GET.get("county", "")
    workers = queries.search_workers(scope, text=text, county_code=county)
    page = Paginator(workers, PAGE_SIZE).get_page(request.GET.get("page"))
    county_choices = scope.filter(counties(), league="parent_id", county="code") if scope.level != "unit" else []
    return render(request, "members/worker_list.html",
                  {"page": page, "q": text, "county": county, "counties": county_choices})


@login_required
def worker_detail(request, pk: int):
    scope = scope_of(request.user)
    worker = queries.worker_for(scope, pk)
    employments = worker.employments.select_related("unit").order_by("-started_on")
    return render(request, "members/worker_detail.html", {"worker": worker, "employments": employments})
