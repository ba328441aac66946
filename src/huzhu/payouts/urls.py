from django.urls import path

from . import views

app_name = "payouts"
urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("new/", views.batch_new, name="batch_new"),
    path("failed/", views.failed_queue, name="failed_queue"),
    path("failed/<int:pk>/resolve/", views.resolve_payout, name="resolve_payout"),
    path("claims/<int:pk>/bank-account/", views.claim_bank_account, name="claim_bank_account"),
    path("recoveries/<int:pk>/close/", views.close_recovery, name="close_recovery"),
    path("bank-templates/", views.bank_templates, name="bank_templates"),
    path("bank-templates/new/", views.bank_template_edit, name="bank_template_new"),
    path("bank-templates/<int:pk>/", views.bank_template_edit, name="bank_template_edit"),
    path("bank-templates/<int:pk>/copy/", views.bank_template_copy, name="bank_template_copy"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("<int:pk>/sent/", views.batch_sent, name="batch_sent"),
    path("<int:pk>/bank-file.<str:file_format>", views.bank_file, name="bank_file"),
    path("<int:pk>/bank-file/<int:template_pk>/", views.bank_file_in_layout, name="bank_file_in_layout"),
    path("<int:pk>/pain001.xml", views.pain001, name="pain001"),
    path("<int:pk>/return/", views.batch_return, name="batch_return"),
]
