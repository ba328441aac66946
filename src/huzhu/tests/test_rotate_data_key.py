"""`huzhu rotate-data-key`: every encrypted column moved to the new key, indexes recomputed, resumable, refusals.

Data is written under OLD; then the deploy of the rotation procedure (docs/security.md) is
HUZHU_DATA_KEY=NEW, HUZHU_DATA_KEY_PREVIOUS=OLD; at the end PREVIOUS is removed and everything
must still open and be found.
"""
import base64
import io
from datetime import date

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from huzhu.audit.chain import verify_chain
from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.conftest import SYSTEM, make_worker, texted_codes
from huzhu.core import crypto
from huzhu.core.actors import SystemActor
from huzhu.core.errors import Conflict
from huzhu.enrollment.models import ImportRow
from huzhu.members import queries as member_queries
from huzhu.members import services as member_services
from huzhu.members.models import Worker
from huzhu.payouts import bank_files
from huzhu.payouts.models import PayoutBatch
from huzhu.security import key_rotation
from huzhu.security import services as security_services
from huzhu.webhooks import services as webhook_services

OLD = "old-data-key-of-the-rotation-tests-0123456789"
NEW = "new-data-key-of-the-rotation-tests-0123456789"


@pytest.fixture
def old_key(settings):
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = OLD, ""
    return settings


def deploy_new_key(settings, previous: str = OLD) -> None:
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = NEW, previous


def stored() -> dict[tuple, str]:
    """Every encrypted value and blind index in the database: {(table, pk, column): stored text}."""
    values = {}
    for table in key_rotation.encrypted_tables():
        names = [*table.columns, *table.indexes.values()]
        for pk, *row in table.model._base_manager.values_list("pk", *names):
            values.update({(table.label, pk, name): value for name, value in zip(names, row, strict=True)})
    return values


def ciphertexts() -> dict[tuple, str]:
    ciphers = {(t.label, c) for t in key_rotation.encrypted_tables() for c in t.columns}
    return {key: value for key, value in stored().items() if (key[0], key[2]) in ciphers and value}


def rotate(**options) -> key_rotation.RotationReport:
    return key_rotation.rotate_data_key(actor=None, **options)


def rotation_events() -> int:
    return AuditEvent.objects.filter(action="rotate_data_key").count()


def legacy_ciphertext(plain: str, key: str) -> str:
    """A value as written before ciphertexts named their key (`v1:`, `v1` as associated data)."""
    nonce = bytes(range(12))
    return "v1:" + base64.b64encode(nonce + AESGCM(crypto._keys(key)[0]).encrypt(nonce, plain.encode(), b"v1")).decode()


@pytest.fixture
def workers(old_key, home_unit):
    """Seven workers with ID numbers and bank cards, and a webhook subscriber, all under OLD."""
    people = [make_worker(home_unit, phone=f"1390000000{n}", bank_account=f"62220200000000{n:05d}") for n in range(7)]
    webhook_services.create_subscriber(actor=None, name="合作平台", url="https://partner.example.org/hook")
    return people


@pytest.fixture
def populated(old_key, db, request):
    """The API world (workers, claims, payout batches, a staged roster import) plus a TOTP device, under OLD."""
    world = request.getfixturevalue("api_world")
    desk = PayoutBatch.objects.first().created_by
    security_services.start_totp_enrolment(actor=desk)
    webhook_services.create_subscriber(actor=None, name="合作平台", url="https://partner.example.org/hook")
    return world


def test_every_encrypted_column_of_every_app_is_declared_so_the_rotation_finds_it():
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and field.name.endswith("_encrypted"):
                assert isinstance(field, crypto.EncryptedField), f"{model._meta.label}.{field.name}"
            if isinstance(field, crypto.EncryptedField) and field.blind_index:
                index = model._meta.get_field(field.blind_index)
                assert isinstance(index, models.CharField) and index.max_length >= 32
    found = {t.label: set(t.columns) for t in key_rotation.encrypted_tables()}
    assert found["members.Worker"] == {"id_number_encrypted", "phone_encrypted", "bank_account_encrypted"}
    assert found["claims.Claim"] == {"diagnosis_name_encrypted"}
    assert set(found["enrollment.ImportRow"]) == {"id_number_encrypted", "phone_encrypted"}
    assert {"payouts.Payout", "enrollment.ImportRow", "security.TotpDevice", "webhooks.Subscriber"} <= set(found)


