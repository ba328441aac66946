"""Screening at submission: the risk check a claim passes before it may be decided straight through.

The risk app owns the checks and registers its `assess_claim` here when Django starts
(`RiskConfig.ready`), so the dependency runs one way, risk → claims. Without a registered screen
a submission fails loudly: a claim is never decided straight through unscreened.
"""
from collections.abc import Callable, Sequence
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from huzhu.core.scopes import Scope

from .rules import Finding


class Screening(Protocol):
    """What submission needs of a screen's answer (risk.rules.Assessment conforms)."""

    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def blocks(self) -> bool: ...


Screen = Callable[..., Screening]  # called as screen(actor=..., claim=...)
_screen: Screen | None = None


def register_screen(screen: Screen) -> None:
    """Install the screen every submission runs (the risk app's, at start-up)."""
    global _screen
    _screen = screen


def registered_screen() -> Screen | None:
    return _screen


def screen_claim(*, actor, claim) -> Screening:
    """Run the registered screen on a claim being submitted; no screen is a configuration error."""
    if _screen is None:
        raise ImproperlyConfigured("No claim screen is registered: is huzhu.risk in INSTALLED_APPS?")
    return _screen(actor=actor, claim=claim)


# What the claim pages show of the screening (the queue's risk column, the claim page's findings card),
# provided by the risk app as well; without a provider the pages simply show no risk.
_queue_risk: Callable[[Scope, list[int]], dict] | None = None
_claim_page_risk: Callable[[Scope, object], dict] | None = None


def register_risk_pages(*, queue: Callable[[Scope, list[int]], dict], claim_page: Callable[[Scope, object], dict]) -> None:
    """Install the risk shown on the claim pages (the risk app's, at start-up)."""
    global _queue_risk, _claim_page_risk
    _queue_risk, _claim_page_risk = queue, claim_page


def queue_risk(scope: Scope, claim_ids: list[int]) -> dict:
    """Claim id → the risk shown in its queue row (none for roles that do not see risk)."""
    return _queue_risk(scope, claim_ids) if _queue_risk else {}


def claim_page_risk(scope: Scope, claim) -> dict:
    """The template context of the claim page's risk card (empty for roles that do not see risk)."""
    return _claim_page_risk(scope, claim) if _claim_page_risk else {}
