"""Screening at submission: the risk check a claim passes before it may be decided straight through.

The risk app owns the checks and registers its `assess_claim` here when Django starts
(`RiskConfig.ready`), so the dependency runs one way, risk → claims. Without a registered screen
a submission fails loudly: a claim is never decided straight through unscreened.
"""
from collections.abc import Callable, Sequence
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

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
