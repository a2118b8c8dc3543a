import io

import pytest

from niaga.core.models import AuditEntry
from niaga.registry import selectors, services
from niaga.registry.models import (
    Business,
    FieldValue,
    RosterRow,
    RosterUpload,
    RowStatus,
    UploadStatus,
)
from tests.registry.conftest import roster

pytestmark = pytest.mark.django_db

SARI = "A1,kemenperin,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,Bandung,40111,0812-3456-7890,siti@kopisari.id,kopi,1.250.000.000,IDR"
KAVERI = "A2,kemenperin,Kaveri Spices LLP,Rohan Iyer,,,,27AAPFU0939F1ZV,,,12 MG Road,IN-MH,Pune,411001,98765 43210,rohan@kaveri.in,spices,,"
BAD = "A3,kemenperin,CV Batik Bad,Budi,12345,,,,,,Jl. X,ID-ZZ,Solo,57111,not-a-phone,nope,batik,,"


def test_a_standard_roster_is_imported_with_provenance(officer, send):
    upload, created = send(officer, roster(SARI, KAVERI))
    assert created
    assert upload.status == UploadStatus.IMPORTED
    assert (upload.total_rows, upload.imported_rows, upload.quarantined_rows) == (2, 2, 0)
    sari = Business.objects.get(nib="9120001234567")
    assert sari.name == "CV Kopi Sari Jaya"
    assert sari.phone == "+6281234567890"
    assert sari.province == "ID-JB"
    phone = FieldValue.objects.get(business=sari, field="phone")
    assert phone.row.number == 2 and phone.source.name == "kemenperin"
    assert AuditEntry.objects.filter(action="registry.roster_imported").count() == 1
    assert upload.file.read()  # the raw file is kept


def test_bad_rows_are_quarantined_with_every_problem_and_good_rows_imported(officer, send):
    upload, _ = send(officer, roster(SARI, BAD))
    assert (upload.imported_rows, upload.quarantined_rows) == (1, 1)
    problems = {(p.row.number, p.column) for p in selectors.problems_of(upload)}
    assert {(3, "nib"), (3, "province"), (3, "phone"), (3, "email")} <= problems
    assert not Business.objects.filter(name="CV Batik Bad").exists()


def test_a_corrected_row_is_imported(officer, send):
    upload, _ = send(officer, roster(BAD))
    row = RosterRow.objects.get(upload=upload)
    still_bad = services.correct_row(actor=officer, row=row, values={"nib": "9120009876543"})
    assert still_bad.status == RowStatus.QUARANTINED
    assert {p.column for p in still_bad.problems.all()} == {"province", "phone", "email"}
    fixed = services.correct_row(
        actor=officer,
        row=row,
        values={"province": "Jawa Tengah", "phone": "0271 123456", "email": "budi@batik.id"},
    )
    assert fixed.status == RowStatus.IMPORTED
    business = Business.objects.get(nib="9120009876543")
    assert business.province == "ID-JT"
    upload.refresh_from_db()
    assert (upload.imported_rows, upload.quarantined_rows) == (1, 0)


def test_the_same_file_twice_is_one_upload(officer, send):
    first, _ = send(officer, roster(SARI, KAVERI))
    again, created = send(officer, roster(SARI, KAVERI))
    assert not created and again.pk == first.pk
    assert Business.objects.count() == 2


def test_an_overlapping_file_adds_only_what_is_new(officer, send):
    send(officer, roster(SARI, KAVERI), name="january.csv")
    changed_kaveri = KAVERI.replace("98765 43210", "98765 00000")
    newcomer = "A9,kemenperin,UD Rotan Makmur,Agus,9120005550001,,,,,,Jl. Rotan 1,ID-JT,Cirebon,45111,,,handicrafts,,"
    upload, _ = send(officer, roster(SARI, changed_kaveri, newcomer), name="february.csv")
    assert (upload.imported_rows, upload.repeated_rows) == (2, 1)
    assert Business.objects.count() == 3  # Kaveri's new version updates the same business
    kaveri = Business.objects.get(gstin="27AAPFU0939F1ZV")
    assert kaveri.phone == "+919876500000"
    assert sorted(
        FieldValue.objects.filter(business=kaveri, field="phone").values_list("value", flat=True)
    ) == ["+919876500000", "+919876543210"]


