"""Pages of trade assurance: each parses a form, calls one service or selector, and renders.

Every order and payment comes through a scoped selector (``order_for``, ``payment_for``), so a
buyer finds nothing of another buyer's (404). A refused action (a NiagaError from a service) is
shown as its message, next to the field it names when there is one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from niaga.accounts import selectors as accounts
from niaga.assurance import rules, selectors, services
from niaga.assurance.forms import (
    AnswerForm,
    ApplyPaymentForm,
    DecideForm,
    DisputeForm,
    DocumentForm,
    NewOrderForm,
    OrderFilterForm,
    ShipForm,
    StatementForm,
    add_service_error,
    exporter_organisations,
)
from niaga.assurance.statements import StatementInvalid
from niaga.core import audit, permissions
from niaga.core.errors import NiagaError, NotFound
from niaga.core.money import Money
from niaga.core.pages import signed_in
from niaga.core.roles import Role

PAGE_SIZE = 50
ORDER_ROLES = (
    Role.BUYER,
    Role.EXPORTER_OWNER,
    Role.EXPORTER_STAFF,
    Role.FINANCE_OFFICER,
    Role.PROGRAMME_OFFICER,
    Role.ADMIN,
)


def _money(amount: int, currency: str) -> str:
    return Money(amount, currency).format(get_language() or "en")


def _grouped(reference: str) -> str:
    """A payment reference in groups of four characters, as people read it out."""
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def _orders_page_only(user) -> None:
    if not (selectors.sees_all_money(user) or permissions.has_role(user, *ORDER_ROLES)):
        raise Http404(_("Only buyers, exporters and officers have this page."))


def _finance_only(user) -> None:
    if not selectors.sees_all_money(user):
        raise Http404(_("Only finance officers have this page."))


def _buyer_organisations(user):
    return accounts.organisations_for(user).filter(
        pk__in=permissions.organisation_ids(user, Role.BUYER)
    )


def _render(request, template: str, context: dict, *, status: int = 200):
    """Render with what the orders' sub-navigation needs to know about the user."""
    user = request.user
    nav = {
        "may_order": bool(permissions.organisation_ids(user, Role.BUYER)),
        "finance": selectors.sees_all_money(user),
    }
    return render(request, template, nav | context, status=status)


# --- the list --------------------------------------------------------------------------------


@signed_in
def order_list(request):
    user = request.user
    _orders_page_only(user)
    form = OrderFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    orders = selectors.orders_for(user)
    if state:
        orders = orders.filter(state=state)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "assurance/order_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(order, _money(order.total_minor, order.currency)) for order in page],
            "positions": [
                (position, _money(position.held_minor, position.currency))
                for position in selectors.escrow_position(user)
            ],
            "due": selectors.settlements_due(user)[:20],
            "disputes": selectors.disputes_to_decide(user)[:20],
        },
    )


# --- a new order -----------------------------------------------------------------------------


@signed_in
def new_order(request):
    buyers = _buyer_organisations(request.user)
    if not buyers.exists():
        raise Http404(_("Orders are placed by buyers."))
    form = NewOrderForm(request.POST or None, buyers=buyers, exporters=exporter_organisations())
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_order(actor=request.user, **form.order_arguments())
        except NiagaError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Order %(number)s is placed; pay each milestone with its reference.")
                % {"number": order.number},
            )
            return redirect("assurance:detail", order.pk)
    return _render(
        request, "assurance/order_new.html", {"form": form}, status=400 if form.errors else 200
    )


# --- one order -------------------------------------------------------------------------------


