"""Background work of the registry: imports and linkage never run in a web process."""

from django_tasks import task


@task()
def import_roster(upload_id: int) -> None:
    from niaga.registry import services

    services.import_upload(upload_id=upload_id)


@task()
def link_registry() -> None:
    from niaga.registry import services

    services.run_linkage(actor=None)