def test_a_rotation_moves_every_value_and_index_to_the_new_key_and_a_second_run_changes_nothing(populated, settings):
    plain = {key: crypto.decrypt_text(token) for key, token in ciphertexts().items()}
    assert {key[0] for key in plain} >= {"members.Worker", "payouts.Payout", "enrollment.ImportRow",
                                          "security.TotpDevice", "webhooks.Subscriber"}
    deploy_new_key(settings)

    report = rotate(batch=5)

    assert report.finished and report.values["members.Worker"] == sum(1 for k in plain if k[0] == "members.Worker")
    assert sum(report.values.values()) == len(plain) and report.changed_meanwhile == 0
    settings.DATA_KEY_PREVIOUS = ""  # step 7: the old key is gone
    after = ciphertexts()
    assert set(after) == set(plain)
    assert all(token.startswith(crypto.current_tag() + ":") for token in after.values())
    assert {key: crypto.decrypt_text(token) for key, token in after.items()} == plain
    for worker in Worker.objects.all():
        number = worker.reveal_id_number()
        assert worker.id_number_index == crypto.blind_index(number)
        assert member_queries.worker_by_id_number(SYSTEM, number) == worker
        assert worker.bank_account_index == (crypto.blind_index(worker.reveal_bank_account())
                                             if worker.bank_account_encrypted else "")
    claimant = Worker.objects.get(pk=populated.regions["own"].workers[0].pk)
    with texted_codes() as codes:  # the worker's sign-in finds her by the typed number under the new key
        security_services.request_worker_code(id_number=claimant.reveal_id_number(), phone=claimant.reveal_phone())
    assert len(codes) == 1
    assert list(member_queries.search_workers(SYSTEM, text=claimant.reveal_phone())) == [claimant]
    assert claimant.phone_index == crypto.blind_index(claimant.reveal_phone())
    for row in ImportRow.objects.exclude(id_number_encrypted=""):
        assert row.id_number_index == crypto.blind_index(crypto.decrypt_text(row.id_number_encrypted))
    batch = populated.regions["own"].sendable_batch
    assert [line[2] for line in bank_files.bank_file_rows(batch)] == [
        p.claim.worker.reveal_bank_account() for p in batch.payouts.order_by("pk")]
    events = AuditEvent.objects.filter(action="rotate_data_key")
    assert events.count() == report.batches and verify_chain().ok
    assert not any(key in str(e.after) for e in events for key in (OLD, NEW))

    settings.DATA_KEY_PREVIOUS = OLD
    snapshot = stored()
    again = rotate(batch=5)
    assert (again.total_rows, again.batches) == (0, 0)
    assert stored() == snapshot and rotation_events() == report.batches


def stage_roster(worker) -> ImportRow:
    """Validate a one-row roster naming `worker` for a 2026 mid-year enrollment of its unit; its staged row."""
    from huzhu.enrollment import services as enrollment_services
    from huzhu.plans.queries import plan_year
    from huzhu.plans.services import install_default_plans

    install_default_plans()
    today = date(2026, 8, 3)
    enrollment = enrollment_services.start_enrollment(actor=SystemActor(SYSTEM), unit=worker.unit,
                                                      plan_year=plan_year("hospitalization", 2026), today=today)
    roster = f"姓名,身份证号,手机号,人员类别,入职日期\n{worker.name},{worker.reveal_id_number()},{worker.reveal_phone()},在职职工,2020-01-01\n"
    job = enrollment_services.create_import_job(actor=SystemActor(SYSTEM), enrollment=enrollment, file_name="r.csv",
                                                upload=io.BytesIO(roster.encode("utf-8-sig")))
    enrollment_services.validate_import(job_id=job.pk, today=today)
    return ImportRow.objects.get(job=job)


