"""The electronic certificate (电子保障凭证): a signed token for its QR code and the public check of it.

The token is the certificate number signed with the site's key (django.core.signing, its own
salt): numbers are sequential per county, so the bare number would let anyone walk the register;
a token cannot be made without the key. SECRET_KEY_FALLBACKS keep tokens valid across a key change.
"""
from dataclasses import dataclass
from datetime import date

import segno
from django.core import signing
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import queries, rules
from .models import Coverage

_SIGNER_SALT = "huzhu.enrollment.certificate"


def certificate_token(certificate_no: str) -> str:
    """The URL-safe signed token of a certificate number (what the QR code carries)."""
    return signing.Signer(salt=_SIGNER_SALT).sign(certificate_no)


def certificate_no_of(token: str) -> str | None:
    """The certificate number a token signs, or None when it was not signed by us."""
    try:
        return signing.Signer(salt=_SIGNER_SALT).unsign(token)
    except signing.BadSignature:
        return None


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code of the verification URL (our own markup: segno escapes nothing it needs to)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=5, dark="#1f2d3d", omitsize=True))  # noqa: S308 - no user input


@dataclass(frozen=True)
class Verification:
    """What the public verification page may tell: the standing, plan, year and period, a masked name."""

    standing: str  # a Coverage.Standing value, or "unknown"
    masked_name: str = ""
    plan_name: str = ""
    year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    certificate_no: str = ""

    @property
    def is_known(self) -> bool:
        return self.standing != "unknown"


def verify(token: str, *, today: date | None = None) -> Verification:
    """Check a certificate token: valid, not yet started, expired, or unknown (forged, cancelled, no such number)."""
    number = certificate_no_of(token)
    coverage = queries.coverage_by_certificate_no(number) if number else None
    if coverage is None or coverage.status != Coverage.Status.ACTIVE:
        return Verification("unknown")
    standing = rules.coverage_standing(status=coverage.status, starts_on=coverage.starts_on,
                                       ends_on=coverage.ends_on, today=today or timezone.localdate())
    return Verification(standing, masked_name=rules.masked_person_name(coverage.worker.name),
                        plan_name=coverage.plan_year.plan.name, year=coverage.plan_year.year,
                        starts_on=coverage.starts_on, ends_on=coverage.ends_on,
                        certificate_no=coverage.certificate_no or "")
