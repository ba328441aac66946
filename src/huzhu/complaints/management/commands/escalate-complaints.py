"""`huzhu escalate-complaints [--today YYYY-MM-DD]`: the daily clock of complaints, by hand (safe to re-run)."""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from huzhu.complaints import services
from huzhu.complaints.models import Complaint
from huzhu.core.actors import SYSTEM_ACTOR


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期应为 YYYY-MM-DD：{text}") from exc


class Command(BaseCommand):
    help = "将超过答复时限的投诉咨询升级到上一级（代办点 → 办事处 → 协会），并重新计时"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_day, default=None, help="按这一天计算时限（默认今天）")

    def handle(self, *args, today=None, **options):
        run = services.escalate_overdue(actor=SYSTEM_ACTOR, today=today)
        labels = dict(Complaint.Level.choices)
        self.stdout.write(f"{run.today.isoformat()}：升级 {run.total} 件")
        for from_level, ids in run.escalated.items():
            to_level = services.queries.next_level(from_level) or ""
            self.stdout.write(f"  {labels[from_level]} → {labels.get(to_level, to_level)}：{len(ids)} 件"
                              f"（#{', #'.join(str(pk) for pk in ids[:20])}{' …' if len(ids) > 20 else ''}）")
        if run.overdue_at_top:
            self.stdout.write(f"  协会层级仍超期未答复：{run.overdue_at_top} 件")
