"""Trade assurance's timers, as background tasks run at their time by `niaga worker`.

They are stored in the database, so they survive restarts; each one looks at the order as it
is when it runs and does nothing if events overtook it.
"""

from django.utils import timezone
from django_tasks import task

from niaga.assurance.models import Dispute, DisputeState, Order, OrderState


@task()
def auto_confirm(order_id: int) -> str:
    from niaga.assurance import services

    order = Order.objects.get(pk=order_id)
    if order.state != OrderState.SHIPPED:
        return "overtaken"
    services.confirm_receipt(actor=None, order=order, automatically=True)
    return "confirmed"


@task()
def auto_escalate(order_id: int) -> str:
    from niaga.assurance import services

    dispute = Dispute.objects.filter(order_id=order_id).first()
    if dispute is None or dispute.state not in (DisputeState.OPEN, DisputeState.ANSWERED):
        return "overtaken"
    services.escalate_dispute(actor=None, dispute=dispute, automatically=True)
    return "escalated"


@task()
def release_after_window(order_id: int) -> str:
    from django.db import transaction

    from niaga.assurance import services

    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().get(pk=order_id)
        settled = services.settle_if_due(order, now=timezone.now())
    return "settled" if settled else "overtaken"
