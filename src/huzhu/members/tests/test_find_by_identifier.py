"""Look-ups by ID number or phone find the worker whatever digits the number is typed in."""
import pytest

from huzhu.conftest import SYSTEM, make_worker, texted_codes
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


def test_the_worker_sign_in_finds_a_number_and_phone_typed_in_mongolian_digits(home_unit):
    from huzhu.security import services as security_services

    worker = make_worker(home_unit, phone="13900001111")
    with texted_codes() as codes:
        security_services.request_worker_code(id_number=in_script(worker.reveal_id_number(), "mongolian"),
                                              phone=in_script("13900001111", "mongolian"))
    assert len(codes) == 1
    signed_in = security_services.verify_worker_code(
        id_number=worker.reveal_id_number(), phone="13900001111", code=codes[0], door="web")
    assert signed_in == worker
