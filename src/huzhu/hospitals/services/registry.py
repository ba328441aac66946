"""The registry of partner hospitals and their API credentials (association only)."""
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, HospitalActor, SystemActor, WorkerActor, user_of
from huzhu.core.crypto import encrypt_text
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.identifiers import ascii_form, normalise_bank_account
from huzhu.core.idnumbers import mask_account
from huzhu.core.names import clean_name
from huzhu.regions.models import Division
from huzhu.regions.queries import scope_of
from huzhu.security.services import Unauthenticated, hash_token

from .. import queries, rules
from ..models import HospitalToken, PartnerHospital

CODE_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def require_association(actor: Actor) -> None:
    """The registry, the credentials and the hospitals' money are the association's (province-level roles)."""
    if actor is None:
        return
    if isinstance(actor, WorkerActor):
        raise PermissionDenied(_("只有协会可以管理合作医院"))
    scope = actor.scope if isinstance(actor, SystemActor) else scope_of(actor)
    if not queries.may_write(scope):
        raise PermissionDenied(_("只有协会可以管理合作医院"))


def _clean(fields: dict) -> dict:
    code = ascii_form(fields.get("code", "")).strip().upper()
    if not code or len(code) > 15 or set(code) - CODE_CHARS:
        raise ValidationFailed("invalid_code", _("定点机构编码应为 1 至 15 位字母或数字"), field="code")
    league = Division.objects.filter(pk=ascii_form(fields.get("league") or "").strip(), level="league").first()
    if league is None:
        raise ValidationFailed("invalid_league", _("请选择所属盟市"), field="league")
    county = None
    if fields.get("county"):
        county = Division.objects.filter(pk=ascii_form(fields["county"]).strip(), parent=league).first()
        if county is None:
            raise ValidationFailed("invalid_county", _("旗县区不属于所选盟市"), field="county")
    try:
        account = normalise_bank_account(fields.get("bank_account", ""))
    except ValueError as exc:
        raise ValidationFailed("invalid_bank_account", str(exc), field="bank_account") from exc
    if not account.isdigit() or not 8 <= len(account) <= 30:
        raise ValidationFailed("invalid_bank_account", _("垫付款收款银行账号应为 8 至 30 位数字"), field="bank_account")
    try:
        return {
            "code": code, "name": clean_name(fields.get("name"), label=_("机构名称"), max_length=100),
            "league": league, "county": county,
            "bank_name": clean_name(fields.get("bank_name"), label=_("开户银行"), max_length=100),
            "account_name": clean_name(fields.get("account_name"), label=_("账户名称"), max_length=100),
            "bank_account_encrypted": encrypt_text(account), "bank_account_masked": mask_account(account),
            "contact_name": " ".join(str(fields.get("contact_name") or "").split())[:50],
            "contact_phone": ascii_form(fields.get("contact_phone") or "").strip()[:20],
        }
    except ValueError as exc:
        raise ValidationFailed("invalid_field", str(exc), field="name") from exc


@transaction.atomic
def register_hospital(*, actor: Actor, fields: dict) -> PartnerHospital:
    """Add a partner hospital to the registry (active)."""
    require_association(actor)
    values = _clean(fields)
    if PartnerHospital.objects.filter(code=values["code"]).exists():
        raise Conflict("hospital_exists", _("定点机构编码 %(code)s 已登记") % {"code": values["code"]})
    hospital = PartnerHospital.objects.create(created_by=user_of(actor), **values)
    record_event(actor=actor, action="hospital_registered", object_type="PartnerHospital", object_id=hospital.pk,
                 after={"code": hospital.code, "name": hospital.name, "league": hospital.league_id,
                        "bank_account": hospital.bank_account_masked})
    return hospital


@transaction.atomic
def update_hospital(*, actor: Actor, hospital: PartnerHospital, fields: dict) -> PartnerHospital:
    """Change a hospital's details (its code stays: it keys the settlements and the ledger sub-account)."""
    require_association(actor)
    values = _clean({**fields, "code": hospital.code})
    before = {"name": hospital.name, "league": hospital.league_id, "bank_account": hospital.bank_account_masked}
    for name, value in values.items():
        setattr(hospital, name, value)
    hospital.save()
    record_event(actor=actor, action="hospital_updated", object_type="PartnerHospital", object_id=hospital.pk,
                 before=before, after={"name": hospital.name, "league": hospital.league_id,
                                       "bank_account": hospital.bank_account_masked})
    return hospital


