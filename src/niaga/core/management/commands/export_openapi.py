import json
from pathlib import Path

from django.core.management.base import BaseCommand

from niaga.api import api


class Command(BaseCommand):
    help = "Write the API's OpenAPI document, to be committed and compared in CI."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/openapi.json")

    def handle(self, *args, output: str, **options):
        document = api.get_openapi_schema(path_prefix="/api/v1/")
        Path(output).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        self.stdout.write(self.style.SUCCESS(f"wrote {output}"))
