"""Security use cases: API tokens, worker one-time codes, TOTP, revealing personal data, access log."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, StaffActor, WorkerActor, user_of
from huzhu.core.crypto import blind_indexes, decrypt_text, encrypt_text
from huzhu.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from huzhu.core.idnumbers import national_mobile, normalize, parse_mobile
from huzhu.members.models import Worker
from huzhu.regions.models import ADMINISTRATOR_ROLES, Role
from huzhu.regions.queries import scope_of

from . import throttling
from .models import ApiToken, PersonalDataAccess, TotpDevice, WorkerLoginCode
from .permissions import REVEALABLE_FIELDS, can_reveal_personal_data
from .sms import send_sms

STAFF_TOKEN_PREFIX = "hzs_"
WORKER_TOKEN_PREFIX = "hzw_"
_WORKER_TOKEN_SALT = "huzhu.security.worker-token"


class Unauthenticated(DomainError):
    """Credentials are missing, wrong, expired or revoked (HTTP 401)."""

    http_status = 401


class TooManyRequests(DomainError):
    """A rate limit was passed (HTTP 429)."""

    http_status = 429

    def __init__(self, message: str = ""):
        super().__init__("too_many_requests", message or _("请求过于频繁，请稍后再试"))


# --- Staff and unit-contact API tokens -----------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, actor: Actor, user, name: str, expires_in_days: int | None = 90) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the row and the plain token, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("name_required", _("请填写令牌用途"), field="name")
    if not user.is_active:
        raise ValidationFailed("user_inactive", _("该账户已停用，不能签发令牌"))
    ensure_business_role(user)
    plain = STAFF_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(user=user, name=name[:100], token_hash=hash_token(plain),
                                    prefix=plain[:10], expires_at=expires_at)
    record_event(actor=actor, action="api_token.created", object_type="api_token", object_id=token.pk,
                 after={"user": user.username, "name": token.name, "prefix": token.prefix,
                        "expires_at": expires_at.isoformat() if expires_at else None})
    return token, plain


@transaction.atomic
def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; a revoked token never authenticates again."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(actor=actor, action="api_token.revoked", object_type="api_token", object_id=token.pk,
                     after={"user": token.user.username, "prefix": token.prefix})
    return token


def user_for_api_token(plain: str):
    """The active user a staff token belongs to; raises Unauthenticated for a bad token."""
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(plain)).first()
    if token is None or not token.user.is_active:
        raise Unauthenticated("token_invalid", _("访问令牌无效，请检查后重试"))
    if token.revoked_at is not None:
        raise Unauthenticated("token_revoked", _("访问令牌已被吊销"))
    now = timezone.now()
    if token.is_expired(now):
        raise Unauthenticated("token_expired", _("访问令牌已过期，请重新申请"))
    ensure_business_role(token.user)  # a token issued before the account became an administrator
    # Record use at most once a minute: a busy integration must not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def ensure_business_role(user) -> None:
    """The JSON API is business data only: the three administrators (三员) never use it."""
    if scope_of(user).role in ADMINISTRATOR_ROLES:
        raise PermissionDenied(_("系统管理员、安全管理员和安全审计员不能使用业务接口"))


# --- Workers: ID number + phone + one-time code --------------------------------------------------

# A code is hashed under its purpose: a sign-in code never confirms a bank card change, nor back.
SIGN_IN, BANK_CHANGE = "huzhu.security.worker-code", "huzhu.security.worker-bank-code"


def _code_hash(worker_id: int, code: str, purpose: str = SIGN_IN) -> str:
    return salted_hmac(purpose, f"{worker_id}:{code}").hexdigest()


def _find_worker(id_number: str, phone: str) -> Worker | None:
    """The worker holding both numbers, by their blind indexes (the phone in its registered form, parse_mobile)."""
    compact = normalize(id_number)
    try:
        mobile = parse_mobile(national_mobile(phone))
    except ValueError:
        return None
    if not compact:
        return None
    return Worker.objects.filter(id_number_index__in=blind_indexes(compact),
                                 phone_index__in=blind_indexes(mobile)).first()


def request_worker_code(*, id_number: str, phone: str, ip: str | None = None) -> None:
    """Text a sign-in code when the ID number and phone belong to one worker; silent otherwise.

    The caller answers the same either way, so the endpoint never tells whether a pair exists.
    """
    pair = f"{normalize(id_number)}|{national_mobile(phone)}"
    if throttling.hit("worker-code-pair-minute", pair, window_seconds=60) > 1:
        raise TooManyRequests(_("验证码已发送，请 60 秒后再试"))
    if throttling.hit("worker-code-pair-hour", pair, window_seconds=3600) > 5:
        raise TooManyRequests(_("获取验证码次数过多，请 1 小时后再试"))
    if ip and throttling.hit("worker-code-ip", ip, window_seconds=3600) > 30:
        raise TooManyRequests()
    worker = _find_worker(id_number, phone)
    if worker is None:
        return
    code = _issue_code(worker, SIGN_IN)
    minutes = settings.HUZHU_WORKER_CODE_SECONDS // 60
    send_sms(phone=worker.reveal_phone(), text=f"【职工互助保障】您的登录验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。")


def _issue_code(worker: Worker, purpose: str) -> str:
    """A fresh six-digit code for `purpose`; it replaces any earlier code of the worker still open."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        WorkerLoginCode.objects.filter(worker=worker, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        WorkerLoginCode.objects.create(
            worker=worker, code_hash=_code_hash(worker.pk, code, purpose), created_at=now,
            expires_at=now + timedelta(seconds=settings.HUZHU_WORKER_CODE_SECONDS))
    return code


