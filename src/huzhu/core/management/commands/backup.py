"""`huzhu backup DIR` makes a backup; `huzhu backup verify DIR` checks one (exit 1 when it fails)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.core.backup import BackupProblem, make_backup, verify_backup


class Command(BaseCommand):
    help = "备份数据库和档案文件到目录（带清单和校验和）；`backup verify DIR` 校验一份备份。"

    def add_arguments(self, parser):
        parser.add_argument("words", nargs="+", metavar="[verify] DIR")

    def handle(self, *args, words, **options):
        if words[0] == "verify" and len(words) == 2:
            return self._verify(Path(words[1]))
        if len(words) != 1:
            raise CommandError("用法：huzhu backup DIR 或 huzhu backup verify DIR")
        try:
            summary = make_backup(Path(words[0]), progress=lambda text: self.stderr.write(text))
        except BackupProblem as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"备份完成：{summary.folder}（{summary.tables} 张表 {summary.rows} 行，{summary.files} 个文件）")

    def _verify(self, folder: Path):
        try:
            problems = verify_backup(folder)
        except BackupProblem as exc:
            raise CommandError(str(exc)) from None
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"备份校验未通过：{len(problems)} 处问题")
        self.stdout.write(f"备份校验通过：{folder}")
