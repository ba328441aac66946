"""Records the services write (ledger, claims and their history, payouts, plans, stored files, deliveries) cannot be
added, changed or deleted in the admin site, even by the superuser: one base, core.admin.ReadOnlyAdmin."""
import pathlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from huzhu.core.admin import ReadOnlyAdminMixin

READ_ONLY = ["claims.Claim", "claims.ClaimStatusChange", "ledger.LedgerEntry", "ledger.Account", "ledger.Budget",
             "ledger.YearClose", "payouts.PayoutBatch", "payouts.Payout", "payouts.ReturnImport", "plans.Plan",
             "plans.PlanYear", "plans.TermsVersion", "archives.StoredFile", "webhooks.Delivery"]


@pytest.mark.django_db
@pytest.mark.parametrize("label", READ_ONLY)
def test_the_superuser_may_only_read_a_record_the_services_write(label):
    model_admin = admin.site._registry[apps.get_model(label)]
    request = RequestFactory().get("/")
    request.user = get_user_model()(username="root", is_superuser=True, is_staff=True, is_active=True)
    assert isinstance(model_admin, ReadOnlyAdminMixin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    for inline in model_admin.get_inline_instances(request):
        assert isinstance(inline, ReadOnlyAdminMixin)


def test_no_app_writes_its_own_read_only_base():
    src = pathlib.Path(__file__).resolve().parents[2]
    own = [str(p) for p in src.glob("*/admin.py") if p.parent.name != "core"
           and "def has_delete_permission" in p.read_text()]
    assert own == []
