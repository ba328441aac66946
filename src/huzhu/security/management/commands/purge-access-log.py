"""`huzhu purge-access-log`: delete personal-data access records past HUZHU_AUDIT_RETENTION_DAYS.

The keyed audit chain is never purged (append-only, verified whole by `huzhu audit verify`).
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from huzhu.core.errors import DomainError
from huzhu.security.services import purge_expired_access_records


class Command(BaseCommand):
    help = "清除超过保存期限的个人信息访问记录（审计日志不清除）"

    def handle(self, *args, **options):
        try:
            deleted = purge_expired_access_records(actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已清除 {deleted} 条超过 {settings.HUZHU_AUDIT_RETENTION_DAYS} 天的个人信息访问记录")
