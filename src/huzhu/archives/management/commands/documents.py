"""`huzhu documents read FILE`: what a document says, as one JSON object (a contract other tools rely on).

    {"kind": "invoice" | "settlement_sheet" | "id_card" | "bank_card" | "other",
     "fields": {"invoice_code": "15060126", "total_amount": "17000.00", "admitted_on": "2026-11-02", ...},
     "confidence": {"invoice_code": 0.998, ...}}

Money as strings with two decimals, dates YYYY-MM-DD; a field it could not read is absent.
"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from huzhu.archives.reading import Unreadable, read_document


class Command(BaseCommand):
    help = "读取票据、结算单或照片，输出识别出的字段（JSON）"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        read = commands.add_parser("read", help="读取一个文件（PDF、OFD 电子票据或照片）")
        read.add_argument("file")

    def handle(self, *args, command: str, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": file})
        try:
            reading = read_document(path.read_bytes())
        except Unreadable as exc:
            raise CommandError(_(exc.msgid)) from exc
        self.stdout.write(json.dumps(reading.proposal.as_dict(), ensure_ascii=False))
