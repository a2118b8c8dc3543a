"""Recompute the dashboard's aggregate tables from the settlements, with progress."""

from django.core.management.base import BaseCommand

from niaga.insights import funnel, services


class Command(BaseCommand):
    help = "Recompute the programme dashboard's aggregate tables from every settlement."

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            if total and (done == total or done % (services.BATCH * 10) == 0):
                self.stdout.write(f"settlements: {done}/{total} ({100 * done // total}%)")

        counts = services.rebuild(progress=progress)

        def funnel_progress(done: int, total: int) -> None:
            self.stdout.write(f"applications: {done}/{total}")

        counts["applications in the funnel"] = funnel.rebuild(progress=funnel_progress)
        summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"insights rebuilt: {summary}"))
