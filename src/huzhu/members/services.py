"""Writes to units and workers: validated, atomic, audited."""
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.actors import Actor, WorkerActor, user_of
from huzhu.core.bulk import RowSource
from huzhu.core.crypto import blind_index, blind_indexes, encrypt_text
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.identifiers import normalise_bank_account
from huzhu.core.idnumbers import mask_account, mask_mobile, parse_credit_code, parse_mobile, parse_resident_id
from huzhu.core.names import clean_person_name, clean_unit_name
from huzhu.regions.models import Division
from huzhu.regions.queries import scope_of

from .models import DataConsent, Employment, MemberUnit, Worker
from .queries import consenting_worker_ids, workers_in_scope


def _parsed(field: str, parse, *args, **kwargs):
    """`parse(*args, **kwargs)`, its ValueError turned into a refusal that names the field."""
    try:
        return parse(*args, **kwargs)
    except ValueError as exc:
        raise _field_error(field, exc) from exc


def _field_error(field: str, exc: ValueError) -> ValidationFailed:
    return ValidationFailed(f"invalid_{field}", str(exc), field=field)


@transaction.atomic
def register_unit(*, actor: Actor, name: str, credit_code: str, county_code: str,
                  kind: str = MemberUnit.Kind.ENTERPRISE, sector: str = "", eligible_headcount: int = 0,
                  female_headcount: int = 0, contact_name: str = "", contact_phone: str = "",
                  parent_union: MemberUnit | None = None) -> MemberUnit:
    """Register a member unit in a county of the actor's scope."""
    scope = scope_of(actor)
    name = _parsed("name", clean_unit_name, name)
    if contact_name:
        contact_name = _parsed("contact_name", clean_person_name, contact_name)
    code = _parsed("credit_code", parse_credit_code, credit_code)
    county = Division.objects.filter(code=county_code, level=Division.Level.COUNTY).first()
    if county is None or county.parent_id is None:
        raise ValidationFailed("invalid_county", _("旗县代码 %(code)s 不存在") % {"code": county_code}, field="county")
    if not scope.includes(league_code=county.parent_id, county_code=county.code):
        raise NotFound(_("该旗县不在您的管辖范围内"))  # divisions are public: the message may name it
    if female_headcount > eligible_headcount:
        raise ValidationFailed("invalid_female_headcount", _("女职工人数不能大于职工人数"), field="female_headcount")
    if contact_phone:
        contact_phone = _parsed("contact_phone", parse_mobile, contact_phone)
    if MemberUnit.objects.filter(credit_code=code).exists():
        raise Conflict("duplicate_unit", _("统一社会信用代码 %(code)s 的单位已登记") % {"code": code}, field="credit_code")
    unit = MemberUnit.objects.create(
        name=name, credit_code=code, kind=kind, sector=sector, league_id=county.parent_id, county=county,
        has_union=parent_union is None, parent_union=parent_union, eligible_headcount=eligible_headcount,
        female_headcount=female_headcount, contact_name=contact_name, **contact_phone_columns(contact_phone),
    )
    record_event(actor=actor, action="register_unit", object_type="MemberUnit", object_id=unit.pk,
                 after={"name": unit.name, "credit_code": code, "county": county.code})
    return unit


@transaction.atomic
def register_worker(*, actor: Actor, unit: MemberUnit, name: str, id_number: str, phone: str = "",
                    kind: str = Worker.Kind.EMPLOYEE, started_on: date | None = None, ethnicity: str = "",
                    bank_name: str = "", bank_account: str = "", today: date | None = None) -> Worker:
    """Register a worker at a unit: ID number validated, encrypted, unique across the scheme."""
    scope = scope_of(actor)
    today = today or timezone.localdate()
    if not scope.contains(unit):
        raise NotFound()
    name = _parsed("name", clean_person_name, name)
    rid = _parsed("id_number", parse_resident_id, id_number, today=today)
    if phone:
        phone = _parsed("phone", parse_mobile, phone)
    account = _bank_account_digits(bank_account)
    index = blind_index(rid.number)
    if Worker.objects.filter(id_number_index__in=blind_indexes(rid.number)).exists():
        raise Conflict("duplicate_worker", _("身份证号 %(id)s 的职工已登记") % {"id": rid.masked}, field="id_number")
    try:
        with transaction.atomic():
            worker = Worker.objects.create(
                name=name, id_number_encrypted=encrypt_text(rid.number), id_number_index=index,
                id_number_masked=rid.masked, gender=rid.gender, birth_on=rid.birth_date, ethnicity=ethnicity,
                **phone_columns(phone), kind=kind, unit=unit, league_id=unit.league_id, county_id=unit.county_id,
                bank_name=bank_name, bank_account_encrypted=encrypt_text(account) if account else "",
                bank_account_masked=mask_account(account) if account else "",
                bank_account_index=blind_index(account) if account else "",
            )
    except IntegrityError as exc:  # a concurrent registration of the same number won
        raise Conflict("duplicate_worker", _("身份证号 %(id)s 的职工已登记") % {"id": rid.masked}, field="id_number") from exc
    Employment.objects.create(worker=worker, unit=unit, started_on=started_on or today)
    record_event(actor=actor, action="register_worker", object_type="Worker", object_id=worker.pk,
                 after={"name": worker.name, "id_number": rid.masked, "unit": unit.pk,
                        "region_warning": rid.region_warning})
    return worker


