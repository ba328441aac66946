"""Enrollment fixtures: plan years 2025–2027 with the default terms, and helpers to build rosters."""
import csv
import io
from datetime import date

import openpyxl
import pytest

from huzhu.conftest import SYSTEM, make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.enrollment import services
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans

IN_WINDOW = date(2025, 11, 1)  # inside the 2026 enrollment window (2025-07-01 .. 2025-12-10)


@pytest.fixture
def plan_years(db):
    install_default_plans(years=(2025, 2026, 2027))
    return {(p.plan_id, p.year): p for p in PlanYear.objects.select_related("current_version")}


@pytest.fixture
def hospitalization_2026(plan_years):
    return plan_years[("hospitalization", 2026)]


@pytest.fixture
def women_2026(plan_years):
    return plan_years[("women_health", 2026)]


@pytest.fixture
def system_scope():
    return SYSTEM


@pytest.fixture
def draft(hospitalization_2026, system_scope):
    """A draft 2026 hospitalization enrollment of a unit with no declared headcount."""
    unit = make_unit(eligible_headcount=0, female_headcount=0)
    return services.start_enrollment(actor=SystemActor(system_scope), unit=unit, plan_year=hospitalization_2026,
                                     today=IN_WINDOW)


def staff_unit(count: int, *, county: str = "150203", female: int = 0, **fields):
    """A unit that declares `count` eligible staff, with that many workers on its roster."""
    unit = make_unit(county, eligible_headcount=count, female_headcount=female, **fields)
    workers = [make_worker(unit, gender="F" if i < female else "M") for i in range(count)]
    return unit, workers


def xlsx_bytes(rows, header=("姓名", "身份证号", "手机号", "人员类别", "入职日期")) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if header:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, header=("姓名", "身份证号", "手机号", "人员类别", "入职日期"), encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
