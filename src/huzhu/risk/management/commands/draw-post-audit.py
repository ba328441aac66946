"""`huzhu draw-post-audit [--month YYYY-MM]`: draw a month's post-audit sample (default: last month; idempotent)."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.errors import DomainError
from huzhu.risk import queries, rules, services


class Command(BaseCommand):
    help = "事后抽查：从某月自动审批的申领中分层抽取样本（默认上月；同一月份只抽取一次）"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="月份，如 2026-10（默认上月）")

    def handle(self, *args, month: str | None, **options):
        today = timezone.localdate()
        chosen = rules.parse_month(month) if month else rules.previous_month(today)
        if chosen is None:
            raise CommandError(f"月份 {month} 不正确，应为 YYYY-MM", returncode=2)
        existed = queries.is_drawn(chosen)
        try:
            draw = services.draw_post_audit(actor=SYSTEM_ACTOR, month=chosen, today=today)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        sampled = draw.samples.count()
        if existed:
            self.stdout.write(f"{draw.month:%Y-%m} 的样本此前已抽取：{sampled:,} 件（未重复抽取）")
        else:
            self.stdout.write(f"{draw.month:%Y-%m}：自动审批 {draw.candidates:,} 件，抽取样本 {sampled:,} 件")
