"""Region scope: what part of the scheme an actor may see. Applied in queries.py, never in views."""
from dataclasses import dataclass
from typing import Literal

Level = Literal["none", "province", "league", "county", "unit"]


@dataclass(frozen=True)
class Scope:
    """A region scope. `code` is a league or county GB/T 2260 code, or a unit id."""

    level: Level
    code: str = ""
    role: str = ""

    def filter(self, queryset, *, league: str = "league_id", county: str = "county_id", unit: str = "unit_id"):
        """Restrict a queryset to this scope, given the names of its league, county and unit fields."""
        if self.level == "province":
            return queryset
        if self.level == "league":
            return queryset.filter(**{league: self.code})
        if self.level == "county":
            return queryset.filter(**{county: self.code})
        if self.level == "unit":
            return queryset.filter(**{unit: int(self.code)})
        return queryset.none()

    @property
    def is_none(self) -> bool:
        """No region at all (the three administrators, anonymous): every scoped read is empty."""
        return self.level == "none"

    @property
    def is_province(self) -> bool:
        return self.level == "province"

    @property
    def is_league(self) -> bool:
        return self.level == "league"

    @property
    def is_county(self) -> bool:
        return self.level == "county"

    @property
    def is_unit(self) -> bool:
        return self.level == "unit"

    def contains(self, record) -> bool:
        """Whether a record carrying `league_id` and `county_id` (and `unit_id`; a unit is its own) is in scope."""
        unit_id = record.unit_id if hasattr(record, "unit_id") else record.pk
        return self.includes(league_code=record.league_id, county_code=record.county_id, unit_id=unit_id)

    def includes(self, *, league_code: str = "", county_code: str = "", unit_id: int | None = None) -> bool:
        if self.level == "province":
            return True
        if self.level == "league":
            return league_code == self.code
        if self.level == "county":
            return county_code == self.code
        if self.level == "unit":
            return unit_id is not None and str(unit_id) == self.code
        return False


NO_SCOPE = Scope("none")
PROVINCE = Scope("province", role="association")
