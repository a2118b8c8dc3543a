"""People, the organisations they act for, and the roles they hold there."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niaga.core.roles import OrganisationKind, Role
from niaga.core.sectors import Sector


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A person; signs in with an e-mail address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("en", "English"), ("id", "Bahasa Indonesia"), ("hi", "हिन्दी")],
        default="en",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(models.Model):
    """An exporter business, a buyer company, a ministry, a partner or a programme operator."""

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    region = models.CharField(
        _("province or state"), max_length=8, blank=True, help_text=_("ISO 3166-2 code")
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    website = models.URLField(_("website"), blank=True)
    gstin = models.CharField("GSTIN", max_length=15, blank=True)
    pan = models.CharField("PAN", max_length=10, blank=True)
    udyam = models.CharField(_("Udyam number"), max_length=19, blank=True)
    iec = models.CharField("IEC", max_length=10, blank=True)
    nib = models.CharField("NIB", max_length=13, blank=True)
    npwp = models.CharField("NPWP", max_length=16, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["kind", "name"], name="org_kind_name_idx"),
            models.Index(fields=["country", "region"], name="org_country_region_idx"),
            models.Index(fields=["gstin"], name="org_gstin_idx"),
            models.Index(fields=["nib"], name="org_nib_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