def test_an_interrupted_run_resumes_and_workers_are_found_by_id_number_meanwhile(workers, settings):
    deploy_new_key(settings)

    first = rotate(batch=3, max_batches=1)

    assert not first.finished and first.rows["members.Worker"] == 3
    moved = {w.pk for w in Worker.objects.filter(id_number_encrypted__startswith=crypto.current_tag())}
    assert len(moved) == 3
    for worker in workers:  # found whether the rotation has reached the row or not
        assert member_queries.worker_by_id_number(SYSTEM, worker.reveal_id_number()).pk == worker.pk
    waiting = next(w for w in workers if w.pk not in moved)
    with pytest.raises(Conflict, match="已登记"):
        member_services.register_worker(actor=SystemActor(SYSTEM), unit=waiting.unit, name="重复登记",
                                        id_number=waiting.reveal_id_number())

    imported = stage_roster(waiting)
    assert imported.worker_id == waiting.pk and imported.error == ""  # matched to the registered worker

    rest = rotate(batch=3)

    assert rest.finished and rest.rows["members.Worker"] == 4 and rest.rows["webhooks.Subscriber"] == 1
    settings.DATA_KEY_PREVIOUS = ""
    assert all(t.startswith(crypto.current_tag()) for t in ciphertexts().values())


def test_a_failure_inside_a_batch_leaves_that_batch_as_it_was_and_the_next_run_finishes(workers, settings,
                                                                                         monkeypatch):
    deploy_new_key(settings)
    real_encrypt, calls = crypto.encrypt_text, []

    def power_cut(plain):
        calls.append(plain)
        if len(calls) == 7:  # the first value of the second batch (two workers, three values each)
            raise RuntimeError("power cut")
        return real_encrypt(plain)

    monkeypatch.setattr(crypto, "encrypt_text", power_cut)
    with pytest.raises(RuntimeError):
        rotate(batch=2)
    monkeypatch.undo()

    tags = [crypto.tag_of(t) for t in Worker.objects.order_by("pk").values_list("id_number_encrypted", flat=True)]
    assert tags == [crypto.current_tag()] * 2 + [crypto.previous_tag()] * 5
    assert rotation_events() == 1
    assert rotate(batch=2).rows["members.Worker"] == 5
    assert all(t.startswith(crypto.current_tag()) for t in ciphertexts().values())


@pytest.mark.parametrize("previous", ["", "not-the-old-key-0123456789-0123456789"], ids=["missing", "wrong"])
def test_a_missing_or_wrong_previous_key_is_refused_with_nothing_changed(workers, settings, previous):
    snapshot = stored()
    deploy_new_key(settings, previous=previous)

    with pytest.raises(CommandError, match="HUZHU_DATA_KEY_PREVIOUS") as refused:
        call_command("rotate-data-key", stdout=io.StringIO(), stderr=io.StringIO())

    assert f"v2.{crypto.key_id(OLD)}" in str(refused.value) and "未做任何修改" in str(refused.value)
    assert stored() == snapshot and rotation_events() == 0


def test_values_written_before_key_ids_are_rotated_and_a_wrong_previous_key_is_refused(workers, settings):
    for worker in workers:
        Worker.objects.filter(pk=worker.pk).update(id_number_encrypted=legacy_ciphertext(worker.reveal_id_number(), OLD))
    snapshot = stored()
    deploy_new_key(settings, previous="not-the-old-key-0123456789-0123456789")
    with pytest.raises(key_rotation.RotationRefused, match="无法用现有密钥解密"):
        rotate()
    assert stored() == snapshot

    deploy_new_key(settings)
    report = rotate()

    assert report.values["members.Worker"] == 21  # ID numbers, phones, bank cards
    settings.DATA_KEY_PREVIOUS = ""
    assert [w.reveal_id_number() for w in Worker.objects.order_by("pk")] == [
        crypto.decrypt_text(legacy_ciphertext(w.reveal_id_number(), NEW)) for w in Worker.objects.order_by("pk")]


def test_a_dry_run_counts_what_would_change_and_writes_nothing(workers, settings):
    snapshot = stored()
    deploy_new_key(settings)
    out = io.StringIO()

    call_command("rotate-data-key", "--dry-run", stdout=out, stderr=io.StringIO())

    assert "members.Worker：待轮换 7 行，21 个密文" in out.getvalue()
    assert "webhooks.Subscriber：待轮换 1 行，1 个密文" in out.getvalue()
    assert "演练：共 8 行待轮换" in out.getvalue()
    assert stored() == snapshot and rotation_events() == 0


