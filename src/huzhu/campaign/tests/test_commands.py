"""`huzhu campaign progress` and `huzhu campaign snapshot` on the command line."""
import io

import pytest
from django.core.management import CommandError, call_command

from huzhu.campaign.models import ProgressSnapshot

from .conftest import BAOTOU, KUNDULUN, TODAY
from .test_progress import expected


def run(*args) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


def test_progress_prints_every_league_and_the_total(scenario, year_2027):
    text = run("progress", "--year", "2027", "--as-of", TODAY.isoformat())
    lines = text.splitlines()
    assert lines[0].startswith("职工住院医疗互助保障 2027 参互进度（截至 2026-11-20")
    assert "剩余 21 天" in lines[0]
    assert lines[1].split()[:4] == ["区划", "上年单位", "上年人数", "目标单位"]
    want = expected(scenario, league=BAOTOU)
    baotou = next(line for line in lines if line.startswith("包头市")).split()
    assert baotou[1:3] == [str(want["units_last_year"]), str(want["people_last_year"])]
    assert baotou[5:10] == [str(want[k]) for k in ("units_enrolled", "renewed_units", "new_units", "lost_units",
                                                   "people_enrolled")]
    total = next(line for line in lines if line.startswith("合计")).split()
    assert total[9] == str(expected(scenario)["people_enrolled"])
    assert "以上年实际为目标" in text


def test_progress_of_one_league_lists_its_counties(scenario, year_2027):
    text = run("progress", "--year", "2027", "--league", BAOTOU, "--as-of", TODAY.isoformat())
    kundulun = next(line for line in text.splitlines() if line.startswith("昆都仑区")).split()
    assert kundulun[9] == str(expected(scenario, county=KUNDULUN)["people_enrolled"])
    assert "红山区" not in text


def test_an_unknown_year_exits_with_code_two(plan_years):
    with pytest.raises(CommandError) as failed:
        run("progress", "--year", "2031")
    assert failed.value.returncode == 2


def test_snapshot_twice_on_one_day_keeps_one_row_per_division(scenario, year_2027):
    run("snapshot", "--on", TODAY.isoformat())
    first = ProgressSnapshot.objects.count()
    text = run("snapshot", "--on", TODAY.isoformat())
    assert "职工住院医疗互助保障 2027" in text
    assert ProgressSnapshot.objects.count() == first > 0
