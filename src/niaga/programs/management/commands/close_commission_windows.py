"""Claw back partner commissions whose first-order window closed; run it daily (cron, a timer)."""

from django.core.management.base import BaseCommand

from niaga.programs import services


class Command(BaseCommand):
    help = "Claw back onboarding commissions whose window closed with no first order."

    def handle(self, *args, **options):
        clawed = services.close_commission_windows()
        self.stdout.write(f"{clawed} commission(s) clawed back")
