"""Reads of the hospitals app: the registry, settlements at discharge, batches and the disputes queue."""
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from huzhu.core.errors import NotFound
from huzhu.core.identifiers import serial_form
from huzhu.core.scopes import Scope
from huzhu.regions.roles import association_reads, association_writes

from .models import DischargeSettlement, PartnerHospital, ReimbursementBatch

D = DischargeSettlement
may_read = association_reads  # the association and the province-wide auditor read
may_write = association_writes  # the association writes


def hospitals(scope: Scope) -> QuerySet[PartnerHospital]:
    """The registry (province-level roles), with each hospital's settled count and what it is owed."""
    qs = PartnerHospital.objects.select_related("league", "county").annotate(
        settled=Count("discharges", filter=Q(discharges__status=D.Status.SETTLED)),
        owed=Sum("discharges__benefit_amount", filter=Q(discharges__status=D.Status.SETTLED,
                                                         discharges__reimbursed_on__isnull=True)))
    return qs if may_read(scope) else qs.none()


def hospital_by_code(code: str) -> PartnerHospital | None:
    """The registered hospital of a 定点机构编码 (unscoped: the demo's login list, the API's own checks)."""
    return PartnerHospital.objects.filter(code=code).first()


def hospital_for(scope: Scope, pk: int) -> PartnerHospital:
    return get_object_or_404(hospitals(scope), pk=pk)


def discharges_of(hospital: PartnerHospital) -> QuerySet[DischargeSettlement]:
    return D.objects.filter(hospital=hospital).order_by("-settled_at", "-pk")


def discharge_of_hospital(hospital: PartnerHospital, serial: str) -> DischargeSettlement:
    """One settlement of this hospital by serial (another hospital's serial is not found)."""
    found = D.objects.filter(hospital=hospital, serial=serial_form(serial)).first()
    if found is None:
        raise NotFound()
    return found


def batches(scope: Scope, hospital: PartnerHospital | None = None) -> QuerySet[ReimbursementBatch]:
    qs = ReimbursementBatch.objects.select_related("hospital", "created_by")
    if hospital is not None:
        qs = qs.filter(hospital=hospital)
    return qs if may_read(scope) else qs.none()


def batch_for(scope: Scope, pk: int) -> ReimbursementBatch:
    return get_object_or_404(batches(scope), pk=pk)


def batch_lines(batch: ReimbursementBatch) -> QuerySet[DischargeSettlement]:
    return D.objects.filter(batch=batch).order_by("settled_on", "pk")


def disputes(scope: Scope) -> QuerySet[DischargeSettlement]:
    """The lines a statement disputed, waiting for the association (oldest first)."""
    qs = D.objects.filter(reconciliation=D.Reconciliation.DISPUTED).select_related("hospital").order_by("settled_on", "pk")
    return qs if may_read(scope) else qs.none()


def discharge_for(scope: Scope, pk: int) -> DischargeSettlement:
    return get_object_or_404(D.objects.all() if may_read(scope) else D.objects.none(), pk=pk)


def failed_batches(scope: Scope) -> QuerySet[ReimbursementBatch]:
    return batches(scope).filter(status=ReimbursementBatch.Status.FAILED)
