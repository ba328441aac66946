"""Look-ups by ID number or phone find the worker whatever digits the number is typed in."""
import pytest

from huzhu.conftest import SYSTEM, make_worker
from huzhu.enrollment.queries import worker_coverages
from huzhu.members import queries

ZEROS = {"full-width": 0xFF10, "arabic-indic": 0x0660, "devanagari": 0x0966, "mongolian": 0x1810}


def in_script(text: str, script: str) -> str:
    return "".join(chr(ZEROS[script] + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("script", list(ZEROS))
def test_a_clerks_search_by_id_number_or_phone_in_other_digits_finds_the_worker(home_unit, script):
    worker = make_worker(home_unit, phone="13900001111")
    number = worker.reveal_id_number()
    assert list(queries.search_workers(SYSTEM, text=in_script(number, script))) == [worker]
    assert list(queries.search_workers(SYSTEM, text=in_script("13900001111", script))) == [worker]
    assert queries.worker_by_id_number(SYSTEM, in_script(number, script)) == worker


def test_the_public_coverage_look_up_matches_a_number_and_phone_in_mongolian_digits(home_unit):
    from huzhu.claims.tests.conftest import cover
    from huzhu.plans.services import install_default_plans

    install_default_plans()
    worker = make_worker(home_unit, phone="13900001111")
    cover(worker)
    found = worker_coverages(in_script(worker.reveal_id_number(), "mongolian"), in_script("13900001111", "mongolian"))
    assert [c.worker_id for c in found] == [worker.pk]