def test_the_command_shows_progress_and_names_keys_only_by_their_ids(workers, settings):
    deploy_new_key(settings)
    out, err = io.StringIO(), io.StringIO()

    call_command("rotate-data-key", "--batch", "4", stdout=out, stderr=err)

    assert "members.Worker：4/7 行" in err.getvalue() and "members.Worker：7/7 行" in err.getvalue()
    assert crypto.current_tag() in err.getvalue() and NEW not in err.getvalue() and OLD not in err.getvalue()
    assert "完成：共轮换 8 行" in out.getvalue()
    out = io.StringIO()
    call_command("rotate-data-key", stdout=out, stderr=io.StringIO())
    assert "没有需要轮换的数据" in out.getvalue()


def test_the_number_of_queries_does_not_grow_with_the_rows_of_a_batch(old_key, home_unit, settings):
    def queries_to_rotate(count: int) -> int:
        settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = OLD, ""
        Worker.objects.all().delete()
        for n in range(count):
            make_worker(home_unit, bank_account=f"62220200000001{n:05d}")
        deploy_new_key(settings)
        with CaptureQueriesContext(connection) as captured:
            assert rotate(batch=100).rows["members.Worker"] == count
        return len(captured)

    assert queries_to_rotate(3) == queries_to_rotate(30)


def test_a_row_changed_between_read_and_write_keeps_the_change_and_waits_for_the_next_run(workers, settings,
                                                                                          monkeypatch):
    deploy_new_key(settings)
    real_read = key_rotation._read_batch
    changed = workers[0]

    def read_then_someone_changes_a_card(table, after_pk, limit):
        rows = real_read(table, after_pk, limit)
        if table.label == "members.Worker" and after_pk is None:
            member_services.change_bank_account(actor=SystemActor(SYSTEM), worker=changed, bank_name="中国农业银行",
                                                bank_account="6228480012345678901", reason="换卡")
        return rows

    monkeypatch.setattr(key_rotation, "_read_batch", read_then_someone_changes_a_card)
    report = rotate()
    monkeypatch.undo()

    assert report.changed_meanwhile == 1 and report.rows["members.Worker"] == 6
    changed.refresh_from_db()
    assert changed.reveal_bank_account() == "6228480012345678901"
    assert not changed.id_number_encrypted.startswith(crypto.current_tag())
    assert rotate().rows["members.Worker"] == 1
    changed.refresh_from_db()
    assert changed.id_number_encrypted.startswith(crypto.current_tag())
    assert changed.bank_account_index == crypto.blind_index("6228480012345678901")


def test_an_index_keyed_on_more_than_the_value_is_kept_as_it_is(workers, settings):
    sample = workers[0]
    own_key = crypto.blind_index(f"{sample.reveal_id_number()}#17")  # the actuarial sample's unique index
    Worker.objects.filter(pk=sample.pk).update(id_number_index=own_key)
    deploy_new_key(settings)

    report = rotate()

    assert report.kept_indexes == 1
    assert Worker.objects.get(pk=sample.pk).id_number_index == own_key
    assert Worker.objects.get(pk=workers[1].pk).id_number_index == crypto.blind_index(workers[1].reveal_id_number())


# --- switching suites: AES-GCM / HMAC-SHA256 → SM4-GCM / HMAC-SM3 (HUZHU_CRYPTO=sm) ---------------

def deploy_national_suite(settings, *, new_key: bool) -> None:
    """The switch's deploy: HUZHU_CRYPTO=sm, HUZHU_CRYPTO_PREVIOUS=aes, and (optionally) a new key at once."""
    settings.HUZHU_CRYPTO, settings.HUZHU_CRYPTO_PREVIOUS = "sm", "aes"
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = (NEW, OLD) if new_key else (OLD, "")