def _order_page(request, order, *, status: int = 200, **forms):
    user = request.user
    milestones = list(order.milestones.all())
    settlement = getattr(order, "settlement", None)
    shipment = getattr(order, "shipment", None)
    dispute = getattr(order, "dispute", None)
    funded = sum(m.funded_minor for m in milestones)
    context = {
        "order": order,
        "total": _money(order.total_minor, order.currency),
        "items": [
            (
                item,
                _money(item.unit_price_minor, order.currency),
                _money(item.amount_minor, order.currency),
            )
            for item in order.items.all()
        ],
        "milestones": [
            {
                "milestone": m,
                "reference": _grouped(m.reference),
                "amount": _money(m.amount_minor, order.currency),
                "funded": _money(m.funded_minor, order.currency),
                "outstanding": _money(m.outstanding_minor, order.currency),
            }
            for m in milestones
        ],
        # Escrow holds what was paid in until the one settlement empties it.
        "escrow_held": _money(0 if settlement else funded, order.currency),
        "shipment": shipment,
        "documents": list(shipment.documents.all()) if shipment else [],
        "dispute": dispute,
        "settlement": _settlement_shown(settlement, order.currency),
        "rules": rules.published(),
        "rules_version": rules.VERSION,
        "is_buyer": selectors.is_buyer_of(user, order),
        "is_exporter": selectors.is_exporter_of(user, order),
        "may_decide": selectors.may_decide_disputes(user),
        "history": audit.entries_for(order)[:30] if permissions.is_officer(user) else None,
        "ship_form": ShipForm(),
        "document_form": DocumentForm(),
        "dispute_form": DisputeForm(),
        "answer_form": AnswerForm(),
        "decide_form": DecideForm(currency=order.currency),
        **forms,
    }
    return _render(request, "assurance/order_detail.html", context, status=status)


def _settlement_shown(settlement, currency: str) -> dict | None:
    if settlement is None:
        return None
    return {
        "released": _money(settlement.released_minor, currency),
        "refunded": _money(settlement.refunded_minor, currency),
        "fee": _money(settlement.fee_minor, currency),
        "waived": _money(settlement.waived_minor, currency),
        "at": settlement.settled_at,
    }


@signed_in
def order_detail(request, order_id: int):
    return _order_page(request, selectors.order_for(request.user, order_id))


def _act(request, order, *, form, form_name: str, act, done: str, aliases=None):
    """Run one service on a valid form; show the page again with the errors otherwise.

    A refusal that names one of the form's fields is shown next to it; any other (a wrong
    state, a permission) is shown as a message, since the form may not be on the page.
    """
    if form is None or form.is_valid():
        try:
            act(form.cleaned_data if form is not None else {})
        except NiagaError as error:
            field = (aliases or {}).get(error.field or "", error.field)
            if form is not None and field in form.fields:
                form.add_error(field, error.message)
            else:
                messages.error(request, error.message)
                if form is None:
                    return redirect("assurance:detail", order.pk)
        else:
            messages.success(request, done)
            return redirect("assurance:detail", order.pk)
    return _order_page(request, order, status=400, **{form_name: form})


