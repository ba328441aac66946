"""`huzhu send-notifications`: deliver pending claim status notifications (idempotent; cron or Celery beat)."""
from django.core.management.base import BaseCommand

from huzhu.claims.services import deliver_notifications


class Command(BaseCommand):
    help = "发送申领状态变更通知（待发送的记录只发送一次）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="一次最多发送的条数")

    def handle(self, *args, limit: int, **options):
        sent = deliver_notifications(limit=limit)
        self.stdout.write(f"已发送 {sent} 条通知")
