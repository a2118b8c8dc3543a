"""Organisation kinds and membership roles: the words every permission check is written in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    EXPORTER = "exporter", _("Exporter business")
    BUYER = "buyer", _("Buyer company")
    MINISTRY = "ministry", _("Ministry or agency")
    PARTNER = "partner", _("Onboarding partner")
    OPERATOR = "operator", _("Programme operator")


class Role(models.TextChoices):
    EXPORTER_OWNER = "exporter_owner", _("Exporter owner")
    EXPORTER_STAFF = "exporter_staff", _("Exporter staff")
    BUYER = "buyer", _("Buyer")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    POLICY_ANALYST = "policy_analyst", _("Policy analyst")
    PARTNER = "partner", _("Partner")
    ADMIN = "admin", _("Administrator")


# Officers work for the programme, not for one business: they see across organisations.
OFFICER_ROLES = frozenset(
    {Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER, Role.POLICY_ANALYST, Role.ADMIN}
)

ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.EXPORTER: frozenset({Role.EXPORTER_OWNER, Role.EXPORTER_STAFF}),
    OrganisationKind.BUYER: frozenset({Role.BUYER}),
    OrganisationKind.MINISTRY: OFFICER_ROLES,
    OrganisationKind.OPERATOR: OFFICER_ROLES,
    OrganisationKind.PARTNER: frozenset({Role.PARTNER}),
}

# When a person holds several roles, their home page is that of the first one in this order.
HOME_PRECEDENCE = (
    Role.ADMIN,
    Role.PROGRAMME_OFFICER,
    Role.FINANCE_OFFICER,
    Role.POLICY_ANALYST,
    Role.PARTNER,
    Role.EXPORTER_OWNER,
    Role.EXPORTER_STAFF,
    Role.BUYER,
)
