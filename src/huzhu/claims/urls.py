from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_claim, name="new"),
    path("icd10/", views.icd10_search, name="icd10"),
    path("read-document/", views.read_document_fields, name="read_document"),
    path("check-document/", views.check_document, name="check_document"),
    path("voided-invoices/", views.voided_invoices, name="voided_invoices"),
    path("official-days/", views.official_days, name="official_days"),
    path("official-days/template.csv", views.official_days_template, name="official_days_template"),
    path("official-days/<int:year>.csv", views.official_days_csv, name="official_days_csv"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/adjust/", views.adjust, name="adjust"),
    path("<int:pk>/opinion/", views.expert_opinion, name="expert_opinion"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/bundle.zip", views.bundle, name="bundle"),
    path("<int:pk>/documents/<int:document_pk>/", views.document, name="document"),
    path("<int:pk>/documents/<int:document_pk>/thumbnail/", views.document, {"thumbnail": True}, name="thumbnail"),
    path("mine/", views.mine, name="mine"),
    path("mine/new/", views.mine_new, name="mine_new"),
    path("mine/leave/", views.mine_leave, name="mine_leave"),
    path("mine/<int:pk>/", views.mine_claim, name="mine_claim"),
    path("mine/read-document/", views.mine_read_document, name="mine_read_document"),
    path("mine/<int:pk>/documents/<int:document_pk>/", views.mine_document, name="mine_document"),
    path("mine/<int:pk>/documents/<int:document_pk>/thumbnail/", views.mine_document, {"thumbnail": True},
         name="mine_thumbnail"),
]
