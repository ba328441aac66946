"""`huzhu purge-imports`: drop the staged rows of roster imports abandoned past HUZHU_IMPORT_STAGING_TTL_HOURS."""
from django.core.management.base import BaseCommand

from huzhu.enrollment import services


class Command(BaseCommand):
    help = "清除超过时限未完成的名册导入任务暂存的职工数据（时限见 HUZHU_IMPORT_STAGING_TTL_HOURS）"

    def handle(self, *args, **options):
        purged = services.purge_abandoned_imports(actor=None)
        self.stdout.write(f"已清除{purged}个未完成导入任务的暂存数据")
