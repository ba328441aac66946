"""Scope predicates: what each level contains, asked of the scope instead of comparing level strings."""
from dataclasses import dataclass

import pytest

from huzhu.core.scopes import NO_SCOPE, PROVINCE, Scope


@dataclass
class Record:
    league_id: str
    county_id: str
    unit_id: int | None


@dataclass
class Unit:  # a unit carries no unit_id: it is its own
    pk: int
    league_id: str
    county_id: str


KUNDULUN_WORKER = Record("150200", "150203", 7)
HONGSHAN_WORKER = Record("150400", "150402", 9)


@pytest.mark.parametrize(("scope", "own", "other"), [
    pytest.param(PROVINCE, True, True, id="the province contains every region"),
    pytest.param(Scope("league", "150200"), True, False, id="a league contains its counties only"),
    pytest.param(Scope("county", "150203"), True, False, id="a county contains itself only"),
    pytest.param(Scope("unit", "7"), True, False, id="a unit contact's scope contains the unit's records only"),
    pytest.param(NO_SCOPE, False, False, id="no scope contains nothing"),
])
def test_a_scope_contains_the_records_of_its_region_only(scope, own, other):
    assert scope.contains(KUNDULUN_WORKER) is own
    assert scope.contains(HONGSHAN_WORKER) is other


def test_a_unit_record_is_its_own_unit():
    assert Scope("unit", "7").contains(Unit(7, "150200", "150203"))
    assert not Scope("unit", "7").contains(Unit(8, "150200", "150203"))


@pytest.mark.parametrize("level", ["none", "province", "league", "county", "unit"])
def test_exactly_one_level_predicate_holds(level):
    scope = Scope(level, "1")
    answers = {name: getattr(scope, f"is_{name}") for name in ("none", "province", "league", "county", "unit")}
    assert [name for name, holds in answers.items() if holds] == [level]
