"""Every API operation × every role × a record in the caller's own region and in another one.

The operations come from the OpenAPI document, so a new endpoint without a row here fails the
first test. Each call runs in a savepoint that is rolled back, so every role meets the same state.
Roles: association (province), office (包头市), agency (昆都仑区), unit contact (an 昆都仑区 unit),
auditor (province), the three administrators of 三员分立 (system, security, audit: the API is
business data, so 403 on every staff endpoint), worker (a 昆都仑区 claimant's token), hospital (the own region's
partner hospital's token: its own settlements, not another hospital's), anonymous.
"""
import pytest
from django.core.cache import cache
from django.db import transaction

from huzhu.api import api
from huzhu.plans.api import DOMAIN_EXAMPLE

from .conftest import TODAY, discharge_body, png, roster_csv, stay

ADMINISTRATORS = ("admin", "security_admin", "audit_admin")
ROLES = ("association", "office", "agency", "unit", "auditor", *ADMINISTRATORS, "worker", "hospital", "anonymous")
STAFF = ROLES[:5]


def row(default=None, **cells):
    """Expected (own region, other region) status per role; staff rows default to 401 for worker/anonymous
    and to 403 for the administrators; a hospital token is no staff token (401)."""
    table = {role: default for role in ROLES}
    table.update(worker=(401, 401), hospital=(401, 401), anonymous=(401, 401))
    table.update({role: (403, 403) for role in ADMINISTRATORS})
    table.update(cells)
    missing = [role for role, cell in table.items() if cell is None]
    assert not missing, f"no expectation for {missing}"
    return table


EVERY_STAFF_200 = row((200, 200))
SCOPED_READ = row(association=(200, 200), office=(200, 404), agency=(200, 404), unit=(200, 404), auditor=(200, 200))
WRITE = row((403, 403), agency=(200, 404), unit=(200, 404))  # unit contacts and county clerks (enrollment)
# A staff token is no worker token: 401 for every staff role, administrators included.
NOT_STAFF = {role: (401, 401) for role in ADMINISTRATORS}
WORKER_ONLY = row((401, 401), worker=(200, 200), **NOT_STAFF)
# Payout batches are the association's: province-level readers see them all, every other staff role 403.
BATCH_READ = row((403, 403), association=(200, 200), auditor=(200, 200))
BATCH_WRITE = row((403, 403), association=(200, 200))
# The hospital API takes a hospital token only: every staff token, administrators' included, is 401 there.
HOSPITAL_ONLY = {role: (401, 401) for role in ROLES}

