"""Data-sharing agreements with medical-insurance bureaus: recorded and changed by the association."""
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import PermissionDenied, ValidationFailed
from huzhu.regions.queries import scope_of

from .. import queries
from ..models import DataSharingAgreement

FIELDS = ("bureau_name", "region_id", "starts_on", "ends_on", "shared_fields", "contact_name", "contact_phone",
          "retention_days")


def _check(values: dict) -> None:
    if values["ends_on"] < values["starts_on"]:
        raise ValidationFailed("agreement_invalid", _("协议止期早于起期"), field="ends_on")
    if not 1 <= int(values["retention_days"]) <= 3650:
        raise ValidationFailed("agreement_invalid", _("原始数据保存天数应在1到3650天之间"), field="retention_days")


def _may_write(actor: Actor) -> None:
    if not queries.may_write(scope_of(actor)):
        raise PermissionDenied(_("只有协会可以登记医保数据共享协议"))


@transaction.atomic
def save_agreement(*, actor: Actor, agreement: DataSharingAgreement | None = None, bureau_name: str, region_id: str | None,
                   starts_on: date, ends_on: date, shared_fields: str = "", contact_name: str = "",
                   contact_phone: str = "", retention_days: int = 180) -> DataSharingAgreement:
    """Record a new agreement, or change one (audited with before and after)."""
    _may_write(actor)
    values = {"bureau_name": bureau_name.strip(), "region_id": region_id or None, "starts_on": starts_on, "ends_on": ends_on,
              "shared_fields": shared_fields.strip(), "contact_name": contact_name.strip(),
              "contact_phone": contact_phone.strip(), "retention_days": int(retention_days)}
    _check(values)
    before = None
    if agreement is None:
        agreement = DataSharingAgreement.objects.create(created_by=user_of(actor), **values)
    else:
        before = {name: str(getattr(agreement, name)) for name in FIELDS}
        for name, value in values.items():
            setattr(agreement, name, value)
        agreement.save()
    record_event(actor=actor, action="save_data_sharing_agreement", object_type="DataSharingAgreement",
                 object_id=agreement.pk, before=before, after={name: str(values[name]) for name in FIELDS})
    return agreement
