"""`huzhu rotate-data-key [--batch N] [--dry-run] [--max-batches N]`: move stored personal data to HUZHU_DATA_KEY.

Run with HUZHU_DATA_KEY=<new> and HUZHU_DATA_KEY_PREVIOUS=<old>, or, to switch algorithms,
HUZHU_CRYPTO=sm and HUZHU_CRYPTO_PREVIOUS=aes (docs/security.md). Resumable and
safe to re-run: rows already under the new key are skipped.
"""
from django.core.management.base import BaseCommand, CommandError

from huzhu.core import crypto
from huzhu.core.errors import DomainError
from huzhu.security import key_rotation


class Command(BaseCommand):
    help = "轮换数据密钥：把所有加密列重新加密、盲索引重新计算（分批、可中断续跑）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=key_rotation.DEFAULT_BATCH, help="每批行数（一批一个事务）")
        parser.add_argument("--dry-run", action="store_true", help="只统计待轮换的行和密文，不修改")
        parser.add_argument("--max-batches", type=int, default=None, help="做完这么多批后停下（再次运行即继续）")

    def handle(self, *args, batch: int, dry_run: bool, max_batches: int | None, **options):
        self.stderr.write(f"数据密钥：HUZHU_DATA_KEY = {crypto.current_tag()}，"
                          f"上一配置（HUZHU_DATA_KEY_PREVIOUS、HUZHU_CRYPTO_PREVIOUS）= {crypto.previous_tag() or '未设置'}"
                          "（前缀 v2 为 AES-GCM、sm4 为 SM4-GCM，其后是密钥标识，不是密钥）")
        try:
            report = key_rotation.rotate_data_key(actor=None, batch=batch, dry_run=dry_run, max_batches=max_batches,
                                                  progress=self._progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for label, rows in report.rows.items():
            verb = "待轮换" if dry_run else "已轮换"
            self.stdout.write(f"{label}：{verb} {rows} 行，{report.values[label]} 个密文")
        if report.kept_indexes:
            self.stdout.write(f"注意：{report.kept_indexes} 个盲索引不是其密文明文的索引（如精算样本职工），保持原样")
        if report.orphan_indexes:
            self.stdout.write(f"注意：{report.orphan_indexes} 行只有盲索引没有密文（待确认的名册导入中已登记的职工），"
                              "无法重新计算；轮换前校验的名册导入请作废后重新上传")
        if report.changed_meanwhile:
            self.stdout.write(f"注意：{report.changed_meanwhile} 行在轮换期间被修改，留待再次运行处理")
        if dry_run:
            self.stdout.write(f"演练：共 {report.total_rows} 行待轮换，未做任何修改")
        elif not report.finished:
            self.stdout.write(f"已做完 {report.batches} 批（--max-batches），再次运行即从中断处继续")
        elif report.total_rows or report.changed_meanwhile:
            self.stdout.write(f"完成：共轮换 {report.total_rows} 行，{report.batches} 批，每批一条审计事件")
        else:
            self.stdout.write("没有需要轮换的数据：所有密文都已在当前密钥下")

    def _progress(self, label: str, done: int, total: int) -> None:
        self.stderr.write(f"  {label}：{done}/{total} 行")
