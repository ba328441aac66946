from django.urls import path

from . import statement_views, views

app_name = "enrollment"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("renew/", views.renew, name="renew"),
    path("template.<str:fmt>", views.template, name="template"),
    path("my-coverage/", views.my_coverage, name="my_coverage"),
    path("my-coverage/<int:pk>/certificate/", views.my_certificate, name="my_certificate"),
    path("my-coverage/<int:pk>/receipt.pdf", views.my_receipt, name="my_receipt"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/add/", views.add_workers, name="add_workers"),
    path("<int:pk>/remove/", views.remove_workers, name="remove_workers"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/pay/", views.pay, name="pay"),
    path("<int:pk>/hire/", views.hire, name="hire"),
    path("<int:pk>/workers/<int:worker_pk>/leave/", views.leave, name="leave"),
    path("<int:pk>/import/", views.upload, name="upload"),
    path("<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    # contributions from the bank statement and the union subsidy receivable
    path("bank-statements/", statement_views.statement_list, name="bank_statements"),
    path("bank-statements/queue/", statement_views.statement_queue, name="statement_queue"),
    path("bank-statements/layouts/", statement_views.layouts, name="statement_layouts"),
    path("bank-statements/confirm/", statement_views.confirm_lines, name="statement_confirm"),
    path("bank-statements/<int:pk>/", statement_views.statement_detail, name="bank_statement"),
    path("bank-statements/lines/<int:pk>/assign/", statement_views.assign_line, name="statement_line_assign"),
    path("bank-statements/lines/<int:pk>/dismiss/", statement_views.dismiss_line, name="statement_line_dismiss"),
    path("subsidy-receivables/", statement_views.subsidy_receivables, name="subsidy_receivables"),
    path("subsidy-receivables/receipt/", statement_views.subsidy_receipt, name="subsidy_receipt"),
    path("subsidy-receivables/<int:plan_year_pk>/<str:league>/statement.xlsx", statement_views.subsidy_statement,
         name="subsidy_statement"),
]