def _use_code(worker: Worker, code: str, purpose: str) -> None:
    """Use up the worker's open code if `code` is it; every try counts towards the attempt limit."""
    wrong = Unauthenticated("code_invalid", _("验证码错误或已过期，请重新获取"))
    now = timezone.now()
    login_code = (WorkerLoginCode.objects.filter(worker=worker, used_at__isnull=True, expires_at__gt=now)
                  .order_by("-created_at").first())
    if login_code is None:
        raise wrong
    # Count the attempt first, conditionally, so parallel guesses cannot pass the limit.
    counted = WorkerLoginCode.objects.filter(
        pk=login_code.pk, attempts__lt=settings.HUZHU_WORKER_CODE_MAX_ATTEMPTS).update(attempts=F("attempts") + 1)
    if not counted:
        raise Unauthenticated("code_attempts_exceeded", _("验证码错误次数过多，请重新获取"))
    if not hmac.compare_digest(login_code.code_hash, _code_hash(worker.pk, (code or "").strip(), purpose)):
        raise wrong
    if not WorkerLoginCode.objects.filter(pk=login_code.pk, used_at__isnull=True).update(used_at=now):
        raise wrong  # used by a parallel request a moment ago


@dataclass(frozen=True)
class WorkerToken:
    token: str
    expires_at: datetime
    worker: Worker


def exchange_worker_code(*, id_number: str, phone: str, code: str, ip: str | None = None) -> WorkerToken:
    """Trade a correct, unexpired one-time code for a short-lived signed worker token."""
    return issue_worker_token(worker=verify_worker_code(id_number=id_number, phone=phone, code=code, ip=ip,
                                                        door="api"))


def verify_worker_code(*, id_number: str, phone: str, code: str, ip: str | None = None, door: str) -> Worker:
    """The worker whose one-time code this is (used up by this call); the sign-in is audited.

    Both worker doors go through here: the API trades the worker for a token, the web pages keep
    the worker in the session (`door` says which, in the audit event).
    """
    if ip and throttling.hit("worker-token-ip", ip, window_seconds=600) > 30:
        raise TooManyRequests()
    worker = _find_worker(id_number, phone)
    if worker is None:
        raise Unauthenticated("code_invalid", _("验证码错误或已过期，请重新获取"))
    _use_code(worker, code, SIGN_IN)
    record_event(actor=None, action="worker.signed_in", object_type="worker", object_id=worker.pk,
                 after={"ip": ip, "door": door})
    return worker


