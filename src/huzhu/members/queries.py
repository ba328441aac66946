"""Reads of units and workers, always filtered by the actor's region scope."""
import re
from collections.abc import Callable, Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from huzhu.core.crypto import blind_indexes
from huzhu.core.idnumbers import normalize
from huzhu.core.scopes import Scope

from .models import DataConsent, MemberUnit, Worker


def units_in_scope(scope: Scope) -> QuerySet[MemberUnit]:
    """Member units the scope may see (a unit contact: only their own unit)."""
    qs = MemberUnit.objects.select_related("county", "league")
    return scope.filter(qs, unit="pk")


def consenting_worker_ids(worker_ids) -> set[int]:
    """Of these workers, those whose consent to medical-insurance data matching is open now."""
    return set(DataConsent.objects.filter(worker_id__in=worker_ids, withdrawn_at__isnull=True)
               .values_list("worker_id", flat=True))


def data_consent_of(worker_id: int) -> DataConsent | None:
    """The worker's open consent, or None."""
    return DataConsent.objects.filter(worker_id=worker_id, withdrawn_at__isnull=True).first()


def data_consent_history(worker_id: int) -> QuerySet[DataConsent]:
    """Every consent of the worker and its withdrawal, newest first, with who recorded them."""
    return (DataConsent.objects.filter(worker_id=worker_id).select_related("given_by", "withdrawn_by")
            .order_by("-given_at", "-pk"))


def unit_workers_with_consent(scope: Scope, unit_id: int) -> QuerySet[Worker]:
    """The workers on a unit's roster inside the scope, each annotated with `consent_source` and
    `consent_given_at` of her open consent (None when she does not consent), by name."""
    open_consent = DataConsent.objects.filter(worker_id=OuterRef("pk"), withdrawn_at__isnull=True)
    return (workers_in_scope(scope).filter(unit_id=unit_id)
            .annotate(consent_source=Subquery(open_consent.values("source")[:1]),
                      consent_given_at=Subquery(open_consent.values("given_at")[:1]))
            .order_by("name", "pk"))


def workers_in_scope(scope: Scope) -> QuerySet[Worker]:
    """Workers the scope may see: by their current unit's county, league or unit."""
    return scope.filter(Worker.objects.select_related("unit", "county"))


def search_units(scope: Scope, *, text: str = "", county_code: str = "") -> QuerySet[MemberUnit]:
    """Units by name or credit code fragment, optionally in one county."""
    qs = units_in_scope(scope)
    if county_code:
        qs = qs.filter(county_id=county_code)
    text = text.strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(credit_code__startswith=normalize(text)))
    return qs.order_by("name", "pk")


PICK_LIMIT = 20  # a search-as-you-type list shows this many; more means "type more"


def units_matching(scope: Scope, text: str, *, limit: int = PICK_LIMIT) -> list[MemberUnit]:
    """Units in scope whose credit code starts with, or whose name contains, the typed text (at most `limit`)."""
    text = " ".join(text.split())
    if not text:
        return []
    code = normalize(text)
    qs = units_in_scope(scope)
    if re.fullmatch(r"[0-9A-Z]{4,18}", code):
        by_code = list(qs.filter(credit_code__startswith=code).order_by("credit_code")[:limit])
        if by_code:
            return by_code
    return list(qs.filter(name__icontains=text).order_by("name", "pk")[:limit])


def resolve_unit(scope: Scope, text: str) -> tuple[MemberUnit | None, str]:
    """The one unit a typed name or credit code means (the form without JavaScript): (unit, "") or (None, why not)."""
    text = " ".join(text.split())
    if not text:
        return None, _("请输入单位名称或统一社会信用代码")
    qs = units_in_scope(scope)
    exact = qs.filter(Q(credit_code=normalize(text)) | Q(name=text)).first()
    if exact is not None:
        return exact, ""
    found = units_matching(scope, text, limit=2)
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, _("管辖范围内没有名称或统一社会信用代码为“%(text)s”的单位") % {"text": text}
    return None, _("有多家单位符合“%(text)s”，请输入完整的单位名称或统一社会信用代码") % {"text": text}


