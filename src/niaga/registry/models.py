"""Rosters as they arrived, the rows in them, and the one record per business they become."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Organisation
from niaga.core.sectors import Sector


class RosterSource(models.Model):
    """Who sends rosters (a ministry's programme, usually), and how their columns map."""

    name = models.SlugField(_("name"), max_length=120, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("ministry or agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roster_sources",
    )
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # Lower wins when two sources disagree about a field; see registry.provenance.
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("roster source")
        verbose_name_plural = _("roster sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UploadStatus(models.TextChoices):
    MAPPING_NEEDED = "mapping_needed", _("Columns need mapping")
    QUEUED = "queued", _("Queued")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class RosterUpload(models.Model):
    source = models.ForeignKey(RosterSource, on_delete=models.PROTECT, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="rosters/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    quarantined_rows = models.PositiveIntegerField(default=0)
    repeated_rows = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "sha256"], name="upload_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == UploadStatus.IMPORTED else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class Business(models.Model):
    """One business as the registry knows it; current values follow registry.provenance."""

    name = models.CharField(_("business name"), max_length=255)
    normalised_name = models.CharField(max_length=255, db_index=True, editable=False)
    owner_name = models.CharField(_("owner"), max_length=255, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    nib = models.CharField("NIB", max_length=13, blank=True, db_index=True)
    npwp = models.CharField("NPWP", max_length=16, blank=True, db_index=True)
    udyam = models.CharField("Udyam", max_length=19, blank=True, db_index=True)
    gstin = models.CharField("GSTIN", max_length=15, blank=True, db_index=True)
    pan = models.CharField("PAN", max_length=10, blank=True, db_index=True)
    iec = models.CharField("IEC", max_length=10, blank=True, db_index=True)
    address = models.TextField(_("address"), blank=True)
    province = models.CharField(_("province or state"), max_length=8, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    products = models.TextField(_("products"), blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_turnover_minor = models.BigIntegerField(_("annual turnover"), null=True, blank=True)
    turnover_currency = models.CharField(_("turnover currency"), max_length=3, blank=True)
    mentoring_programme = models.CharField(_("mentoring programme"), max_length=255, blank=True)
    mentoring_completed_on = models.DateField(_("mentoring completed"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registry_records",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["country", "province", "name"], name="business_region_idx"),
            models.Index(fields=["sector", "name"], name="business_sector_idx"),
            models.Index(fields=["merged_into"], name="business_merged_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class RowStatus(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    QUARANTINED = "quarantined", _("Quarantined")


class RosterRow(models.Model):
    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="rows")
    source = models.ForeignKey(RosterSource, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("row"))
    # The source's own record id when it has one, otherwise a digest of the row's content.
    record_key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    raw = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=RowStatus.choices)
    business = models.ForeignKey(
        Business, null=True, blank=True, on_delete=models.SET_NULL, related_name="rows"
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("roster row")
        verbose_name_plural = _("roster rows")
        ordering = ["upload", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "record_key", "fingerprint"], name="row_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["upload", "status", "number"], name="row_status_idx")]

    def __str__(self) -> str:
        return f"{self.upload} · row {self.number}"


class RowProblem(models.Model):
    row = models.ForeignKey(RosterRow, on_delete=models.CASCADE, related_name="problems")
    column = models.CharField(_("column"), max_length=100)
    value = models.TextField(_("value"), blank=True)
    reason = models.CharField(_("reason"), max_length=40)
    message = models.TextField(_("message"))

    class Meta:
        ordering = ["row__number", "id"]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.reason}"


class FieldValue(models.Model):
    """One value one roster row gave for one field of a business: provenance."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="field_values")
    field = models.CharField(max_length=40)
    value = models.TextField()
    source = models.ForeignKey(RosterSource, on_delete=models.PROTECT, related_name="+")
    row = models.ForeignKey(RosterRow, on_delete=models.CASCADE, related_name="field_values")
    observed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["business", "field"], name="fieldvalue_business_idx")]

    def __str__(self) -> str:
        return f"{self.field}={self.value}"


class PairStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    MERGED = "merged", _("Merged")
    SEPARATED = "separated", _("Kept apart")


class MatchPair(models.Model):
    """Two records that may be one business, with the evidence; left.id < right.id."""

    left = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    method = models.CharField(max_length=40)
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=PairStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="pair_once"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="pair_queue_idx")]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.match_probability:.2f})"


class MergeEvent(models.Model):
    survivor = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="merges")
    absorbed = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(MatchPair, null=True, blank=True, on_delete=models.SET_NULL)
    automatic = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"


class LinkageRun(models.Model):
    """One pass of linkage over the registry: what it found, and when."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"linkage {self.started_at:%Y-%m-%d %H:%M}"
