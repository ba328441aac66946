"""Deploy checks (`huzhu check --deploy`): refuse development keys, DEBUG and wide hosts in production."""
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from huzhu.core import crypto

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
DEV_DATA_KEY = "dev-only-data-key"
DEV_AUDIT_KEY = "dev-only-audit-key"


def _is_development_value(value: str, default: str) -> bool:
    return not value or value == default or value.startswith("dev-only")


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    problems = []
    if _is_development_value(settings.SECRET_KEY, DEV_SECRET_KEY) or len(settings.SECRET_KEY) < 50:
        problems.append(Error(
            "HUZHU_SECRET_KEY 仍是开发默认值或过短（至少 50 个字符）。",
            hint="python -c 'import secrets; print(secrets.token_urlsafe(64))' 生成后写入环境变量 HUZHU_SECRET_KEY。",
            id="huzhu.security.E001"))
    if _is_development_value(settings.DATA_KEY, DEV_DATA_KEY) or len(settings.DATA_KEY) < 32:
        problems.append(Error(
            "HUZHU_DATA_KEY 仍是开发默认值或过短（至少 32 个字符）：身份证号和银行卡号的加密形同虚设。",
            hint="生成随机密钥写入 HUZHU_DATA_KEY，并按 docs/security.md 的步骤轮换已有数据。",
            id="huzhu.security.E002"))
    previous = getattr(settings, "DATA_KEY_PREVIOUS", "")
    if previous and previous == settings.DATA_KEY:
        problems.append(Error(
            "HUZHU_DATA_KEY_PREVIOUS 与 HUZHU_DATA_KEY 相同。", hint="轮换时前者是旧密钥、后者是新密钥；不轮换时删除前者。",
            id="huzhu.security.E005"))
    elif previous:
        problems.append(Warning(
            "HUZHU_DATA_KEY_PREVIOUS 已设置：数据密钥轮换进行中，按身份证号查找要同时试两个密钥。",
            hint="`huzhu rotate-data-key` 报告没有需要轮换的数据后，删除 HUZHU_DATA_KEY_PREVIOUS 并重启。",
            id="huzhu.security.W004"))
    audit_key = getattr(settings, "AUDIT_KEY", "")
    if _is_development_value(audit_key, DEV_AUDIT_KEY) or len(audit_key) < 32:
        problems.append(Error(
            "HUZHU_AUDIT_KEY 仍是开发默认值或过短（至少 32 个字符）：知道默认值的人可以改写审计链而不被发现。",
            hint="生成随机密钥写入 HUZHU_AUDIT_KEY（不要存入数据库），再按 docs/security.md 重新成链。",
            id="huzhu.security.E007"))
    if settings.DEBUG:
        problems.append(Error("生产环境不得开启调试模式（HUZHU_DEBUG=0）。", id="huzhu.security.E003"))
    hosts = [h.strip() for h in settings.ALLOWED_HOSTS if h.strip()]
    if not hosts or any(h == "*" or h.startswith("*") or h == "." for h in hosts):
        problems.append(Error(
            f"HUZHU_ALLOWED_HOSTS 过宽：{','.join(hosts) or '（空）'}。",
            hint="列出本系统对外的域名，例如 huzhu.example.org。", id="huzhu.security.E004"))
    insecure = [name for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE") if not getattr(settings, name)]
    if insecure:
        problems.append(Error(
            f"Cookie 未设 Secure（{'、'.join(insecure)}）：会话和 CSRF cookie 会经明文 HTTP 发送。",
            hint="生产环境经 HTTPS 提供服务，并去掉 HUZHU_SECURE_COOKIES=false。", id="huzhu.security.E006"))
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        problems.append(Warning(
            "缓存为进程内存（LocMemCache）：登录锁定和验证码限流只在单个进程内有效。",
            hint="设置 REDIS_URL 使所有 Web 进程共用同一缓存。", id="huzhu.security.W001"))
    if not settings.HUZHU_2FA_REQUIRED_ROLES:
        problems.append(Warning(
            "没有任何角色被要求启用两步验证。", hint="设置 HUZHU_2FA_REQUIRED_ROLES=association,admin。",
            id="huzhu.security.W002"))
    if settings.HUZHU_SMS_BACKEND.endswith("LogSmsBackend"):
        problems.append(Warning(
            "短信通道为日志后端：职工收不到登录验证码，验证码写在日志里。",
            hint="将 HUZHU_SMS_BACKEND 指向短信平台适配器。", id="huzhu.security.W003"))
    return problems


@register(Tags.security)
def check_crypto_suite(app_configs, **kwargs):
    """HUZHU_CRYPTO / HUZHU_CRYPTO_PREVIOUS must name a suite; a switch under way is reported (every run, not only deploy)."""
    problems = []
    for name in ("HUZHU_CRYPTO", "HUZHU_CRYPTO_PREVIOUS"):
        try:
            crypto.suite_named(getattr(settings, name, ""), setting=name)
        except ImproperlyConfigured:
            problems.append(Error(
                f"{name}={getattr(settings, name)!r} 无法识别。", hint="国密算法（SM4/SM3）设为 sm；AES/SHA-256 留空。",
                id="huzhu.security.E020"))
    if problems:
        return problems
    if getattr(settings, "HUZHU_CRYPTO_PREVIOUS", "") and crypto.previous_keying() is not None \
            and crypto.previous_keying().suite != crypto.current_suite():
        problems.append(Warning(
            "HUZHU_CRYPTO_PREVIOUS 已设置：加密算法切换进行中，按身份证号、手机号查找要同时试两种算法的盲索引。",
            hint="`huzhu rotate-data-key` 报告没有需要轮换的数据后，删除 HUZHU_CRYPTO_PREVIOUS 并重启。",
            id="huzhu.security.W020"))
    return problems
