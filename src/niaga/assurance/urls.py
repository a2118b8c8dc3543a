from django.urls import path

from niaga.assurance import views

app_name = "assurance"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.new_order, name="new"),
    path("<int:order_id>/", views.order_detail, name="detail"),
    path("<int:order_id>/ship/", views.mark_shipped, name="ship"),
    path("<int:order_id>/documents/", views.attach_document, name="attach"),
    path("<int:order_id>/receipt/", views.confirm_receipt, name="receipt"),
    path("<int:order_id>/accept/", views.accept_goods, name="accept"),
    path("<int:order_id>/dispute/", views.open_dispute, name="dispute"),
    path("<int:order_id>/dispute/answer/", views.answer_dispute, name="answer"),
    path("<int:order_id>/dispute/escalate/", views.escalate_dispute, name="escalate"),
    path("<int:order_id>/dispute/decide/", views.decide_dispute, name="decide"),
    path("statements/", views.statement_upload, name="statements"),
    path("payments/unmatched/", views.unmatched_payments, name="unmatched"),
    path("payments/<int:payment_id>/apply/", views.apply_payment, name="apply"),
    path("payments/<int:payment_id>/refund/", views.refund_payment, name="refund"),
]