def search_workers(scope: Scope, *, text: str = "", unit_id: int | None = None, county_code: str = "") -> QuerySet[Worker]:
    """Workers by name, full ID number or mobile (blind indexes), masked ID (first 4 + last 4) or last 4 digits."""
    qs = workers_in_scope(scope)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if county_code:
        qs = qs.filter(county_id=county_code)
    text = text.strip()
    if not text:
        return qs.order_by("name", "pk")
    compact = normalize(text)
    if re.fullmatch(r"\d{17}[\dX]", compact):
        return qs.filter(id_number_index__in=blind_indexes(compact)).order_by("name", "pk")
    masked = re.fullmatch(r"(\d{4})\*+(\d{3}[\dX])", compact)
    if masked:
        return qs.filter(id_number_masked__startswith=masked[1], id_number_masked__endswith=masked[2]).order_by("name", "pk")
    if re.fullmatch(r"\d{3}[\dX]", compact):
        return qs.filter(id_number_masked__endswith=compact).order_by("name", "pk")
    if re.fullmatch(r"(\+86)?1\d{10}", compact):
        return qs.filter(phone_index__in=blind_indexes(compact[-11:])).order_by("name", "pk")
    return qs.filter(name__startswith=text).order_by("name", "pk")


def unit_for(scope: Scope, pk: int) -> MemberUnit:
    """One unit inside the scope, or 404 (never reveal that it exists elsewhere)."""
    return get_object_or_404(units_in_scope(scope), pk=pk)


def worker_for(scope: Scope, pk: int) -> Worker:
    """One worker inside the scope, or 404."""
    return get_object_or_404(workers_in_scope(scope), pk=pk)


def worker_by_id_number(scope: Scope, id_number: str) -> Worker | None:
    """The worker with this full ID number inside the scope, or None."""
    return workers_in_scope(scope).filter(id_number_index__in=blind_indexes(normalize(id_number))).first()


def own_worker(pk: int) -> Worker:
    """The signed-in worker's own record (her self-service pages: no staff scope applies)."""
    return get_object_or_404(Worker, pk=pk)


# A worker's and a unit's pages also show what the apps above members hold of them (coverages,
# enrollments, claims): each app registers its readers at start-up, so members imports none of them.
Reader = Callable[[Scope, int], object]
_WORKER_READERS: dict[str, Reader] = {}
_UNIT_READERS: dict[str, Reader] = {}


def register_worker_reader(name: str, reader: Reader) -> None:
    """`reader(scope, worker_id)` gives the worker page's `name` section."""
    _WORKER_READERS[name] = reader


def register_unit_reader(name: str, reader: Reader) -> None:
    """`reader(scope, unit_id)` gives the unit page's `name` section."""
    _UNIT_READERS[name] = reader


def worker_records(scope: Scope, worker_id: int) -> dict[str, object]:
    """What the registered apps hold of this worker, inside the scope: one entry per section."""
    return {name: reader(scope, worker_id) for name, reader in _WORKER_READERS.items()}


def unit_records(scope: Scope, unit_id: int) -> dict[str, object]:
    """What the registered apps hold of this unit, inside the scope: one entry per section."""
    return {name: reader(scope, unit_id) for name, reader in _UNIT_READERS.items()}


def workers_by_id_index(indexes: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """Blind index → [(worker id, gender)] of the registered workers carrying it (more than one: ambiguous)."""
    found: dict[str, list[tuple[int, str]]] = {}
    values = list(set(indexes))
    for start in range(0, len(values), 5000):
        for index, pk, gender in (Worker.objects.filter(id_number_index__in=values[start:start + 5000])
                                  .values_list("id_number_index", "pk", "gender")):
            found.setdefault(index, []).append((pk, gender))
    return found