def contact_phone_columns(phone: str) -> dict[str, str]:
    """A unit contact's registered mobile as its three columns (ciphertext, blind index, masked)."""
    return {"contact_phone_" + key.removeprefix("phone_"): value for key, value in phone_columns(phone).items()}


def phone_columns(phone: str) -> dict[str, str]:
    """A parsed mobile (or "") as the stored columns: ciphertext, blind index, masked form."""
    if not phone:
        return {"phone_encrypted": "", "phone_index": "", "phone_masked": ""}
    return {"phone_encrypted": encrypt_text(phone), "phone_index": blind_index(phone), "phone_masked": mask_mobile(phone)}


def _bank_account_digits(bank_account: str) -> str:
    """The card number in its stored form (core.identifiers): 12 to 19 ASCII digits, or empty."""
    account = _parsed("bank_account", normalise_bank_account, bank_account)
    if account and not (account.isdigit() and 12 <= len(account) <= 19):
        raise ValidationFailed("invalid_bank_account", _("银行卡号应为12至19位数字"), field="bank_account")
    return account


@transaction.atomic
def change_bank_account(*, actor: Actor, worker: Worker, bank_name: str, bank_account: str,
                        reason: str) -> Worker:
    """Record a worker's corrected bank card (e.g. after a failed payout); audited with masked numbers."""
    # The worker herself (texted code) may change her own card; staff only inside their scope.
    is_herself = isinstance(actor, WorkerActor) and actor.worker_id == worker.pk
    if not is_herself and not scope_of(actor).contains(worker):
        raise NotFound()
    account = _bank_account_digits(bank_account.strip())
    if not account:
        raise ValidationFailed("invalid_bank_account", _("请填写银行卡号"), field="bank_account")
    if not bank_name.strip():
        raise ValidationFailed("invalid_bank_name", _("请填写开户银行"), field="bank_name")
    if not reason.strip():
        raise ValidationFailed("reason_required", _("请填写更正原因"), field="reason")
    locked = Worker.objects.select_for_update().get(pk=worker.pk)
    before = {"bank_name": locked.bank_name, "bank_account": locked.bank_account_masked}
    locked.bank_name = bank_name.strip()[:50]
    locked.bank_account_encrypted = encrypt_text(account)
    locked.bank_account_masked = mask_account(account)
    locked.bank_account_index = blind_index(account)  # risk's shared-account check looks here
    locked.save(update_fields=["bank_name", "bank_account_encrypted", "bank_account_masked", "bank_account_index"])
    record_event(actor=actor, action="change_bank_account", object_type="Worker", object_id=worker.pk,
                 before=before, after={"bank_name": locked.bank_name, "bank_account": locked.bank_account_masked,
                                       "reason": reason.strip()[:200]})
    worker.bank_name, worker.bank_account_masked = locked.bank_name, locked.bank_account_masked
    worker.bank_account_encrypted, worker.bank_account_index = locked.bank_account_encrypted, locked.bank_account_index
    return worker


# --- set-based paths used by enrollment imports (rows already validated, encrypted and indexed) -----

# The columns, in order, of a RowSource of prepared workers: ID numbers validated, encrypted and
# blind-indexed by the caller (phones too, or all three empty); `started_on` may be NULL (employed
# from the import day).
PREPARED_WORKER_COLUMNS = ("name", "id_number_encrypted", "id_number_index", "id_number_masked", "gender",
                           "birth_on", "ethnicity", "phone_encrypted", "phone_index", "phone_masked", "kind",
                           "started_on")


