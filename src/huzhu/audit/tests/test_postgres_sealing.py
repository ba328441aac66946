"""Audited writes do not wait on each other (issue 17, hole 2), on PostgreSQL with two real connections."""
import threading

import pytest
from django.db import connection, connections, transaction

from huzhu.audit.chain import verify_chain
from huzhu.audit.models import AuditEvent
from huzhu.audit.services import record_bulk_event, record_event

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks and concurrent sessions: run with DATABASE_URL=postgres://..."),
    pytest.mark.django_db(transaction=True),
]


def test_an_audited_write_commits_while_a_long_import_holding_its_audit_event_is_still_open():
    import_recorded, decision_finished = threading.Event(), threading.Event()
    order, outcome = [], {}

    def long_import():
        try:
            with transaction.atomic():
                record_bulk_event(actor=None, action="import_roster", object_type="Enrollment",
                                  object_ids=range(50_000), summary={"rows": 50_000})
                import_recorded.set()
                # Holds its transaction open until the other write has finished (or gave up).
                decision_finished.wait(timeout=60)
                order.append("import committed")
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["import"] = exc
        finally:
            connections.close_all()

    def claim_decision():
        try:
            import_recorded.wait(timeout=60)
            with connection.cursor() as cursor:
                # Today's code would wait for the import's lock on the chain head: fail instead of hanging.
                cursor.execute("SET lock_timeout = '5s'")
                cursor.execute("SET statement_timeout = '10s'")
            with transaction.atomic():
                record_event(actor=None, action="approve_claim", object_type="Claim", object_id="1",
                             after={"benefit_amount": "8300.00"})
            order.append("decision committed")
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["decision"] = exc
        finally:
            decision_finished.set()
            connections.close_all()

    threads = [threading.Thread(target=long_import), threading.Thread(target=claim_decision)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert outcome == {}
    assert order == ["decision committed", "import committed"]

    report = verify_chain()
    assert report.ok and report.events == 2
    decision = AuditEvent.objects.get(action="approve_claim")
    bulk = AuditEvent.objects.get(action="import_roster")
    # The import took the lower id but committed last: the chain follows commit order.
    assert bulk.pk < decision.pk and (decision.seq, bulk.seq) == (1, 2)