@pytest.mark.parametrize("new_key", [False, True], ids=["same-key", "new-key-too"])
def test_a_switch_to_sm4_re_encrypts_every_column_and_recomputes_every_index(populated, settings, new_key):
    Claim.objects.filter(pk=Claim.objects.order_by("pk")[0].pk).update(diagnosis_name_encrypted=crypto.encrypt_text("肺炎"))
    plain = {key: crypto.decrypt_text(token) for key, token in ciphertexts().items()}
    assert all(token.startswith("v2.") for token in ciphertexts().values())
    deploy_national_suite(settings, new_key=new_key)

    report = rotate(batch=5)

    assert report.finished and sum(report.values.values()) == len(plain)
    assert report.from_tag == f"v2.{crypto.key_id(OLD)}" and report.to_tag == f"sm4.{crypto.key_id(settings.DATA_KEY)}"
    settings.HUZHU_CRYPTO_PREVIOUS, settings.DATA_KEY_PREVIOUS = "", ""  # the switch is over
    after = ciphertexts()
    assert all(token.startswith(f"sm4.{crypto.key_id(settings.DATA_KEY)}:") for token in after.values())
    assert {key: crypto.decrypt_text(token) for key, token in after.items()} == plain
    for worker in Worker.objects.all():
        number, phone = worker.reveal_id_number(), worker.reveal_phone()
        assert worker.id_number_index == crypto.blind_index(number)  # HMAC-SM3 now
        assert member_queries.worker_by_id_number(SYSTEM, number) == worker
        if phone:
            assert worker.phone_index == crypto.blind_index(phone)
            assert list(member_queries.search_workers(SYSTEM, text=phone)) == [worker]
    named = Claim.objects.exclude(diagnosis_name_encrypted="").get()
    assert named.diagnosis_name_encrypted.startswith("sm4.") and named.reveal_diagnosis_name() == "肺炎"
    assert verify_chain().ok
    assert AuditEvent.objects.filter(action="rotate_data_key").values_list("algorithm", flat=True).distinct().get() \
        == "hmac-sm3"


def test_during_a_switch_workers_are_found_by_id_number_and_phone_whether_rotated_or_not(workers, settings):
    deploy_national_suite(settings, new_key=False)

    first = rotate(batch=3, max_batches=1)

    assert not first.finished
    moved = {w.pk for w in Worker.objects.filter(id_number_encrypted__startswith="sm4.")}
    assert len(moved) == 3
    for worker in workers:
        assert member_queries.worker_by_id_number(SYSTEM, worker.reveal_id_number()).pk == worker.pk
        assert [w.pk for w in member_queries.search_workers(SYSTEM, text=worker.reveal_phone())] == [worker.pk]
        with texted_codes() as codes:  # the worker's sign-in matches ID number and phone by blind index
            security_services.request_worker_code(id_number=worker.reveal_id_number(), phone=worker.reveal_phone())
        assert len(codes) == 1, worker.pk
    waiting = next(w for w in workers if w.pk not in moved)
    with pytest.raises(Conflict, match="已登记"):
        member_services.register_worker(actor=SystemActor(SYSTEM), unit=waiting.unit, name="重复登记",
                                        id_number=waiting.reveal_id_number())
    imported = stage_roster(waiting)
    assert imported.worker_id == waiting.pk and imported.error == ""
    assert imported.phone_encrypted.startswith("sm4.") and imported.phone_index == crypto.blind_index(
        waiting.reveal_phone())

    rest = rotate(batch=3)

    assert rest.finished and rest.rows["members.Worker"] == 4
    settings.HUZHU_CRYPTO_PREVIOUS = ""
    assert all(t.startswith("sm4.") for t in ciphertexts().values())
    assert all(member_queries.worker_by_id_number(SYSTEM, w.reveal_id_number()) for w in workers)


def test_a_switch_without_the_previous_suite_is_refused_with_nothing_changed(workers, settings):
    snapshot = stored()
    settings.HUZHU_CRYPTO = "sm"

    with pytest.raises(CommandError, match="HUZHU_CRYPTO_PREVIOUS") as refused:
        call_command("rotate-data-key", stdout=io.StringIO(), stderr=io.StringIO())

    assert f"v2.{crypto.key_id(OLD)}" in str(refused.value) and "未做任何修改" in str(refused.value)
    assert stored() == snapshot and rotation_events() == 0