MATRIX = {
    "GET /api/v1/members/units": EVERY_STAFF_200,
    "GET /api/v1/members/units/{unit_id}": SCOPED_READ,
    "GET /api/v1/members/workers": EVERY_STAFF_200,
    "POST /api/v1/members/workers": row((201, 404), association=(201, 201), auditor=(403, 403)),
    "GET /api/v1/members/workers/{worker_id}": SCOPED_READ,
    "POST /api/v1/estimate": row((200, 200), worker=(200, 200), anonymous=(200, 200),
                                 hospital=(200, 200), **{role: (200, 200) for role in ADMINISTRATORS}),  # public
    "GET /api/v1/enrollment/plan-years": EVERY_STAFF_200,
    "GET /api/v1/enrollment/enrollments": EVERY_STAFF_200,
    "POST /api/v1/enrollment/enrollments": row((403, 403), agency=(201, 404), unit=(201, 404)),
    "GET /api/v1/enrollment/enrollments/{enrollment_id}": SCOPED_READ,
    "GET /api/v1/enrollment/enrollments/{enrollment_id}/coverages": SCOPED_READ,
    "POST /api/v1/enrollment/enrollments/{enrollment_id}/workers": WRITE,
    "POST /api/v1/enrollment/enrollments/{enrollment_id}/workers/remove": WRITE,
    "POST /api/v1/enrollment/enrollments/{enrollment_id}/submit": WRITE,
    "POST /api/v1/enrollment/enrollments/{enrollment_id}/payment": row((403, 403), agency=(200, 404)),
    "POST /api/v1/enrollment/enrollments/{enrollment_id}/imports": row((403, 403), agency=(202, 404), unit=(202, 404)),
    "GET /api/v1/enrollment/imports/{job_id}": SCOPED_READ,
    "GET /api/v1/enrollment/imports/{job_id}/errors": SCOPED_READ,
    "POST /api/v1/enrollment/imports/{job_id}/commit": row((403, 403), agency=(202, 404), unit=(202, 404)),
    "POST /api/v1/enrollment/imports/{job_id}/discard": WRITE,
    "GET /api/v1/me/coverage": WORKER_ONLY,
    "GET /api/v1/me/data-consent": WORKER_ONLY,
    "POST /api/v1/me/data-consent": WORKER_ONLY,
    "POST /api/v1/me/data-consent/withdraw": WORKER_ONLY,
    "GET /api/v1/claims/": EVERY_STAFF_200,
    "POST /api/v1/claims/": row((403, 403), association=(201, 201), agency=(201, 404), unit=(201, 404)),
    "GET /api/v1/claims/{claim_id}": SCOPED_READ,
    "POST /api/v1/claims/{claim_id}/documents": row((201, 404), association=(201, 201), auditor=(403, 403)),
    "POST /api/v1/claims/{claim_id}/submit": row((403, 403), association=(200, 200), agency=(200, 404),
                                                 unit=(200, 404)),
    "POST /api/v1/claims/{claim_id}/review": row((403, 403), agency=(200, 404), office=(403, 404)),
    "GET /api/v1/me/claims": WORKER_ONLY,
    "POST /api/v1/me/claims": row((401, 401), worker=(201, 201), **NOT_STAFF),
    "GET /api/v1/me/claims/{claim_id}": row((401, 401), worker=(200, 404), **NOT_STAFF),
    "POST /api/v1/me/claims/{claim_id}/documents": row((401, 401), worker=(201, 404), **NOT_STAFF),
    "POST /api/v1/me/claims/{claim_id}/submit": row((401, 401), worker=(200, 404), **NOT_STAFF),
    "POST /api/v1/auth/worker/code": {role: (202, 202) for role in ROLES},
    "POST /api/v1/auth/worker/token": {role: (401, 401) for role in ROLES},
    "GET /api/v1/payouts/batches": BATCH_READ,
    "GET /api/v1/payouts/batches/{batch_id}": BATCH_READ,
    "POST /api/v1/payouts/batches": row((403, 403), association=(201, 201)),
    "POST /api/v1/payouts/batches/{batch_id}/approve": BATCH_WRITE,
    "POST /api/v1/payouts/batches/{batch_id}/sent": BATCH_WRITE,
    # Settlement feeds are the association's (auditors read them), as payout batches.
    "POST /api/v1/settlements/imports": row((403, 403), association=(202, 202), auditor=(403, 403)),
    "GET /api/v1/settlements/imports/{import_id}": BATCH_READ,
    "GET /api/v1/settlements/imports/{import_id}/errors": BATCH_READ,
    # A hospital settles any covered worker of the province; it reads and cancels its own settlements only.
    "POST /api/v1/hospital/discharges": {**HOSPITAL_ONLY, "hospital": (201, 201)},
    "GET /api/v1/hospital/discharges/{serial}": {**HOSPITAL_ONLY, "hospital": (200, 404)},
    "POST /api/v1/hospital/discharges/{serial}/cancel": {**HOSPITAL_ONLY, "hospital": (200, 404)},
    "GET /api/v1/hospital/ping": {**HOSPITAL_ONLY, "hospital": (200, 200)},
}


