from django.core.management.commands import flush
from django.db import connections

from niaga.core import audit_guard


class Command(flush.Command):
    help = flush.Command.help + " The audit trail's append-only guards are lifted meanwhile."

    def handle(self, **options):
        with audit_guard.lifted(connections[options["database"]]):
            return super().handle(**options)
