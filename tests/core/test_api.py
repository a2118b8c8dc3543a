import json

import pytest
from django.conf import settings

from tests.factories import buyer, exporter, officer

pytestmark = pytest.mark.django_db

SIGN_UP = "/api/v1/accounts/sign-up"


def body(**overrides):
    return {
        "kind": "buyer",
        "email": "lena@example.de",
        "password": "spice-route-harbour-42",
        "full_name": "Lena Hoffmann",
        "organisation_name": "Hanse Import GmbH",
        "country": "DE",
        **overrides,
    }


def post(client, path, payload, **extra):
    data = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(path, data, content_type="application/json", **extra)


def test_sign_up_through_the_api(client):
    response = post(client, SIGN_UP, body())
    assert response.status_code == 201
    assert response.json()["memberships"][0]["role"] == "buyer"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ('{"kind": "buyer", "email": ', 400),
        ("[1, 2, 3]", 422),
        (body(country=49), 422),
        ({k: v for k, v in body().items() if k != "email"}, 422),
        (body(favourite_colour="green"), 422),
        (body(kind="exporter", country="IN", gstin="27AAPFU0939F1ZX"), 422),
        (body(password="abc"), 422),
    ],
    ids=["malformed", "not-an-object", "wrong-type", "missing", "unknown", "bad-gstin", "weak"],
)
def test_bad_api_input_is_a_4xx_with_a_reason(client, payload, status):
    response = post(client, SIGN_UP, payload)
    assert response.status_code == status
    assert response.json()  # always a body that says what went wrong


def test_a_taken_e_mail_is_a_field_error(client):
    buyer(email="lena@example.de")
    response = post(client, SIGN_UP, body())
    assert response.status_code == 422
    assert "email" in response.json()["errors"]


def test_an_oversize_body_is_refused(client):
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = post(client, SIGN_UP, body(full_name=padding))
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_an_oversize_form_is_refused_without_a_server_error(client):
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post("/accounts/sign-up/", {"full_name": padding})
    assert response.status_code == 400


def test_me_needs_a_session(client):
    assert client.get("/api/v1/accounts/me").status_code == 401
    person = exporter()
    client.force_login(person)
    assert client.get("/api/v1/accounts/me").json()["home_role"] == "exporter_owner"


def test_organisations_are_scoped_to_the_caller(client):
    alice, bob = exporter(), exporter()
    client.force_login(alice)
    listed = client.get("/api/v1/accounts/organisations").json()
    own = alice.memberships.get().organisation_id
    assert [item["id"] for item in listed["items"]] == [own]
    other = bob.memberships.get().organisation_id
    assert client.get(f"/api/v1/accounts/organisations/{other}").status_code == 404
    assert client.get(f"/api/v1/accounts/organisations/{own}").status_code == 200


def test_the_organisation_list_costs_the_same_queries_for_1_and_50_rows(
    client, django_assert_max_num_queries
):
    from tests.factories import OrganisationFactory

    client.force_login(officer())
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/accounts/organisations?limit=100")
    OrganisationFactory.create_batch(50)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/accounts/organisations?limit=100")
    assert response.json()["count"] >= 51


def test_the_audit_trail_is_for_officers(client):
    client.force_login(buyer())
    assert client.get("/api/v1/audit").status_code == 403
    client.force_login(officer())
    response = client.get("/api/v1/audit?object_type=accounts.organisation")
    assert response.status_code == 200


def test_a_session_post_without_the_csrf_token_is_refused():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer())
    assert client.post("/accounts/language/", {"language": "id"}).status_code == 403


def test_identifier_check(client):
    ok = client.get("/api/v1/identifiers/check?kind=gstin&value=27aapfu0939f1zv").json()
    assert ok == {
        "kind": "gstin",
        "value": "27aapfu0939f1zv",
        "valid": True,
        "normalised": "27AAPFU0939F1ZV",
        "reason": None,
        "message": None,
    }
    bad = client.get("/api/v1/identifiers/check?kind=gstin&value=27AAPFU0939F1ZX").json()
    assert bad["valid"] is False and bad["reason"]
    assert client.get("/api/v1/identifiers/check?kind=ssn&value=1").status_code == 422


def test_openapi_document_and_docs_page(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert "/api/v1/accounts/sign-up" in document.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
    assert client.get("/api/docs").status_code == 302


def test_the_committed_openapi_document_matches_the_code(client):
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
    generated = client.get("/api/v1/openapi.json").json()
    assert json.loads(committed.read_text()) == generated, (
        "The API changed: run `uv run niaga manage export_openapi` and commit docs/openapi.json"
    )


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "/api/v1/audit?object_id=%00", None),
        ("post", SIGN_UP, json.dumps(body(full_name="Lena\u0000"))),
    ],
)
def test_a_nul_character_is_a_clear_400(client, method, path, payload):
    client.force_login(officer())
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_nul_character_in_a_form_is_a_400(client):
    response = client.post("/accounts/sign-up/", {"full_name": "Lena\x00"})
    assert response.status_code == 400


def test_sign_in_and_out_through_the_api():
    from django.test import Client

    from tests.factories import PASSWORD

    person = buyer(email="lena@example.de")
    client = Client(enforce_csrf_checks=True)
    response = post(
        client, "/api/v1/accounts/sign-in", {"email": "LENA@example.de", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["email"] == person.email
    assert client.get("/api/v1/accounts/me").status_code == 200
    # Unsafe calls on a session need the CSRF token.
    assert client.post("/api/v1/accounts/sign-out").status_code == 403
    client.get("/accounts/sign-in/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert client.post("/api/v1/accounts/sign-out", HTTP_X_CSRFTOKEN=token).status_code == 204
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_api_sign_in_failures_are_401_then_throttled(client, settings):
    person = buyer()
    wrong = {"email": person.email, "password": "not-the-password"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post(client, "/api/v1/accounts/sign-in", wrong).status_code == 401
    assert post(client, "/api/v1/accounts/sign-in", wrong).status_code == 429
    from tests.factories import PASSWORD

    right = {"email": person.email, "password": PASSWORD}
    throttled = post(client, "/api/v1/accounts/sign-in", right)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "signin_throttled"


def test_multipart_without_a_boundary_is_a_clear_400(client):
    response = client.generic(
        "POST",
        "/api/v1/accounts/sign-in",
        b'{"email": "a@b.c", "password": "x"}',
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_a_huge_page_offset_is_refused_not_a_server_error(client):
    client.force_login(officer())
    response = client.get("/api/v1/accounts/organisations?limit=189582&offset=76411374378564517888")
    assert response.status_code == 422
