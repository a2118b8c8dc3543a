import io

import pytest
from django.core.management import call_command

from niaga.registry import services
from niaga.registry.models import RosterUpload, UploadStatus
from tests.registry.conftest import roster

ROW = "A1,x,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,Bandung,40111,,,kopi,,"


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_only_queued_by_the_web_process_and_imported_by_the_worker(officer, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from django_tasks_db.models import DBTaskResult

    source = services.create_source(actor=officer, name="kemenperin")
    upload, _ = services.receive_roster(
        actor=officer, source=source, fileobj=io.BytesIO(roster(ROW)), original_name="r.csv"
    )
    assert upload.status == UploadStatus.QUEUED
    assert DBTaskResult.objects.filter(task_path__endswith="import_roster").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    upload = RosterUpload.objects.get(pk=upload.pk)
    assert upload.status == UploadStatus.IMPORTED
    assert upload.imported_rows == 1