def _request(world, key: str, region_name: str) -> tuple[str, dict]:
    """The URL and client keyword arguments of a valid call of `key` on the region's records."""
    region = world.regions[region_name]
    method, template = key.split(" ", 1)
    unit, workers = region.unit, region.workers
    params = {"unit_id": unit.pk, "worker_id": workers[1].pk, "enrollment_id": region.draft.pk,
              "job_id": region.job.pk, "claim_id": region.claim_in_supplement.pk,
              "batch_id": region.sendable_batch.pk, "import_id": region.settlement_import.pk,
              "serial": region.discharge_serial}
    if key.endswith("/payment"):
        params["enrollment_id"] = region.submitted.pk
    if key.endswith("/review"):
        params["claim_id"] = region.claim_in_review.pk
    if key.endswith("/approve"):
        params["batch_id"] = region.draft_batch.pk
    body = {
        "POST /api/v1/members/workers": {"unit_id": unit.pk, "name": "新来的", "id_number": region.new_id_number},
        "POST /api/v1/estimate": DOMAIN_EXAMPLE,
        "POST /api/v1/enrollment/enrollments": {"unit_id": unit.pk, "plan_year_id": world.plan_2027.pk},
        "POST /api/v1/enrollment/enrollments/{enrollment_id}/workers": {"worker_ids": [workers[4].pk]},
        "POST /api/v1/enrollment/enrollments/{enrollment_id}/workers/remove": {"worker_ids": [workers[3].pk]},
        "POST /api/v1/enrollment/enrollments/{enrollment_id}/payment": {
            "amount": f"{region.submitted.due_amount:.2f}", "paid_on": "2026-08-03", "bank_reference": "B-1"},
        "POST /api/v1/enrollment/imports/{job_id}/commit": {"policy": "valid_only"},
        "POST /api/v1/claims/": stay(workers[0].reveal_id_number()),
        "POST /api/v1/claims/{claim_id}/review": {"decision": "pass"},
        "POST /api/v1/me/claims": stay(),
        "POST /api/v1/auth/worker/code": {"id_number": workers[0].reveal_id_number(), "phone": workers[0].reveal_phone()},
        "POST /api/v1/auth/worker/token": {"id_number": workers[0].reveal_id_number(), "phone": workers[0].reveal_phone(),
                                           "code": "000000"},
        "POST /api/v1/payouts/batches": {"county": region.county},
        "POST /api/v1/payouts/batches/{batch_id}/sent": {"sent_on": TODAY.isoformat()},
        "POST /api/v1/hospital/discharges": discharge_body(region.workers[0], world.regions["own"].hospital.code),
        "POST /api/v1/hospital/discharges/{serial}/cancel": {"reason": "患者取消出院"},
    }.get(key)
    url = template.format(**{name: value for name, value in params.items() if "{" + name + "}" in template})
    if method == "GET":
        return url, {}
    if key == "POST /api/v1/settlements/imports":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from huzhu.settlements.rules import HEADER

        return url, {"data": {"file": SimpleUploadedFile("feed.csv", ",".join(HEADER).encode() + b"\n")}}
    if key.endswith("/imports"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return url, {"data": {"file": SimpleUploadedFile("roster.csv", roster_csv(region.county, 700))}}
    if key.endswith("/documents"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return url, {"data": {"kind": "invoice", "file": SimpleUploadedFile("scan.png", png((1, 2, 3)))}}
    return url, {"data": body if body is not None else {}, "content_type": "application/json"}


def _operations() -> list[str]:
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted(f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops)


def test_every_api_operation_has_a_row_in_the_matrix():
    operations = set(_operations())
    assert not operations - set(MATRIX), f"new endpoints need an authorization row: {sorted(operations - set(MATRIX))}"
    assert not set(MATRIX) - operations, f"rows for endpoints that no longer exist: {sorted(set(MATRIX) - operations)}"


def test_every_role_gets_the_expected_status_in_its_own_and_another_region(client, api_world):
    failures = []
    for key in _operations():
        for role in ROLES:
            for index, region in enumerate(("own", "other")):
                expected = MATRIX[key][role][index]
                url, kwargs = _request(api_world, key, region)
                token = api_world.worker_token if role == "worker" else api_world.tokens.get(role)
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                cache.clear()  # rate limits of the public sign-in endpoints
                with transaction.atomic():
                    response = getattr(client, key.split()[0].lower())(url, headers=headers, **kwargs)
                    transaction.set_rollback(True)
                if response.status_code != expected:
                    failures.append(f"{key} as {role} ({region}): {response.status_code} != {expected} "
                                    f"{response.content[:160].decode(errors='replace')}")
                elif response.status_code >= 400:
                    body = response.json()
                    assert body["code"] and body["message"], f"{key} as {role}: error without code/message"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_the_matrix_row_names_every_role(key):
    assert set(MATRIX[key]) == set(ROLES) and all(MATRIX[key].values())