@require_POST
@signed_in
def mark_shipped(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    return _act(
        request,
        order,
        form=ShipForm(request.POST),
        form_name="ship_form",
        act=lambda data: services.mark_shipped(actor=request.user, order=order, **data),
        done=_("The order is marked shipped; the buyer can follow it."),
    )


@require_POST
@signed_in
def attach_document(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    return _act(
        request,
        order,
        form=DocumentForm(request.POST, request.FILES),
        form_name="document_form",
        act=lambda data: services.attach_document(
            actor=request.user,
            order=order,
            kind=data["kind"],
            fileobj=data["file"],
            original_name=data["file"].name,
        ),
        done=_("The document is attached."),
    )


@require_POST
@signed_in
def confirm_receipt(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    return _act(
        request,
        order,
        form=None,
        form_name="",
        act=lambda _data: services.confirm_receipt(actor=request.user, order=order),
        done=_("Receipt is confirmed."),
    )


@require_POST
@signed_in
def accept_goods(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    return _act(
        request,
        order,
        form=None,
        form_name="",
        act=lambda _data: services.confirm_receipt(actor=request.user, order=order, accept=True),
        done=_("The goods are accepted as described; the payment is released to the exporter."),
    )


@require_POST
@signed_in
def open_dispute(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    return _act(
        request,
        order,
        form=DisputeForm(request.POST),
        form_name="dispute_form",
        act=lambda data: services.open_dispute(actor=request.user, order=order, **data),
        done=_("The dispute is open; the exporter has been asked to answer."),
    )


def _dispute_of(order):
    dispute = getattr(order, "dispute", None)
    if dispute is None:
        raise Http404(_("This order has no dispute."))
    return dispute


@require_POST
@signed_in
def answer_dispute(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    dispute = _dispute_of(order)
    return _act(
        request,
        order,
        form=AnswerForm(request.POST),
        form_name="answer_form",
        act=lambda data: services.answer_dispute(actor=request.user, dispute=dispute, **data),
        done=_("Your answer is recorded."),
    )


@require_POST
@signed_in
def escalate_dispute(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    dispute = _dispute_of(order)
    return _act(
        request,
        order,
        form=None,
        form_name="",
        act=lambda _data: services.escalate_dispute(actor=request.user, dispute=dispute),
        done=_("The dispute is escalated to an officer."),
    )


@require_POST
@signed_in
def decide_dispute(request, order_id: int):
    order = selectors.order_for(request.user, order_id)
    dispute = _dispute_of(order)
    return _act(
        request,
        order,
        form=DecideForm(request.POST, currency=order.currency),
        form_name="decide_form",
        act=lambda data: services.decide_dispute(
            actor=request.user,
            dispute=dispute,
            refund_minor=data["refund"],
            decision=data["decision"],
        ),
        done=_("The dispute is decided and the escrow is settled."),
        aliases={"refund_minor": "refund"},
    )


# --- finance: statements and unmatched payments ---------------------------------------------


@signed_in
def statement_upload(request):
    _finance_only(request.user)
    form = StatementForm(request.POST or None, request.FILES or None)
    upload = problems = None
    invalid = False
    if request.method == "POST" and form.is_valid():
        started = timezone.now()
        file = form.cleaned_data["file"]
        try:
            upload = services.receive_statement(
                actor=request.user, fileobj=file, original_name=file.name
            )
        except StatementInvalid as error:
            form.add_error("file", error.message)
            invalid, problems = True, error.params.get("problems")
        except NiagaError as error:
            add_service_error(form, error)
        else:
            if upload.created_at < started:
                messages.info(request, _("This file was received before; nothing is paid twice."))
            form = StatementForm()
    return _render(
        request,
        "assurance/statement_upload.html",
        {"form": form, "upload": upload, "invalid": invalid, "problems": problems},
        status=400 if form.errors else 200,
    )


@signed_in
def unmatched_payments(request):
    _finance_only(request.user)
    payments = selectors.unmatched_payments(request.user)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "assurance/unmatched.html",
        {
            "page": page,
            "rows": [
                (
                    payment,
                    _money(payment.amount_minor, payment.currency),
                    _money(payment.held_minor, payment.currency),
                )
                for payment in page
            ],
        },
    )


@require_POST
@signed_in
def apply_payment(request, payment_id: int):
    """Step one shows what would move; only a second, confirmed POST moves the money."""
    _finance_only(request.user)
    payment = selectors.payment_for(request.user, payment_id)
    form = ApplyPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reference"][0])
        return redirect("assurance:unmatched")
    order_number, sequence = form.cleaned_data["reference"]
    try:
        order = selectors.order_for(request.user, order_number)
        milestone = permissions.one_or_not_found(order.milestones.all(), sequence=sequence)
    except NotFound:
        messages.error(request, _("No order has a milestone with this reference."))
        return redirect("assurance:unmatched")
    if request.POST.get("confirmed") != "yes":
        return _render(
            request,
            "assurance/payment_confirm.html",
            {
                "action": "apply",
                "payment": payment,
                "held": _money(payment.held_minor, payment.currency),
                "order": order,
                "milestone": milestone,
                "reference": _grouped(milestone.reference),
                "typed_reference": request.POST.get("reference", ""),
                "outstanding": _money(milestone.outstanding_minor, order.currency),
            },
        )
    try:
        services.apply_held_payment(actor=request.user, payment=payment, milestone=milestone)
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The payment is applied to %(milestone)s of order %(order)s.")
            % {"milestone": milestone.label, "order": order.number},
        )
    return redirect("assurance:unmatched")


@require_POST
@signed_in
def refund_payment(request, payment_id: int):
    """Step one shows what would be refunded; only a second, confirmed POST refunds it."""
    _finance_only(request.user)
    payment = selectors.payment_for(request.user, payment_id)
    if request.POST.get("confirmed") != "yes":
        return _render(
            request,
            "assurance/payment_confirm.html",
            {
                "action": "refund",
                "payment": payment,
                "held": _money(payment.held_minor, payment.currency),
            },
        )
    try:
        services.refund_held_payment(actor=request.user, payment=payment)
    except NiagaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("What was held of the payment is refunded."))
    return redirect("assurance:unmatched")
