"""Business dates: `*_on` are dates, periods are half-open [start, end)."""
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """A half-open date period [start, end)."""

    start: date
    end: date

    @classmethod
    def inclusive(cls, first: date, last: date) -> "Period":
        return cls(first, last + timedelta(days=1))

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def age_on(birth: date, day: date) -> int:
    """Completed years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def parse_iso_date(text: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise ValueError(f"日期格式不正确（应为 YYYY-MM-DD）：{text!r}") from exc


def within_days(queryset, field: str, *, from_on: date | None = None, to_on: date | None = None):
    """Rows whose timestamp `field` falls on a day from `from_on` to `to_on`, both included (either may be open)."""
    if from_on:
        queryset = queryset.filter(**{f"{field}__date__gte": from_on})
    if to_on:
        queryset = queryset.filter(**{f"{field}__date__lte": to_on})
    return queryset
