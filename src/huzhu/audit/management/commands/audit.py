"""`huzhu audit verify|seal|checkpoint`: check, seal and anchor the audit chain; verify exits 1 naming the first bad event."""
from django.core.management.base import BaseCommand, CommandError

from huzhu.audit.chain import verify_chain
from huzhu.audit.checkpoints import checkpoint_path, write_checkpoint, write_checkpoint_if_moved
from huzhu.audit.services import seal_events


class Command(BaseCommand):
    help = "审计日志工具：verify 校验审计链，seal 封存待入链事件，checkpoint 写入链头检查点"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="封存待入链事件，再逐条校验审计链与检查点（流式读取）；通过后链头若有推进则写入检查点")
        verify.add_argument("--no-checkpoint", action="store_true", help="校验通过后不写检查点")
        sub.add_parser("seal", help="封存已提交、尚未入链的事件")
        sub.add_parser("checkpoint", help="封存待入链事件后，把链头的签名检查点追加到档案库文件")

    def handle(self, *args, action: str, no_checkpoint: bool = False, **options):
        if action == "seal":
            self.stdout.write(f"已封存 {seal_events()} 条事件")
            return
        if action == "checkpoint":
            seal_events()
            checkpoint = write_checkpoint()
            self.stdout.write(f"检查点：第 {checkpoint.seq} 条（事件 #{checkpoint.event_id}），"
                              f"哈希 {checkpoint.hash[:16]}…，{checkpoint.at} → {checkpoint_path()}")
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"审计链断裂：事件 #{report.broken_event_id}：{report.problem}"
                               f"（已校验 {report.events} 条）")
        self.stdout.write(f"审计链完整：共 {report.events} 条事件，与 {report.checkpoints} 个检查点一致")
        if not no_checkpoint:
            # The verified head becomes the next anchor: a tail deleted later is caught against it.
            checkpoint = write_checkpoint_if_moved()
            if checkpoint is not None:
                self.stdout.write(f"已写入检查点：第 {checkpoint.seq} 条，哈希 {checkpoint.hash[:16]}…")
