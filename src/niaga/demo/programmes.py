"""The demo world's programmes: one Indonesian, one Indian, with applications at every stage."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from niaga.accounts.models import Organisation, User
from niaga.core.money import Money
from niaga.core.roles import OrganisationKind as Kind
from niaga.programs import eligibility, readiness, selectors, services
from niaga.programs.models import ApplicationState as S
from niaga.registry.models import Business

MODULES = [
    ("product-photography", "Product photography"),
    ("listings-in-english", "Writing listings in English"),
    ("export-documents", "Export documents"),
    ("pricing-incoterms", "Pricing and Incoterms"),
    ("trade-assurance", "Using trade assurance"),
]


def seed_programmes(*, rng: random.Random, domain: str) -> int:
    """Returns how many applications it made."""
    admin = User.objects.get(email=f"admin@{domain}")
    kemendag_officer = User.objects.get(email=f"officer.kemendag@{domain}")
    msme_officer = User.objects.get(email=f"officer.msme@{domain}")
    org = {o.name: o for o in Organisation.objects.exclude(kind__in=[Kind.EXPORTER, Kind.BUYER])}
    kemendag = org["Kementerian Perdagangan (Kemendag)"]
    kemenperin = org["Kementerian Perindustrian (Kemenperin)"]
    msme = org["Ministry of Micro, Small and Medium Enterprises"]
    partner = org["Jaringan Ekspor Nusantara"]
    today = timezone.localdate()

    modules = [
        services.create_module(actor=admin, code=code, title=title) for code, title in MODULES
    ]
    indonesia = services.create_programme(
        actor=admin,
        slug="kemendag-ikm-2026",
        name="Kemendag IKM Mediator 2026",
        description="Small and medium industries selected and mentored by Kemendag and "
        "Kemenperin, brought to foreign buyers with trade assurance.",
        operator=kemendag,
        ministries=[kemenperin, org["Kementerian Koperasi dan UKM"]],
        onboarding_partners=[partner],
        partner_marketplaces=["alibaba", "niaga"],
        capacity=25,
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=60),
        max_share_per_province=30,
        commission_minor=Money.from_decimal("1500000", "IDR").amount,
        commission_currency="IDR",
        commission_window_days=90,
        rules=[
            {"kind": "country_in", "countries": ["ID"]},
            {"kind": "identifiers_required", "identifiers": ["nib"]},
            {"kind": "mentoring_completed", "ministries": [kemendag.pk, kemenperin.pk]},
            {"kind": "readiness_at_least", "score": 50},
        ],
    )
    india = services.create_programme(
        actor=admin,
        slug="startup-india-alibaba-2026",
        name="Startup India × Alibaba.com 2026",
        description="Startups and MSMEs recognised by DPIIT and mentored by the MSME ministry, "
        "onboarded to Alibaba.com and ONDC.",
        operator=org["DPIIT — Startup India"],
        ministries=[msme, org["Directorate General of Foreign Trade"]],
        onboarding_partners=[org["ExportBridge Ventures"]],
        partner_marketplaces=["alibaba", "ondc"],
        capacity=20,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=80),
        max_share_per_sector=40,
        rules=[
            {"kind": "country_in", "countries": ["IN"]},
            {"kind": "identifiers_required", "identifiers": ["gstin"]},
            {"kind": "readiness_at_least", "score": 60},
        ],
    )
    sessions = [
        services.schedule_session(
            actor=kemendag_officer,
            module=module,
            organisation=kemendag,
            starts_at=timezone.now() - timedelta(days=20 - index),
            location="Jakarta",
            capacity=40,
        )
        for index, module in enumerate(modules[:3])
    ]

    made = 0
    made += _walk(
        indonesia,
        _eligible_for_screening(indonesia, country="ID", count=12),
        officer=kemendag_officer,
        checker=admin,
        sessions=sessions,
        partner=partner,
        rng=rng,
    )
    made += _walk(
        india,
        _eligible_for_screening(india, country="IN", count=8),
        officer=msme_officer,
        checker=admin,
        sessions=[],
        partner=None,
        rng=rng,
    )
    exporter = Organisation.objects.filter(kind=Kind.EXPORTER, country="ID").order_by("id").first()
    owner = User.objects.get(email=f"exporter.id@{domain}")
    services.apply(actor=owner, programme=indonesia, organisation=exporter)
    return made + 1


def _eligible_for_screening(programme, *, country: str, count: int) -> list[Business]:
    rules = eligibility.parse_rules(selectors.current_rules(programme).rules)
    candidates = list(
        Business.objects.filter(merged_into=None, country=country).order_by("id")[: count * 4]
    )
    facts = selectors.facts_for(b.pk for b in candidates)
    passing = [
        business
        for business in candidates
        if eligibility.is_eligible(
            eligibility.evaluate(rules, facts[business.pk], kinds=eligibility.SCREENING_KINDS)
        )
    ]
    return passing[:count]


# How far each nominated business gets, in order: the queue then shows every stage.
STAGES = [
    S.APPROVED, S.ONBOARDED, S.READY, S.READY, S.MENTORING, S.MENTORING,
    S.ASSESSED, S.ASSESSED, S.SCREENED, S.REJECTED, S.NOMINATED, S.NOMINATED,
]  # fmt: skip


def _walk(programme, businesses, *, officer, checker, sessions, partner, rng) -> int:
    for business, goal in zip(businesses, STAGES, strict=False):
        application = services.nominate(actor=officer, programme=programme, business=business)
        if goal == S.NOMINATED:
            continue
        if goal == S.REJECTED:
            services.transition(
                actor=officer,
                application=application,
                to=S.REJECTED,
                reason="No export licence yet; welcome to apply again next year.",
            )
            continue
        application = services.transition(actor=officer, application=application, to=S.SCREENED)
        if goal == S.SCREENED:
            continue
        strong = goal in (S.APPROVED, S.ONBOARDED, S.READY)
        services.record_assessment(
            actor=officer, application=application, answers=_answers(rng, strong=strong)
        )
        application.refresh_from_db()
        if goal == S.ASSESSED:
            continue
        if sessions:
            application = services.transition(
                actor=officer, application=application, to=S.MENTORING
            )
            for session in sessions:
                services.record_attendance(actor=officer, session=session, businesses=[business])
        if goal == S.MENTORING:
            continue
        application = services.transition(actor=officer, application=application, to=S.READY)
        if goal == S.READY:
            continue
        services.request_approval(actor=officer, application=application)
        application = services.approve(actor=checker, application=application)
        if goal == S.ONBOARDED:
            services.onboard(actor=officer, application=application, partner=partner)
    return len(businesses)


def _answers(rng: random.Random, *, strong: bool) -> dict[str, str]:
    answers = {}
    for question in readiness.questions():
        ranked = sorted(question.choices, key=lambda choice: choice.points, reverse=True)
        pool = ranked[:2] if strong else ranked
        answers[question.code] = rng.choice(pool).code
    return answers