def request_bank_change_code(*, worker_id: int) -> None:
    """Text the signed-in worker a fresh code that confirms a change of her bank card.

    A browser left signed in is not enough to redirect her benefit: the phone must be at hand too.
    """
    if throttling.hit("worker-bank-code-minute", str(worker_id), window_seconds=60) > 1:
        raise TooManyRequests(_("验证码已发送，请 60 秒后再试"))
    if throttling.hit("worker-bank-code-hour", str(worker_id), window_seconds=3600) > 5:
        raise TooManyRequests(_("获取验证码次数过多，请 1 小时后再试"))
    worker = Worker.objects.get(pk=worker_id)
    if not worker.phone_encrypted:
        raise ValidationFailed("no_phone", _("未登记手机号，请到代办点更改银行卡"))
    code = _issue_code(worker, BANK_CHANGE)
    minutes = settings.HUZHU_WORKER_CODE_SECONDS // 60
    send_sms(phone=worker.reveal_phone(),
             text=f"【职工互助保障】您正在更改领取补助金的银行卡，验证码为 {code}，{minutes} 分钟内有效。如非本人操作请勿提供。")


@transaction.atomic
def change_own_bank_account(*, worker_id: int, code: str, bank_name: str, bank_account: str) -> Worker:
    """The worker changes her own bank card with the code texted for it; audited as her own change."""
    from huzhu.members import services as member_services

    worker = Worker.objects.get(pk=worker_id)
    _use_code(worker, code, BANK_CHANGE)
    # Her own record: no staff region applies (the code above is the permission).
    return member_services.change_bank_account(
        actor=WorkerActor(worker.pk), worker=worker,
        bank_name=bank_name, bank_account=bank_account, reason="职工本人凭短信验证码更改")


def issue_worker_token(*, worker: Worker) -> WorkerToken:
    """Sign a worker token (only after the worker proved who they are: the code exchange, tests, bench)."""
    token = WORKER_TOKEN_PREFIX + signing.dumps({"w": worker.pk}, salt=_WORKER_TOKEN_SALT)
    return WorkerToken(token=token, worker=worker,
                       expires_at=timezone.now() + timedelta(seconds=settings.HUZHU_WORKER_TOKEN_SECONDS))


def worker_for_token(token: str) -> Worker:
    """The worker a signed worker token names; raises Unauthenticated when forged or expired."""
    try:
        payload = signing.loads(token.removeprefix(WORKER_TOKEN_PREFIX), salt=_WORKER_TOKEN_SALT,
                                max_age=settings.HUZHU_WORKER_TOKEN_SECONDS)
    except signing.SignatureExpired:
        raise Unauthenticated("token_expired", _("登录已过期，请重新获取验证码登录")) from None
    except signing.BadSignature:
        raise Unauthenticated("token_invalid", _("访问令牌无效，请重新登录")) from None
    worker = Worker.objects.filter(pk=payload.get("w")).first()
    if worker is None:
        raise Unauthenticated("token_invalid", _("访问令牌无效，请重新登录"))
    return worker


# --- TOTP two-factor (RFC 6238) ------------------------------------------------------------------

TOTP_ISSUER = "互助"


def totp_secret_of(device: TotpDevice) -> str:
    return decrypt_text(device.secret_encrypted)


@transaction.atomic
def start_totp_enrolment(*, actor: StaffActor) -> TotpDevice:
    """Create (or renew, while unconfirmed) the actor's TOTP device with a fresh secret."""
    device = TotpDevice.objects.select_for_update().filter(user=actor).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationFailed("totp_already_enabled", _("两步验证已启用"))
    secret = pyotp.random_base32()
    if device is None:
        device = TotpDevice.objects.create(user=actor, secret_encrypted=encrypt_text(secret))
    else:
        device.secret_encrypted = encrypt_text(secret)
        device.save(update_fields=["secret_encrypted"])
    return device


