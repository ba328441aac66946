"""`huzhu send-service-digest [--week-of YYYY-MM-DD]`: mail each office its weekly service-level digest (once a week;
a second run sends nothing more). Celery beat runs it on Monday mornings (reports.send_service_digests)."""
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huzhu.core.actors import SystemActor
from huzhu.reports import services


class Command(BaseCommand):
    help = "发送服务时效周报：协会、各办事处、各代办点各一封（默认上一周；同一周重复运行不会重复发送）"

    def add_arguments(self, parser):
        parser.add_argument("--week-of", dest="week_of", help="该日期所在的一周（周一至周日），默认上一周")

    def handle(self, *args, week_of: str | None = None, **options):
        today = timezone.localdate()
        if week_of:
            try:
                day = date.fromisoformat(week_of)
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{week_of}") from None
        else:
            day = today - timedelta(days=7)
        monday = services.week_of(day)
        run = services.send_service_digests(actor=SystemActor(), week_start=monday, today=today)
        self.stdout.write(f"{monday.isoformat()} 当周服务时效周报：新生成 {run.composed} 份，发送邮件 {run.sent} 封，"
                          f"此前已发送 {run.already_sent} 份，无收件人 {run.without_recipients} 份")
