"""`huzhu demo_logins`: print the demo accounts, one per role."""
import os

from django.core.management.base import BaseCommand

from huzhu.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "列出演示账号"

    def handle(self, *args, **options):
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\n互助 · 演示环境  http://127.0.0.1:{port}/")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, _role, _division, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {label}")
        self.stdout.write("公开页面：/calculator/ 算清互助账 · /policy/ 政策宣讲\n")
