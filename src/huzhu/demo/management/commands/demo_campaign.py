"""`huzhu demo_campaign --seed S`: the campaign demo data on its own (was `huzhu campaign demo`)."""
from django.core.management.base import BaseCommand
from django.utils import timezone

from huzhu.demo.campaign import run_demo_campaign


class Command(BaseCommand):
    help = "生成参互推进演示数据（在 huzhu demo 之后运行）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, seed: int, **options):
        self.stdout.write(run_demo_campaign(seed=seed, today=timezone.localdate()))
