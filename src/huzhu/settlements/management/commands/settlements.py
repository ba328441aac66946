"""`huzhu settlements import FILE [--agreement ID] [--mode all|valid]`: import a medical-insurance settlement feed."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.errors import DomainError
from huzhu.settlements import services
from huzhu.settlements.models import SettlementImport


class Command(BaseCommand):
    help = "医保结算数据：import 导入结算数据文件（CSV/XLSX），purge 清除超过保存期限的原始数据"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True)
        run = commands.add_parser("import", help="导入一个结算数据文件")
        run.add_argument("file")
        run.add_argument("--agreement", type=int, default=None, help="依据的数据共享协议编号（只有一份有效协议时可省略）")
        run.add_argument("--mode", choices=SettlementImport.Mode.values, default=SettlementImport.Mode.VALID,
                         help="all：全部正确才导入；valid：只导入正确的行（默认）")
        commands.add_parser("purge", help="清除超过协议保存天数的原始结算数据")
        commands.add_parser("drop", help="处理投递目录（HUZHU_SETTLEMENT_DROP_DIR）中的文件")

    def handle(self, *args, **options):
        if options["subcommand"] == "purge":
            self.stdout.write(f"已清除{services.purge_raw_settlements(actor=SYSTEM_ACTOR)}行原始结算数据")
            return
        if options["subcommand"] == "drop":
            jobs = services.import_dropped_files(actor=SYSTEM_ACTOR)
            self.stdout.write(f"处理了投递目录中的{len(jobs)}个文件")
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            job = services.create_settlement_import(actor=SYSTEM_ACTOR, file_name=path.name, path=path,
                                                    agreement_id=options["agreement"], mode=options["mode"],
                                                    source=SettlementImport.Source.CLI)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

        def report(current):
            self.stderr.write(f"\r已读取{current.done}行，已匹配至第{current.matched_through}行", ending="")

        job = services.run_settlement_import(job_id=job.pk, actor=SYSTEM_ACTOR, progress=report)
        self.stderr.write("")
        self.stdout.write(f"导入任务#{job.pk}：{job.get_status_display()}。{job.message}")
        if job.status in (SettlementImport.Status.FAILED, SettlementImport.Status.REFUSED):
            raise CommandError(job.message)
