"""members.0008 / enrollment.0008 / claims.0005: plain phones and diagnosis names become ciphertexts in place.

Data is written with today's code, the database migrated back to the plain columns (the reverse
decrypts into them), and forward again: what the forward migration writes must open with
core.crypto and be found by its blind index, under either suite.
"""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huzhu.claims.models import Claim
from huzhu.conftest import SYSTEM, make_worker
from huzhu.core import crypto
from huzhu.members import queries as member_queries
from huzhu.members.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)
PLAIN = [("members", "0007_normalise_identifiers"), ("claims", "0004_normalise_invoice_identifiers")]


def plain_columns() -> dict:
    """Migrate back to the plain columns; {"phones": {worker: phone}, "names": {claim: diagnosis name}} as stored."""
    executor = MigrationExecutor(connection)
    executor.migrate(PLAIN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM members_worker")
        phones = dict(cursor.fetchall())
        cursor.execute("SELECT id, diagnosis_name FROM claims_claim")
        names = dict(cursor.fetchall())
    return {"phones": phones, "names": names}


def migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize("suite", ["", "sm"], ids=["aes", "sm"])
def test_plain_phones_and_diagnosis_names_are_encrypted_in_place_and_found_again(file_stay, worker, settings, suite):
    """...and a phone the plain column held in other digits is indexed in its registered form (one
    migration cycle for both: each costs some twenty seconds)."""
    settings.HUZHU_CRYPTO = suite
    claim = file_stay()
    other = make_worker(worker.unit, phone="13900000002")

    stored = plain_columns()  # the reverse: what an installation before this change holds

    assert stored["phones"][worker.pk] == "13800000001" and stored["names"][claim.pk] == "肺炎"
    full_width = "13900000002".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with connection.cursor() as cursor:  # eleven characters: what the plain column could hold
        cursor.execute("UPDATE members_worker SET phone = %s WHERE id = %s", [full_width, other.pk])
    migrate_forward()

    row = Worker.objects.get(pk=worker.pk)
    assert row.phone_encrypted.startswith(crypto.current_tag() + ":")
    assert (row.reveal_phone(), row.phone_masked) == ("13800000001", "138****0001")
    assert row.phone_index == crypto.blind_index("13800000001")
    assert list(member_queries.search_workers(SYSTEM, text="13800000001")) == [row]
    decided = Claim.objects.get(pk=claim.pk)
    assert decided.diagnosis_name_encrypted.startswith(crypto.current_tag() + ":")
    assert decided.reveal_diagnosis_name() == "肺炎" and decided.diagnosis_code == "J18.900"
    widened = Worker.objects.get(pk=other.pk)
    assert widened.reveal_phone() == "13900000002" and widened.phone_index == crypto.blind_index("13900000002")