def register_prepared_workers(*, actor: Actor, unit: MemberUnit, source: RowSource, today: date) -> int:
    """Register at `unit` the workers a source selects (PREPARED_WORKER_COLUMNS), with their employments.

    Set-based (two INSERT … SELECT); the caller holds the transaction and has checked that none of
    them is registered yet (the unique blind index refuses a duplicate). Returns the count.
    Rows go in in key order (workers by name, employments by worker) so that the indexes on those
    keys fill page by page instead of at random.
    """
    ops = connection.ops
    worker, employment = ops.quote_name(Worker._meta.db_table), ops.quote_name(Employment._meta.db_table)
    person = ", ".join(PREPARED_WORKER_COLUMNS[:-1])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {worker} ({person}, unit_id, league_id, county_id, bank_name, bank_account_encrypted,"
            f" bank_account_masked, bank_account_index, created_at)"
            f" SELECT {person}, %s, %s, %s, '', '', '', '', %s FROM ({source.sql}) source ORDER BY name",
            (unit.pk, unit.league_id, unit.county_id, ops.adapt_datetimefield_value(timezone.now()), *source.params))
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {employment} (worker_id, unit_id, started_on)"
            f" SELECT worker.id, %s, COALESCE(source.started_on, %s) FROM ({source.sql}) source"
            f" JOIN {worker} worker ON worker.id_number_index = source.id_number_index ORDER BY worker.id",
            (unit.pk, ops.adapt_datefield_value(today), *source.params))
    if created:
        record_bulk_event(actor=actor, action="bulk_register_workers", object_type="Worker",
                          object_ids=range(created), summary={"unit": unit.pk, "count": created})
    return created


def employ_registered_workers(*, actor: Actor, unit: MemberUnit, source: RowSource, started_on: date) -> int:
    """Employ at `unit` from `started_on` those workers of a source (one column: worker_id) employed nowhere now.

    Set-based; the others (still employed somewhere) are left as they are. Returns how many moved.
    """
    ops = connection.ops
    worker, employment = ops.quote_name(Worker._meta.db_table), ops.quote_name(Employment._meta.db_table)
    unemployed = (f"SELECT worker.id FROM {worker} worker"
                  f" WHERE worker.unit_id IS NULL AND worker.id IN (SELECT worker_id FROM ({source.sql}) source)")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {employment} (worker_id, unit_id, started_on) SELECT id, %s, %s FROM ({unemployed}) w",
                       (unit.pk, ops.adapt_datefield_value(started_on), *source.params))
        cursor.execute(f"UPDATE {worker} SET unit_id = %s, league_id = %s, county_id = %s"
                       f" WHERE unit_id IS NULL AND id IN (SELECT worker_id FROM ({source.sql}) source)",
                       (unit.pk, unit.league_id, unit.county_id, *source.params))
        moved = cursor.rowcount
    if moved:
        record_bulk_event(actor=actor, action="bulk_employ_workers", object_type="Worker",
                          object_ids=range(moved), summary={"unit": unit.pk, "count": moved})
    return moved


@transaction.atomic
def end_employment(*, actor: Actor, worker: Worker, ended_on: date) -> Employment:
    """Record that a worker left their current unit on `ended_on` (the worker stays registered)."""
    scope = scope_of(actor)
    unit = worker.unit
    if unit is None:
        raise Conflict("not_employed", _("%(name)s当前不在任何单位在职") % {"name": worker.name})
    if not scope.contains(unit):
        raise NotFound()
    employment = Employment.objects.select_for_update().filter(worker=worker, ended_on__isnull=True).first()
    if employment is None:
        raise Conflict("not_employed", _("%(name)s没有在职记录") % {"name": worker.name})
    if ended_on < employment.started_on:
        raise ValidationFailed("invalid_ended_on", _("离职日期早于入职日期"), field="ended_on")
    employment.ended_on = ended_on
    employment.save(update_fields=["ended_on"])
    Worker.objects.filter(pk=worker.pk).update(unit=None)
    worker.unit = None
    record_event(actor=actor, action="end_employment", object_type="Worker", object_id=worker.pk,
                 before={"unit": unit.pk}, after={"unit": None, "ended_on": ended_on.isoformat()})
    return employment


# --- consent to medical-insurance data matching (免申即享) ------------------------------------

# What the unit contact ticks before declaring consent for her workers; its version goes into the audit event.
UNIT_DECLARATION_VERSION = "2026-1"


def _consent_source(actor: Actor, source: str) -> str:
    # a worker speaks only for herself, through her own door
    if source not in DataConsent.Source.values or (isinstance(actor, WorkerActor) and source != DataConsent.Source.WORKER):
        raise ValidationFailed("invalid_consent_source", _("请选择同意方式"), field="source")
    return source


