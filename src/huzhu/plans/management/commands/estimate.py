"""`huzhu estimate FILE.json`: print the estimate of DOMAIN.md's format ("-" reads stdin)."""
import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.core.errors import ValidationFailed
from huzhu.plans import queries, rules
from huzhu.plans.estimate_format import parse_estimate_request, render_estimate

EXIT_INVALID = 2  # DOMAIN: a malformed request gets exit code 2 with the field and the reason


class Command(BaseCommand):
    help = "估算补助金：读取 DOMAIN.md 估算格式的 JSON 文件，输出每个事件的补助金、计算步骤和合计"

    def add_arguments(self, parser):
        parser.add_argument("file", help="estimate request JSON file, or - for stdin")

    def handle(self, *args, file: str, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"file：无法读取 {file}：{exc}", returncode=EXIT_INVALID) from None
        try:
            document = json.loads(text, parse_float=Decimal)
            request = parse_estimate_request(document)
            terms = queries.current_terms(request.plan, request.year)
        except (ValueError, RecursionError):
            raise CommandError(f"body：{file} 不是合法的 JSON", returncode=EXIT_INVALID) from None
        except ValidationFailed as exc:
            raise CommandError(exc.message, returncode=EXIT_INVALID) from None
        result = rules.estimate(terms, request.member, list(request.events))
        self.stdout.write(json.dumps(render_estimate(request, result), ensure_ascii=False))
