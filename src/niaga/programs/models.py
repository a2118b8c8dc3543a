"""Programmes, their versioned rules, applications and their history, readiness, mentoring,
credentials and the commissions owed to onboarding partners."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Organisation
from niaga.registry.models import Business


class Marketplace(models.TextChoices):
    ALIBABA = "alibaba", "Alibaba.com"
    ONDC = "ondc", "ONDC"
    NIAGA = "niaga", _("Niaga catalog")


class Programme(models.Model):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator agency"),
        on_delete=models.PROTECT,
        related_name="programmes_operated",
    )
    # Ministries and agencies that mentor and review for the programme; their officers work it.
    ministries = models.ManyToManyField(
        Organisation, verbose_name=_("ministries"), blank=True, related_name="programmes_joined"
    )
    # Partner organisations that may onboard this programme's approved businesses.
    onboarding_partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("onboarding partners"),
        blank=True,
        related_name="programmes_partnered",
    )
    partner_marketplaces = models.JSONField(_("partner marketplaces"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    # Whole percents of the capacity one province or one sector may take in a cohort.
    max_share_per_province = models.PositiveSmallIntegerField(
        _("most a province may take (%)"), null=True, blank=True
    )
    max_share_per_sector = models.PositiveSmallIntegerField(
        _("most a sector may take (%)"), null=True, blank=True
    )
    commission_minor = models.BigIntegerField(_("partner commission"), default=0)
    commission_currency = models.CharField(_("commission currency"), max_length=3, blank=True)
    commission_window_days = models.PositiveSmallIntegerField(
        _("days for a first order"), default=90
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="programme_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(commission_minor__gte=0), name="programme_commission_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, on=None) -> bool:
        today = on or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class RuleVersion(models.Model):
    """One version of a programme's eligibility rules; a change makes a new one, never an edit."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveIntegerField(_("version"))
    rules = models.JSONField(_("rules"), default=list, blank=True)
    note = models.CharField(_("why it changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="rule_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.number}"


class ApplicationState(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPLIED = "applied", _("Applied")
    SCREENED = "screened", _("Screened")
    ASSESSED = "assessed", _("Assessed")
    MENTORING = "mentoring", _("Mentoring")
    READY = "ready", _("Ready")
    APPROVED = "approved", _("Approved")
    ONBOARDED = "onboarded", _("Onboarded")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="applications")
    state = models.CharField(_("state"), max_length=12, choices=ApplicationState.choices)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("onboarding partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="onboarded_applications",
    )
    # The latest readiness score, kept here so queues sort and filter without a join.
    readiness = models.PositiveSmallIntegerField(_("readiness"), null=True, blank=True)
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "business"], name="one_application"),
            models.CheckConstraint(
                condition=Q(approved_by=None)
                | Q(approval_requested_by=None)
                | ~Q(approved_by=F("approval_requested_by")),
                name="approval_needs_two_officers",
            ),
        ]
        indexes = [
            models.Index(
                fields=["programme", "state", "-updated_at"], name="application_queue_idx"
            ),
            models.Index(fields=["programme", "-readiness"], name="application_readiness_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.business} · {self.programme}"


class ApplicationEvent(models.Model):
    """One transition, with the rule version it was decided under and what the rules said."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ApplicationState.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule_version = models.ForeignKey(
        RuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    # [{"rule": {...}, "passed": bool}] as the rules of that version judged the business then.
    outcomes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_state} → {self.to_state}"


class ReadinessAssessment(models.Model):
    """One filled questionnaire; a business keeps every one, newest counts."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="assessments")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    answers = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField(_("readiness score"))
    result = models.JSONField(default=dict)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")
        ordering = ["business", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__lte=100), name="readiness_at_most_100")
        ]

    def __str__(self) -> str:
        return f"{self.business}: {self.total}"


class MentoringModule(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mentoring module")
        verbose_name_plural = _("mentoring modules")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MentoringSession(models.Model):
    module = models.ForeignKey(MentoringModule, on_delete=models.PROTECT, related_name="sessions")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="mentoring_sessions",
    )
    starts_at = models.DateTimeField(_("starts"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        ordering = ["-starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.module} · {self.starts_at:%Y-%m-%d}"


class Attendance(models.Model):
    session = models.ForeignKey(
        MentoringSession, on_delete=models.CASCADE, related_name="attendances"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="attendances")
    completed = models.BooleanField(_("completed"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "business"], name="attend_once")]
        indexes = [models.Index(fields=["business", "completed"], name="attendance_business_idx")]

    def __str__(self) -> str:
        return f"{self.business} @ {self.session}"


class Credential(models.Model):
    """A signed curation credential as issued; the signed document is never edited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="credentials"
    )
    key_id = models.CharField(max_length=16)
    document = models.JSONField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("curation credential")
        verbose_name_plural = _("curation credentials")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["revoked_at"], name="credential_revoked_idx")]

    def __str__(self) -> str:
        return str(self.public_id)


class CommissionKind(models.TextChoices):
    ACCRUED = "accrued", _("Owed on onboarding")
    CONFIRMED = "confirmed", _("Confirmed by a first order")
    CLAWED_BACK = "clawed_back", _("Clawed back: no first order in time")


class CommissionEntry(models.Model):
    """What a programme owes an onboarding partner, as entries that are only ever added.

    An onboarding accrues the commission; a first order inside the window confirms it (zero
    amount); a window that closes with no order adds the opposite amount. The sum is owed.
    """

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="commission_entries"
    )
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="commission_entries"
    )
    kind = models.CharField(max_length=12, choices=CommissionKind.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    window_ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("commission entry")
        verbose_name_plural = _("commission entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="commission_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.kind} {self.amount_minor} {self.currency}"
