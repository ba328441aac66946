"""register_prepared_workers / employ_registered_workers: set-based writes from a RowSource (imports)."""
from datetime import date

import pytest
from django.db import connection

from huzhu.conftest import KUNDULUN, make_unit, make_worker
from huzhu.core.bulk import RowSource
from huzhu.core.crypto import blind_index, encrypt_text
from huzhu.core.idnumbers import make_resident_id, mask_id_number
from huzhu.members import services
from huzhu.members.models import Employment, Worker

TODAY = date(2025, 11, 1)


def prepared(number: str, name: str, started_on: date | None) -> RowSource:
    """One prepared worker as a SELECT of literals, in PREPARED_WORKER_COLUMNS order."""
    date_type = "date" if connection.vendor == "postgresql" else "text"
    columns = ", ".join(f"CAST(%s AS {date_type if c in ('birth_on', 'started_on') else 'varchar(120)'}) AS {c}"
                        for c in services.PREPARED_WORKER_COLUMNS)
    values = (name, encrypt_text(number), blind_index(number), mask_id_number(number), "F", "1988-07-09", "",
              *services.phone_columns("13900001234").values(), "employee", started_on.isoformat() if started_on else None)
    return RowSource(f"SELECT {columns}", values)


@pytest.mark.django_db
def test_prepared_workers_are_registered_at_the_unit_with_their_employment(home_unit):
    number = make_resident_id(KUNDULUN, date(1988, 7, 9), 124)
    count = services.register_prepared_workers(actor=None, unit=home_unit, today=TODAY,
                                               source=prepared(number, "乌云", date(2019, 5, 6)))
    worker = Worker.objects.get(unit=home_unit)
    assert count == 1 and worker.reveal_id_number() == number
    assert (worker.reveal_phone(), worker.phone_index, worker.phone_masked) == (
        "13900001234", blind_index("13900001234"), "139****1234")
    assert (worker.name, worker.birth_on, worker.county_id) == ("乌云", date(1988, 7, 9), KUNDULUN)
    assert Employment.objects.get(worker=worker).started_on == date(2019, 5, 6)


@pytest.mark.django_db
def test_a_prepared_worker_without_a_start_date_is_employed_from_today(home_unit):
    number = make_resident_id(KUNDULUN, date(1988, 7, 9), 126)
    services.register_prepared_workers(actor=None, unit=home_unit, today=TODAY, source=prepared(number, "乌云", None))
    assert Employment.objects.get(worker__unit=home_unit).started_on == TODAY


@pytest.mark.django_db
def test_only_workers_employed_nowhere_are_moved_to_the_unit(home_unit):
    employed = make_worker(make_unit(name="原单位"))
    free = make_worker(make_unit(name="已离职单位"))
    Employment.objects.filter(worker=free).update(ended_on=date(2025, 10, 1))
    Worker.objects.filter(pk=free.pk).update(unit=None)
    source = RowSource("SELECT id AS worker_id FROM members_worker WHERE id IN (%s, %s)", (employed.pk, free.pk))
    moved = services.employ_registered_workers(actor=None, unit=home_unit, source=source, started_on=TODAY)
    assert moved == 1
    assert Worker.objects.get(pk=free.pk).unit_id == home_unit.pk
    assert Worker.objects.get(pk=employed.pk).unit_id != home_unit.pk
    assert Employment.objects.get(worker=free, ended_on__isnull=True).started_on == TODAY
