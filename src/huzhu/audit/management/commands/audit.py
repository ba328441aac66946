"""`huzhu audit verify`: walk the audit hash chain; exit 1 naming the first broken event."""
from django.core.management.base import BaseCommand, CommandError

from huzhu.audit.chain import verify_chain


class Command(BaseCommand):
    help = "审计日志工具：verify 校验哈希链"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条校验审计哈希链（流式读取）")

    def handle(self, *args, action: str, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"审计链断裂：事件 #{report.broken_event_id}：{report.problem}"
                               f"（已校验 {report.events} 条）")
        self.stdout.write(f"审计链完整：共 {report.events} 条事件")
