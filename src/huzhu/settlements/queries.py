"""Reads of agreements, settlement imports and their rows.

Feeds are a province-level matter: the association reads them all; another scope reads none of
the imports, and only the matched rows of its own region (a worker's page).
"""
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from huzhu.core.scopes import Scope
from huzhu.regions.roles import association_reads, association_writes

from .models import DataSharingAgreement, SettlementImport, SettlementRow

may_read = association_reads  # the association and the province-wide auditor read
may_write = association_writes  # the association writes


def agreements(scope: Scope) -> QuerySet[DataSharingAgreement]:
    """The agreements a scope may read: all for the province, none otherwise."""
    queryset = DataSharingAgreement.objects.select_related("region")
    return queryset if scope.is_province else queryset.none()


def agreement_for(scope: Scope, pk: int) -> DataSharingAgreement:
    return get_object_or_404(agreements(scope), pk=pk)


def imports_in_scope(scope: Scope) -> QuerySet[SettlementImport]:
    """Settlement imports, newest first (province scope only)."""
    queryset = SettlementImport.objects.select_related("agreement", "created_by")
    return queryset if scope.is_province else queryset.none()


def import_for(scope: Scope, pk: int) -> SettlementImport:
    return get_object_or_404(imports_in_scope(scope), pk=pk)


def error_rows(job: SettlementImport) -> QuerySet[SettlementRow]:
    """The job's bad rows: row number, serial, masked ID, field and reason, in file order."""
    return job.rows.filter(outcome=SettlementRow.Outcome.ERROR).order_by("row_no")


def error_summary(job: SettlementImport) -> list[tuple[str, int]]:
    """Bad rows per field, most frequent first."""
    return list(error_rows(job).values_list("error_field").annotate(n=Count("pk")).order_by("-n")
                .values_list("error_field", "n"))


def rows_of(job: SettlementImport, *, outcome: str = "", limit: int = 100) -> list[SettlementRow]:
    """The first rows of a job (optionally of one outcome) for its page."""
    queryset = job.rows.order_by("row_no")
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    return list(queryset[:limit])
