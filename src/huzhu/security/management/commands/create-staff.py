"""`huzhu create-staff USERNAME --role ROLE [--division CODE] [--name NAME]`: appoint a staff account.

The only way to appoint the security administrator and the audit administrator (三员分立: the
system administrator cannot create them in the admin site). The password is asked twice at the
terminal (or read from HUZHU_NEW_STAFF_PASSWORD) and checked against the password policy.
"""
import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from huzhu.core.errors import DomainError
from huzhu.regions.models import Role
from huzhu.regions.services import create_staff_account


class Command(BaseCommand):
    help = "创建工作人员账户（安全管理员、安全审计员只能由此创建）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[value for value, _label in Role.choices])
        parser.add_argument("--division", default=None, help="区划代码；省级角色不填")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username: str, role: str, division: str | None, name: str, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"用户 {username} 已存在")
        password = os.environ.get("HUZHU_NEW_STAFF_PASSWORD") or self._ask_password()
        try:
            validate_password(password, get_user_model()(username=username, first_name=name))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        try:
            create_staff_account(actor=None, username=username, password=password, role=role,
                                 full_name=name, division_code=division)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建 {username}（{Role(role).label}）"))

    def _ask_password(self) -> str:
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致")
        return first