def test_unknown_headers_wait_for_a_mapping_that_is_then_remembered(officer, send):
    header = "Nama Usaha,Nama Pemilik,NIB,Provinsi,No HP"
    content = roster(
        "CV Kopi Sari Jaya,Siti Aminah,9120001234567,Jawa Barat,0812-3456-7890", header=header
    )
    upload, _ = send(officer, content, source="kemendag")
    assert upload.status == UploadStatus.MAPPING_NEEDED
    assert upload.mapping["Nama Usaha"] == "business_name"
    mapping = {
        "Nama Usaha": "business_name",
        "Nama Pemilik": "owner_name",
        "NIB": "nib",
        "Provinsi": "province",
        "No HP": "phone",
    }
    services.set_mapping(actor=officer, upload=upload, mapping=mapping)
    services.import_upload(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.IMPORTED
    later = roster("UD Rotan Makmur,Agus,9120005550001,Jawa Tengah,", header=header)
    second, _ = send(officer, later, source="kemendag", name="later.csv")
    assert second.status == UploadStatus.IMPORTED


def test_an_invalid_mapping_is_refused(officer, send):
    upload, _ = send(officer, roster("x,y", header="Foo,Bar"), source="other")
    with pytest.raises(services.MappingInvalid):
        services.set_mapping(
            actor=officer, upload=upload, mapping={"Foo": "owner_name", "Bar": None}
        )


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "file_empty"),
        (b"%PDF-1.4", "roster.pdf", "wrong_extension"),
    ],
)
def test_files_refused_at_the_door(officer, content, name, code):
    source = services.create_source(actor=officer, name="kemenperin")
    with pytest.raises(services.RegistryError) as refused:
        services.receive_roster(
            actor=officer, source=source, fileobj=io.BytesIO(content), original_name=name
        )
    assert refused.value.code == code


def test_a_header_only_file_fails_with_its_reason_and_is_kept(officer, send):
    from tests.registry.conftest import STANDARD_HEADER

    upload, _ = send(officer, (STANDARD_HEADER + "\n").encode())
    assert upload.status == UploadStatus.FAILED
    assert upload.error_code == "header_only"
    assert upload.file.read()


def test_invalid_utf8_is_read_as_cp1252(officer, send):
    line = SARI.replace("Siti Aminah", "Siti Amin\xe9")
    upload, _ = send(officer, roster(line).replace("Amin\xc3\xa9".encode(), b"Amin\xe9"))
    assert upload.status == UploadStatus.IMPORTED
    assert Business.objects.get().owner_name == "Siti Aminé"


def test_a_file_over_the_limit_is_refused_without_being_kept(officer, monkeypatch):
    monkeypatch.setenv("NIAGA_ROSTER_MAX_BYTES", "100")
    source = services.create_source(actor=officer, name="kemenperin")
    with pytest.raises(services.RosterTooLarge):
        services.receive_roster(
            actor=officer, source=source, fileobj=io.BytesIO(b"x" * 101), original_name="r.csv"
        )
    assert not RosterUpload.objects.exists()


def test_an_interrupted_import_resumes_when_the_file_is_sent_again(officer, send, monkeypatch):
    from niaga.registry import services as registry_services

    monkeypatch.setattr(registry_services, "BATCH_ROWS", 1)
    calls = {"batches": 0}
    real_batch = registry_services._import_batch

    def crash_after_first_batch(*args, **kwargs):
        calls["batches"] += 1
        if calls["batches"] == 2:
            raise RuntimeError("the worker was killed")
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(registry_services, "_import_batch", crash_after_first_batch)
    send(officer, roster(SARI, KAVERI))  # the task fails; its worker records that
    upload = RosterUpload.objects.get()
    assert (upload.status, upload.imported_rows) == (UploadStatus.IMPORTING, 1)
    monkeypatch.setattr(registry_services, "_import_batch", real_batch)
    again, created = send(officer, roster(SARI, KAVERI))
    assert not created and again.status == UploadStatus.IMPORTED
    assert Business.objects.count() == 2
    assert RosterRow.objects.count() == 2