@transaction.atomic
def set_hospital_status(*, actor: Actor, hospital: PartnerHospital, status: str) -> PartnerHospital:
    """Suspend, end or resume a partnership; a hospital not active cannot settle (its tokens are refused)."""
    require_association(actor)
    if status not in PartnerHospital.Status.values:
        raise ValidationFailed("invalid_status", _("未知的合作状态"), field="status")
    before = hospital.status
    PartnerHospital.objects.filter(pk=hospital.pk).update(status=status)
    hospital.status = status
    record_event(actor=actor, action="hospital_status", object_type="PartnerHospital", object_id=hospital.pk,
                 before={"status": before}, after={"status": status})
    return hospital


@transaction.atomic
def issue_token(*, actor: Actor, hospital: PartnerHospital, name: str, client_certificate_sha256: str = "",
                plain: str = "") -> tuple[HospitalToken, str]:
    """A new API token for the hospital; the plain token is returned once and never stored. `plain` gives the token
    instead of drawing one (the demo's known token; a test hospital's token carried over from a vendor's setup)."""
    require_association(actor)
    if plain and (not plain.startswith(rules.TOKEN_PREFIX) or len(plain) < 24 or not plain.isascii()):
        raise ValidationFailed("invalid_token", _("令牌须以 hzh_ 开头，至少 24 位"), field="token")
    if plain and HospitalToken.objects.filter(token_hash=hash_token(plain)).exists():
        raise Conflict("token_exists", _("该令牌已签发"))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("name_required", _("请填写令牌用途，例如“HIS 正式环境”"), field="name")
    fingerprint = rules.normalise_fingerprint(client_certificate_sha256 or "")
    if client_certificate_sha256 and len(fingerprint) != 64:
        raise ValidationFailed("invalid_fingerprint", _("证书指纹应为 64 位十六进制（SHA-256）"),
                               field="client_certificate_sha256")
    plain = plain or rules.TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = HospitalToken.objects.create(hospital=hospital, name=name[:100], token_hash=hash_token(plain),
                                         prefix=plain[:10], client_certificate_sha256=fingerprint,
                                         created_by=user_of(actor))
    record_event(actor=actor, action="hospital_token_issued", object_type="PartnerHospital", object_id=hospital.pk,
                 after={"token": token.pk, "prefix": token.prefix, "name": token.name, "bound": bool(fingerprint)})
    return token, plain


@transaction.atomic
def revoke_token(*, actor: Actor, token: HospitalToken) -> HospitalToken:
    require_association(actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        HospitalToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
        record_event(actor=actor, action="hospital_token_revoked", object_type="PartnerHospital",
                     object_id=token.hospital_id, after={"token": token.pk, "prefix": token.prefix})
    return token


def authenticate_hospital(plain: str, *, certificate_sha256: str = "") -> tuple[PartnerHospital, HospitalActor]:
    """The active hospital a token belongs to (and its certificate, when the token is bound to one)."""
    token = (HospitalToken.objects.select_related("hospital").filter(token_hash=hash_token(plain)).first()
             if plain.startswith(rules.TOKEN_PREFIX) else None)
    if token is None:
        raise Unauthenticated("token_invalid", _("访问令牌无效，请检查后重试"))
    if token.revoked_at is not None:
        raise Unauthenticated("token_revoked", _("访问令牌已被吊销"))
    if token.client_certificate_sha256 and rules.normalise_fingerprint(certificate_sha256) != token.client_certificate_sha256:
        raise Unauthenticated("certificate_mismatch", _("客户端证书与令牌绑定的证书不符"))
    if token.hospital.status != PartnerHospital.Status.ACTIVE:
        raise PermissionDenied(_("%(name)s 的合作状态为“%(status)s”，不能直接结算") % {
            "name": token.hospital.name, "status": token.hospital.get_status_display()})
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        HospitalToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.hospital, HospitalActor(hospital_code=token.hospital.code)

