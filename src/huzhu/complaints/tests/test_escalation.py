"""The clock: 5 working days at each level (National Day 2025 and its 调休 respected), then up one level
with the clock restarted; the association stays overdue; re-running a day changes nothing."""
import io
from datetime import date

import pytest
import time_machine
from django.core.management import CommandError, call_command

from huzhu.audit.models import AuditEvent
from huzhu.complaints import services
from huzhu.complaints.models import Complaint, ComplaintEscalation
from huzhu.core.actors import SYSTEM_ACTOR, WorkerActor
from huzhu.core.errors import Conflict

RECEIVED = date(2025, 9, 30)  # Tuesday before the National Day holiday (10-01 … 10-08; Saturday 10-11 is worked)


@pytest.fixture
def complaint(worker):
    return services.file_complaint(actor=WorkerActor(worker.pk), kind="complaint", category="claim_progress",
                                   text="申领一个月没有消息", today=RECEIVED)


def escalate(on: date) -> services.EscalationRun:
    return services.escalate_overdue(actor=SYSTEM_ACTOR, today=on)


def test_the_clock_skips_the_holiday_and_counts_the_worked_saturday(complaint):
    # 10-09 Thu, 10-10 Fri, 10-11 Sat (调休 worked), 10-13 Mon, 10-14 Tue.
    assert complaint.due_on == date(2025, 10, 14)


def test_nothing_moves_on_the_due_day_and_it_moves_to_the_office_the_day_after_with_a_new_clock(complaint):
    assert escalate(date(2025, 10, 14)).total == 0
    run = escalate(date(2025, 10, 15))
    assert run.escalated == {"county": [complaint.pk]}
    complaint.refresh_from_db()
    assert (complaint.level, complaint.status, complaint.escalation_count) == ("league", "open", 1)
    assert complaint.level_since_on == date(2025, 10, 15)
    assert complaint.due_on == date(2025, 10, 22)  # 16, 17, 20, 21, 22: five working days from the move
    step = ComplaintEscalation.objects.get()
    assert (step.from_level, step.to_level, step.missed_due_on, step.due_on, step.reason) == (
        "county", "league", date(2025, 10, 14), date(2025, 10, 22), "超过答复时限")
    event = AuditEvent.objects.get(action="escalate_complaints")
    after = event.after or {}
    assert after["complaints"] == [complaint.pk] and after["to_level"] == "league"


def test_re_running_the_same_day_changes_nothing(complaint):
    escalate(date(2025, 10, 15))
    again = escalate(date(2025, 10, 15))
    assert again.total == 0
    assert ComplaintEscalation.objects.count() == 1
    assert AuditEvent.objects.filter(action="escalate_complaints").count() == 1
    complaint.refresh_from_db()
    assert complaint.escalation_count == 1


def test_a_late_office_moves_it_to_the_association_which_stays_overdue_visibly(complaint, association_approver,
                                                                                  staff_client):
    escalate(date(2025, 10, 15))
    assert escalate(date(2025, 10, 22)).total == 0
    assert escalate(date(2025, 10, 23)).escalated == {"league": [complaint.pk]}
    complaint.refresh_from_db()
    assert (complaint.level, complaint.due_on) == ("province", date(2025, 10, 30))
    last = escalate(date(2025, 11, 3))
    assert last.total == 0 and last.overdue_at_top == 1
    complaint.refresh_from_db()
    assert complaint.level == "province" and complaint.status == "open"
    assert ComplaintEscalation.objects.count() == 2
    with time_machine.travel("2025-11-03 10:00 +0800"):
        page = staff_client(association_approver).get("/complaints/?overdue=1").text
    assert f"/complaints/{complaint.pk}/" in page and "已超期" in page


def test_a_case_the_job_missed_for_days_moves_one_level_per_run(complaint):
    run = escalate(date(2025, 12, 1))
    assert run.escalated == {"county": [complaint.pk]}
    complaint.refresh_from_db()
    assert complaint.level == "league"


def test_an_answered_case_never_moves(complaint, county_clerk):
    with time_machine.travel("2025-10-10 10:00 +0800"):
        services.reply(actor=county_clerk, complaint=complaint, text="已催办，预计下周审批")
    assert escalate(date(2025, 10, 20)).total == 0
    complaint.refresh_from_db()
    assert (complaint.level, complaint.status) == ("county", "answered")


def test_once_moved_up_the_county_can_no_longer_answer_but_the_office_can(complaint, county_clerk, league_reviewer):
    escalate(date(2025, 10, 15))
    complaint.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.reply(actor=county_clerk, complaint=complaint, text="已处理")
    assert refused.value.code == "not_at_your_level"
    services.reply(actor=league_reviewer, complaint=complaint, text="办事处已督办")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.replied_level) == ("answered", "league")


def test_only_the_system_runs_the_clock(county_clerk):
    from huzhu.core.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.escalate_overdue(actor=county_clerk, today=date(2025, 10, 15))


def test_the_command_prints_what_it_did_and_is_safe_to_re_run(complaint):
    out = io.StringIO()
    call_command("escalate-complaints", "--today", "2025-10-15", stdout=out)
    assert "升级 1 件" in out.getvalue() and "代办点 → 办事处：1 件" in out.getvalue()
    out = io.StringIO()
    call_command("escalate-complaints", "--today", "2025-10-15", stdout=out)
    assert "升级 0 件" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("escalate-complaints", "--today", "2025-13-01")


def test_the_daily_task_is_scheduled_and_runs_the_same_service(complaint, settings):
    from huzhu.complaints.tasks import escalate_overdue

    assert settings.CELERY_BEAT_SCHEDULE["escalate-complaints"]["task"] == escalate_overdue.name
    assert escalate_overdue("2025-10-15") == 1
    assert Complaint.objects.get().level == "league"
