import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from niaga.registry.models import Business, RosterUpload, UploadStatus
from tests.registry.conftest import roster

pytestmark = pytest.mark.django_db

GOOD = "A1,kemenperin,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,Bandung,40111,0812-3456-7890,siti@kopisari.id,kopi,,"
# A spreadsheet formula where an e-mail address should be: refused, and quoted in the report.
INJECTION = 'A2,kemenperin,CV Batik,Budi,9120001234560,,,,,,Jl. X,ID-JB,Bandung,40111,,"=HYPERLINK(""http://evil.example"",""click"")",batik,,'


def upload_page(client, content, name="roster.csv", source="kemenperin"):
    return client.post(
        reverse("registry:rosters"),
        {"source": source, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_an_officer_uploads_a_roster_on_the_page_and_reads_the_report(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_page(client, roster(GOOD, INJECTION))
    upload = RosterUpload.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:roster", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "CV Kopi Sari Jaya" not in page  # the report lists problems, not good rows
    assert "HYPERLINK" in page
    download = client.get(reverse("registry:problems_csv", args=[upload.pk]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    values = [row[2] for row in rows[1:]]
    assert any(value.startswith("'=HYPERLINK") for value in values)
    assert not any(value.startswith("=") for value in values)


def test_the_progress_fragment_refreshes_the_page_when_done(client, officer, send):
    upload, _ = send(officer, roster(GOOD))
    client.force_login(officer)
    response = client.get(
        reverse("registry:roster", args=[upload.pk]) + "?fragment=progress", HTTP_HX_REQUEST="true"
    )
    assert response.headers.get("HX-Refresh") == "true"


def test_a_wrong_extension_on_the_page_is_a_field_error(client, officer):
    client.force_login(officer)
    response = upload_page(client, b"%PDF-1.4", name="roster.pdf")
    assert response.status_code == 400
    assert 'data-field="file"' in response.content.decode()
    assert not RosterUpload.objects.exists()


def test_the_business_page_shows_sources_rule_and_identifiers(client, officer, send):
    send(officer, roster(GOOD))
    client.force_login(officer)
    business = Business.objects.get()
    page = client.get(reverse("registry:business", args=[business.pk])).content.decode()
    assert "9120001234567" in page
    assert "kemenperin" in page
    assert "lowest priority number" in page


def test_the_api_takes_a_roster_and_reports_it(client, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/registry/rosters",
            {"source": "kemenperin", "file": SimpleUploadedFile("r.csv", roster(GOOD, INJECTION))},
        )
    assert response.status_code == 202, response.content
    upload_id = response.json()["id"]
    status = client.get(f"/api/v1/registry/rosters/{upload_id}").json()
    assert status["status"] == UploadStatus.IMPORTED
    assert (status["imported_rows"], status["quarantined_rows"]) == (1, 1)
    problems = client.get(f"/api/v1/registry/rosters/{upload_id}/problems").json()["items"]
    assert {problem["row"] for problem in problems} == {3}
    again = client.post(
        "/api/v1/registry/rosters",
        {"source": "kemenperin", "file": SimpleUploadedFile("r.csv", roster(GOOD, INJECTION))},
    )
    assert again.status_code == 200 and again.json()["id"] == upload_id
    found = client.get("/api/v1/registry/businesses?q=kopi sari").json()
    assert found["count"] == 1


def test_the_api_refuses_a_missing_file_and_a_wrong_extension(client, officer):
    client.force_login(officer)
    assert client.post("/api/v1/registry/rosters", {"source": "x"}).status_code == 400
    response = client.post(
        "/api/v1/registry/rosters", {"source": "x", "file": SimpleUploadedFile("r.pdf", b"%PDF")}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_extension"


def test_import_roster_on_the_command_line(tmp_path, db, capsys):
    from niaga.cli import main

    path = tmp_path / "kemenperin.csv"
    path.write_bytes(roster(GOOD))
    assert main(["import-roster", str(path), "--source", "kemenperin"]) == 0
    assert "1 imported" in capsys.readouterr().out
    assert main(["import-roster", str(path), "--source", "kemenperin"]) == 0
    assert "sent before" in capsys.readouterr().out
    assert Business.objects.count() == 1
    assert main(["import-roster", str(tmp_path / "missing.csv"), "--source", "x"]) == 2


def test_dedupe_on_the_command_line_writes_clusters_without_a_database(tmp_path, capsys):
    from niaga.cli import main
    from tests.registry.conftest import STANDARD_HEADER

    rows = [
        "r1,a,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,Bandung,40111,,,,,",
        "r2,b,Kopi Sari Djaja,Siti Aminah,9120001234567,,,,,,Jalan Merdeka 5,ID-JB,Bandung,40111,,,,,",
        "r3,a,UD Rotan Makmur,Agus Salim,9120005550001,,,,,,Jl. Rotan 1,ID-JT,Cirebon,45111,,,,,",
    ]
    source = tmp_path / "roster.csv"
    source.write_text("\n".join([STANDARD_HEADER, *rows]) + "\n")
    output = tmp_path / "clusters.csv"
    assert main(["dedupe", "--input", str(source), "--output", str(output)]) == 0
    lines = output.read_text().splitlines()
    assert lines[0] == "record_id,cluster_id"
    clusters = dict(line.split(",") for line in lines[1:])
    assert clusters["r1"] == clusters["r2"] != clusters["r3"]
    (tmp_path / "bad.csv").write_text("name\nx\n")
    assert main(["dedupe", "--input", str(tmp_path / "bad.csv"), "--output", str(output)]) == 2
    assert "record_id" in capsys.readouterr().err


def test_dedupe_output_escapes_formula_ids(tmp_path):
    from niaga.cli import main
    from tests.registry.conftest import STANDARD_HEADER

    rows = [
        '"=HYPERLINK(""http://evil.example"")",a,CV Kopi Sari Jaya,Siti,,,,,,,,ID-JB,Bandung,40111,,,,,',
        "r2,a,UD Rotan Makmur,Agus,,,,,,,,ID-JT,Cirebon,45111,,,,,",
    ]
    source = tmp_path / "roster.csv"
    source.write_text("\n".join([STANDARD_HEADER, *rows]) + "\n")
    output = tmp_path / "clusters.csv"
    assert main(["dedupe", "--input", str(source), "--output", str(output)]) == 0
    written = output.read_text()
    assert "'=HYPERLINK" in written
    assert "\n=" not in written and ",=" not in written
