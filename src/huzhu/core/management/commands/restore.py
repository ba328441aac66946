"""`huzhu restore DIR`: restore a verified backup into an empty database and the archive root."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.core.backup import BackupProblem, restore_backup


class Command(BaseCommand):
    help = "从备份目录恢复数据库和档案文件（先校验；目标数据库须为空）。"

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder, **options):
        try:
            summary = restore_backup(folder, progress=lambda text: self.stderr.write(text))
        except BackupProblem as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"恢复完成：{summary.tables} 张表 {summary.rows} 行，{summary.files} 个文件")
