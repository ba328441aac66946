from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.trial_balance, name="trial_balance"),
    path("accounts/<int:pk>/", views.account_statement, name="account_statement"),
    path("budget/", views.budget, name="budget"),
    path("close/", views.close_year, name="close_year"),
    path("account-mapping/", views.account_mapping, name="account_mapping"),
    path("vouchers/", views.voucher_export, name="vouchers"),
]
