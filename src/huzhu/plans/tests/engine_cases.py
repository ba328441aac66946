"""Builders shared by the engine tests: a worker, events by short names, the default terms."""
from datetime import date
from decimal import Decimal

from huzhu.plans.default_terms import default_terms
from huzhu.plans.rules import DiagnosisEvent, InpatientEvent, Member, OutpatientEvent, ProcedureEvent

HOSPITAL = default_terms("hospitalization", 2026)
WOMEN = default_terms("women_health", 2026)


def worker(gender="F", birth="1985-03-02", years=3, **fields) -> Member:
    return Member(gender=gender, birth_date=date.fromisoformat(birth), consecutive_years=years, **fields)


def stay(admitted: str, discharged: str, self_pay: str) -> InpatientEvent:
    return InpatientEvent(date.fromisoformat(admitted), date.fromisoformat(discharged), Decimal(self_pay))


def outpatient(start: str, end: str, self_pay: str) -> OutpatientEvent:
    return OutpatientEvent(date.fromisoformat(start), date.fromisoformat(end), Decimal(self_pay))


def diagnosis(day: str, icd10: str) -> DiagnosisEvent:
    return DiagnosisEvent(date.fromisoformat(day), icd10)


def procedure(day: str, name: str) -> ProcedureEvent:
    return ProcedureEvent(date.fromisoformat(day), name)
