"""The holiday schedule the association enters: the review clock follows it, open deadlines move."""
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from huzhu.audit.models import AuditEvent
from huzhu.core.errors import ValidationFailed

from .. import review_clock, services
from ..models import OfficialDay

COMPLETE_ON = date(2026, 12, 28)  # a Monday: fifteen working days run into January 2027


def test_an_entered_holiday_stops_the_clock_and_moves_open_deadlines(file_stay, no_straight_through):
    claim = file_stay(today=COMPLETE_ON)
    before = claim.due_on
    assert before == review_clock.add_working_days(COMPLETE_ON, 15) and before.year == 2027

    result = services.set_official_days(actor=None, year=2027, days=[
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 1, 4), False, "测试假日"),   # a Monday off
        (date(2027, 1, 30), True, "测试调休"),   # a Saturday worked, after the deadline
    ])

    assert not review_clock.is_working_day(date(2027, 1, 4))
    assert review_clock.is_working_day(date(2027, 1, 30))
    assert review_clock.calendar_knows(date(2027, 6, 1))
    claim.refresh_from_db()
    assert claim.due_on == review_clock.add_working_days(COMPLETE_ON, 15)
    assert result.deadlines_moved == 1 and claim.due_on != before
    assert AuditEvent.objects.filter(action="claims.official_days_set", object_id="2027").exists()


def test_entering_a_year_again_replaces_it(db):
    services.set_official_days(actor=None, year=2027, days=[(date(2027, 1, 4), False, "一")])
    services.set_official_days(actor=None, year=2027, days=[(date(2027, 1, 5), False, "二")])
    assert list(OfficialDay.objects.values_list("on", flat=True)) == [date(2027, 1, 5)]
    assert review_clock.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(("days", "code"), [
    ([(date(2028, 1, 3), False, "")], "day_outside_year"),
    ([(date(2027, 1, 4), True, "")], "day_not_an_exception"),  # a Monday is already a working day
    ([(date(2027, 1, 4), False, ""), (date(2027, 1, 4), False, "")], "day_repeated"),
])
def test_a_wrong_schedule_is_refused_and_nothing_is_entered(db, days, code):
    with pytest.raises(ValidationFailed) as refused:
        services.set_official_days(actor=None, year=2027, days=days)
    assert refused.value.code == code
    assert not OfficialDay.objects.exists()


def test_the_command_reads_a_csv_and_names_the_bad_row(db, tmp_path, capsys):
    good = tmp_path / "2027.csv"
    good.write_text("日期,类型,名称\n2027-01-04,休,测试假日\n2027-01-09,班,测试调休\n", encoding="utf-8")
    call_command("official-days", str(good), year=2027)
    assert "1 个节假日，1 个调休上班日" in capsys.readouterr().out
    assert OfficialDay.objects.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型,名称\n2027-01-11,休,甲\n2027-13-01,休,乙\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 3 行“日期”"):
        call_command("official-days", str(bad), year=2027)
    assert OfficialDay.objects.count() == 2  # the earlier schedule stands


def test_the_reader_takes_what_excel_writes_back():
    content = "\ufeff日期,类型,名称,备注\r\n2027/2/8,休,春节,国办发明电\r\n\r\n 2027-02-20 , 班 ,\r\n".encode()
    assert services.read_official_days(content) == [
        (date(2027, 2, 8), False, "春节", 2), (date(2027, 2, 20), True, "", 4)]


def test_a_holiday_run_copied_with_its_weekend_is_taken_as_it_stands(db):
    """春节 2027-02-06 (Saturday) to 02-12: the clerk copies the whole run from the notice."""
    run = [(date(2027, 2, day), False, "春节") for day in range(6, 13)]
    services.set_official_days(actor=None, year=2027, days=run)
    assert OfficialDay.objects.filter(is_working=False).count() == 7
    assert [review_clock.is_working_day(on) for on, _, _ in run] == [False] * 7
    assert review_clock.is_working_day(date(2027, 2, 15))


def test_the_reader_takes_a_gb18030_file_as_excel_saves_plain_csv():
    content = "日期,类型,名称\r\n2027-02-08,休,春节\r\n".encode("gb18030")
    assert services.read_official_days(content) == [(date(2027, 2, 8), False, "春节", 2)]


@pytest.mark.parametrize(("content", "code", "row"), [
    (b"", "empty_file", None),
    (b" \r\n", "empty_file", None),
    ("日期,类型\n2027-01-04,休\n".encode(), "wrong_headers", 1),
    ("日期,类型,名称\n2027-01-04,休,元旦\n".encode() + b"2027-01-11,\xd0\xdd,\n", "not_utf8", 3),
    (b"\xff\xff\xff\n", "unknown_encoding", None),
], ids=["no-bytes", "blank", "missing-column", "gbk-row", "unknown-encoding"])
def test_the_reader_refuses_a_file_it_cannot_use_with_its_row(content, code, row):
    with pytest.raises(ValidationFailed) as refused:
        services.read_official_days(content)
    assert (refused.value.code, refused.value.row) == (code, row)