def _accept_totp(device: TotpDevice, code: str) -> bool:
    """Check a code against the current time step ±1; each step is accepted once (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(totp_secret_of(device))
    step = totp.timecode(timezone.now())
    for candidate in (step - 1, step, step + 1):
        if candidate > device.last_used_step and hmac.compare_digest(totp.generate_otp(candidate), code):
            # Conditional update: two requests with the same code cannot both pass.
            return bool(TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=candidate)
                        .update(last_used_step=candidate))
    return False


@transaction.atomic
def confirm_totp_enrolment(*, actor: StaffActor, code: str) -> TotpDevice:
    """Turn two-factor on once the actor proves their authenticator shows the right code."""
    device = TotpDevice.objects.select_for_update().filter(user=actor, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationFailed("totp_not_started", _("请先生成密钥"))
    if not _accept_totp(device, code):
        raise ValidationFailed("totp_code_invalid", _("验证码不正确，请核对手机时间后重试"), field="code")
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    record_event(actor=actor, action="totp.enabled", object_type="user", object_id=actor.pk)
    return device


def has_totp(user) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def verify_totp_login(*, user, code: str) -> bool:
    """Whether `code` is the user's current TOTP code (second step of sign-in)."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    return device is not None and _accept_totp(device, code)


def totp_required_for(user) -> bool:
    """Whether the user's role must use two-factor (settings.HUZHU_2FA_REQUIRED_ROLES)."""
    return scope_of(user).role in set(settings.HUZHU_2FA_REQUIRED_ROLES)


# --- Personal data: reveal (audited) and the access log ------------------------------------------

def _actor_label(actor: Actor) -> str:
    return getattr(actor, "username", "") or "system"


