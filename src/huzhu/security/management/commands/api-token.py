"""`huzhu api-token create USERNAME [--name N] [--days D]` prints a new token once; `revoke PREFIX`."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from huzhu.core.errors import DomainError
from huzhu.security import services
from huzhu.security.models import ApiToken


class Command(BaseCommand):
    help = "API 令牌：create 签发（令牌只显示一次），revoke 吊销，list 列出"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户签发令牌")
        create.add_argument("username")
        create.add_argument("--name", default="命令行签发", help="用途")
        create.add_argument("--days", type=int, default=90, help="有效天数，0 = 长期")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="列出用户的令牌")
        listing.add_argument("username")

    def handle(self, *args, action: str, **options):
        if action == "create":
            user = self._user(options["username"])
            try:
                token, plain = services.create_api_token(actor=None, user=user, name=options["name"],
                                                         expires_in_days=options["days"] or None)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            expiry = f"{token.expires_at:%Y-%m-%d} 到期" if token.expires_at else "长期有效"
            self.stderr.write(f"已为 {user.username} 签发令牌「{token.name}」，{expiry}；令牌只显示这一次：")
            self.stdout.write(plain)
        elif action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
            if token is None:
                raise CommandError(f"没有前缀为 {options['prefix']} 的有效令牌")
            services.revoke_api_token(actor=None, token=token)
            self.stdout.write(f"已吊销 {token}")
        else:
            for token in ApiToken.objects.filter(user=self._user(options["username"])):
                state = "已吊销" if token.revoked_at else ("已过期" if token.is_expired() else "有效")
                self.stdout.write(f"{token.prefix}…  {token.name}  {state}")

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        return user
