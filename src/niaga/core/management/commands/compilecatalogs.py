from django.core.management.base import BaseCommand

from niaga.core.catalogs import compile_catalogs


class Command(BaseCommand):
    help = "Compile Niaga's translation catalogs (.po to .mo) with Babel."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile even if up to date.")

    def handle(self, *args, force: bool = False, **options):
        written = compile_catalogs(force=force)
        for path in written:
            self.stdout.write(f"compiled {path}")
        self.stdout.write(self.style.SUCCESS(f"{len(written)} catalog(s) compiled."))