def _ensure_workers_visible(actor: Actor, ids: set[int]) -> None:
    """Every worker named must be the worker herself, or inside the staff actor's scope (else 404)."""
    if isinstance(actor, WorkerActor):
        visible = ids & {actor.worker_id}
    else:
        visible = set(workers_in_scope(scope_of(actor)).filter(pk__in=ids).values_list("pk", flat=True))
    if visible != ids:
        raise NotFound()


@transaction.atomic
def give_data_consent(*, actor: Actor, worker_ids, source: str, declaration: str = "") -> int:
    """Record consent to medical-insurance data matching for workers in the actor's scope (set-based).

    Workers who already consent are left as they are (their first consent stands); returns how many
    new consents were recorded. A worker may consent only for herself; a unit's declaration names the
    version of the text its contact ticked (`declaration`).
    """
    source = _consent_source(actor, source)
    ids = {int(pk) for pk in worker_ids}
    if not ids:
        raise ValidationFailed("no_workers_chosen", _("请选择要登记同意的职工"), field="workers")
    _ensure_workers_visible(actor, ids)
    already = consenting_worker_ids(ids)
    now, user = timezone.now(), user_of(actor)
    new = [DataConsent(worker_id=pk, source=source, given_at=now, given_by=user) for pk in sorted(ids - already)]
    DataConsent.objects.bulk_create(new)
    summary = {"source": source, "count": len(new)} | ({"declaration": declaration} if declaration else {})
    if len(new) == 1:
        record_event(actor=actor, action="give_data_consent", object_type="Worker", object_id=new[0].worker_id,
                     before={"consent": False}, after={"consent": True, **summary})
    elif new:
        record_bulk_event(actor=actor, action="give_data_consent", object_type="Worker",
                          object_ids=[c.worker_id for c in new],
                          summary={**summary, "workers": [c.worker_id for c in new][:50]})
    return len(new)


@transaction.atomic
def withdraw_data_consent(*, actor: Actor, worker: Worker, source: str) -> bool:
    """Withdraw a worker's consent (from now on her settlements are not matched); False when none was open."""
    source = _consent_source(actor, source)
    _ensure_workers_visible(actor, {worker.pk})
    withdrawn = DataConsent.objects.filter(worker=worker, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_source=source, withdrawn_by=user_of(actor))
    if withdrawn:
        record_event(actor=actor, action="withdraw_data_consent", object_type="Worker", object_id=worker.pk,
                     before={"consent": True}, after={"consent": False, "source": source})
    return bool(withdrawn)


# Sources a roster's "否" may close: what the unit itself said before (never the worker's own word or the desk's paper).
_UNIT_SOURCES = (DataConsent.Source.ROSTER, DataConsent.Source.UNIT)


def apply_roster_consents(*, actor: Actor, unit: MemberUnit, source: RowSource) -> tuple[int, int]:
    """The roster's consent column, set-based: "是" opens a consent (source roster) where none is open,
    "否" closes an open consent the unit gave (roster or declaration). Returns (given, withdrawn).

    `source` selects two columns, `worker_id` and `answer` ("Y" / "N"), of workers of `unit` (the
    import has checked them); the caller holds the transaction.
    """
    ops = connection.ops
    table = ops.quote_name(DataConsent._meta.db_table)
    now = ops.adapt_datetimefield_value(timezone.now())
    user = user_of(actor)
    user_pk = user.pk if user is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET withdrawn_at = %s, withdrawn_source = %s, withdrawn_by_id = %s"
            f" WHERE withdrawn_at IS NULL AND source IN (%s, %s)"
            f" AND worker_id IN (SELECT worker_id FROM ({source.sql}) source WHERE answer = 'N')",
            (now, DataConsent.Source.ROSTER, user_pk, *_UNIT_SOURCES, *source.params))
        withdrawn = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} (worker_id, source, given_at, given_by_id, withdrawn_source)"
            f" SELECT DISTINCT source.worker_id, %s, %s, CAST(%s AS INTEGER), '' FROM ({source.sql}) source"
            f" WHERE source.answer = 'Y' AND NOT EXISTS (SELECT 1 FROM {table} c"
            f" WHERE c.worker_id = source.worker_id AND c.withdrawn_at IS NULL)"
            f" ORDER BY source.worker_id",
            (DataConsent.Source.ROSTER, now, user_pk, *source.params))
        given = cursor.rowcount
    if given or withdrawn:
        record_bulk_event(actor=actor, action="roster_data_consent", object_type="Worker",
                          object_ids=range(given + withdrawn),
                          summary={"unit": unit.pk, "source": DataConsent.Source.ROSTER, "given": given,
                                   "withdrawn": withdrawn})
    return given, withdrawn
