from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssuranceConfig(AppConfig):
    name = "niaga.assurance"
    label = "assurance"
    verbose_name = _("Trade assurance")

    def ready(self) -> None:
        from niaga.assurance import invariants  # noqa: F401  (registers the ledger checks)