@transaction.atomic
def reveal_personal_data(*, actor: Actor, worker: Worker, field: str, reason: str, ip: str | None = None) -> str:
    """Decrypt one of a worker's protected numbers for an allowed actor, leaving an audit trail."""
    scope = scope_of(actor)
    if not can_reveal_personal_data(scope):
        raise PermissionDenied(_("您的角色无权查看完整号码"))
    if not scope.contains(worker):
        raise NotFound()
    if field not in REVEALABLE_FIELDS:
        raise ValidationFailed("field_invalid", _("只能显示身份证号、银行卡号或手机号"), field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed("reason_required", _("请填写查看完整号码的事由"), field="reason")
    value = {"id_number": worker.reveal_id_number, "bank_account": worker.reveal_bank_account,
             "phone": worker.reveal_phone}[field]()
    PersonalDataAccess.objects.create(actor=user_of(actor), actor_label=_actor_label(actor), worker_id=worker.pk,
                                      kind=PersonalDataAccess.Kind.REVEAL, view="reveal", field=field,
                                      reason=reason[:200], ip=ip)
    record_event(actor=actor, action="personal_data.revealed", object_type="worker", object_id=worker.pk,
                 after={"field": field, "reason": reason[:200]})
    return value


@transaction.atomic
def reveal_unit_contact_phone(*, actor: Actor, unit, reason: str) -> str:
    """Decrypt a unit contact's mobile for an actor who may reveal workers' numbers; audited with the reason."""
    scope = scope_of(actor)
    if not can_reveal_personal_data(scope):
        raise PermissionDenied(_("您的角色无权查看完整号码"))
    if not scope.includes(league_code=unit.league_id, county_code=unit.county_id):
        raise NotFound()
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed("reason_required", _("请填写查看完整号码的事由"), field="reason")
    record_event(actor=actor, action="reveal_unit_contact_phone", object_type="MemberUnit", object_id=unit.pk,
                 after={"field": "contact_phone", "reason": reason[:200]})
    return unit.reveal_contact_phone()


def record_personal_data_view(*, actor: Actor, worker, view: str, request=None, field: str = "") -> PersonalDataAccess:
    """Log that `actor` opened a page, endpoint or document showing `worker`'s personal data.

    `actor` None is the worker herself (her own phone pages); `field` names a document's kind.
    """
    staff = user_of(actor)
    worker_pk = getattr(worker, "pk", worker)
    return PersonalDataAccess.objects.create(
        actor=staff, actor_label=_actor_label(staff) if staff else f"worker:{worker_pk}",
        worker_id=worker_pk, kind=PersonalDataAccess.Kind.VIEW, view=view[:80], field=field[:30],
        ip=throttling.client_ip(request))


def record_password_changed(*, actor: StaffActor) -> None:
    """Audit a staff member's own password change (the hash never goes into the event)."""
    record_event(actor=actor, action="password.changed", object_type="user", object_id=actor.pk)


# --- 三员分立: the security administrator's and the audit administrator's work -----------------

def _require_role(actor: Actor, role: str, message: str) -> None:
    """The service checks the role again (the pages already 404 for everyone else)."""
    if scope_of(actor).role != role:
        raise PermissionDenied(message)


@transaction.atomic
def unlock_account(*, actor: Actor, user) -> bool:
    """The security administrator lifts a staff account's sign-in lockout; True when it was locked."""
    _require_role(actor, Role.SECURITY_ADMIN, _("只有安全管理员可以解锁账户"))
    was_locked = throttling.unlock_username(user.get_username())
    record_event(actor=actor, action="account.unlocked", object_type="user", object_id=user.pk,
                 after={"username": user.get_username(), "was_locked": was_locked})
    return was_locked


@transaction.atomic
def reset_two_factor(*, actor: StaffActor, user) -> bool:
    """The security administrator removes a staff member's authenticator (lost phone); never her own."""
    _require_role(actor, Role.SECURITY_ADMIN, _("只有安全管理员可以重置两步验证"))
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能重置自己的两步验证，请由另一位安全管理员办理"))
    deleted, _rows = TotpDevice.objects.filter(user=user).delete()
    record_event(actor=actor, action="totp.reset", object_type="user", object_id=user.pk,
                 after={"username": user.get_username(), "had_device": bool(deleted)})
    return bool(deleted)


def record_data_export(*, actor: Actor, request, disposition: str, content_type: str) -> None:
    """Audit one file download (every XLSX/CSV/PDF/ZIP export; see ExportAuditMiddleware)."""
    filename = _download_name(disposition)
    record_event(actor=actor, action="data.exported", object_type="export", object_id=request.path[:40],
                 after={"path": request.path[:200], "filename": filename, "content_type": content_type[:80],
                        "query": {key: value[:80] for key, value in request.GET.items()},
                        "ip": throttling.client_ip(request)})


def _download_name(disposition: str) -> str:
    """The file name of a Content-Disposition header (RFC 6266 `filename*=` for non-ASCII names)."""
    from urllib.parse import unquote

    if "filename*=" in disposition:
        value = disposition.partition("filename*=")[2].split(";")[0]
        return unquote(value.partition("''")[2] or value)[:120]
    return disposition.partition("filename=")[2].split(";")[0].strip('" ')[:120]


def purge_expired_access_records(*, actor: Actor, now: datetime | None = None) -> int:
    """Delete personal-data access records older than HUZHU_AUDIT_RETENTION_DAYS; the purge is audited.

    Only this log is purged: the keyed audit chain (audit.AuditEvent) is append-only and kept whole,
    since deleting its oldest rows would break the chain that `huzhu audit verify` walks.
    """
    days = settings.HUZHU_AUDIT_RETENTION_DAYS
    if days < 183:
        raise ValidationFailed("retention_too_short", _("审计记录至少保存 6 个月（183 天）"))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        deleted, _rows = PersonalDataAccess.objects.filter(at__lt=cutoff).delete()
        record_event(actor=actor, action="access_log.purged", object_type="personal_data_access",
                     object_id=cutoff.date().isoformat(), after={"deleted": deleted, "retention_days": days})
    return deleted
