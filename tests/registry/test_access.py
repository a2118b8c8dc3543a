import pytest
from django.urls import reverse

from niaga.registry import selectors
from tests.factories import buyer
from tests.registry.conftest import ministry_officer, roster

pytestmark = pytest.mark.django_db

ROW = "A1,x,CV Kopi Sari Jaya,Siti Aminah,9120001234567,,,,,,Jl. Merdeka 5,ID-JB,Bandung,40111,,,kopi,,"


def test_a_ministry_sees_its_own_rosters_not_another_ministrys(send, client):
    kemenperin, kemendag = ministry_officer("Kemenperin"), ministry_officer("Kemendag")
    upload, _ = send(kemenperin, roster(ROW), source="kemenperin")
    assert list(selectors.uploads_for(kemenperin)) == [upload]
    assert not selectors.uploads_for(kemendag).exists()
    client.force_login(kemendag)
    assert client.get(reverse("registry:roster", args=[upload.pk])).status_code == 404
    assert client.get(f"/api/v1/registry/rosters/{upload.pk}").status_code == 404
    client.force_login(kemenperin)
    assert client.get(reverse("registry:roster", args=[upload.pk])).status_code == 200
    assert client.get(f"/api/v1/registry/rosters/{upload.pk}").status_code == 200


def test_every_officer_shares_the_business_registry(send):
    kemenperin, kemendag = ministry_officer("Kemenperin"), ministry_officer("Kemendag")
    send(kemenperin, roster(ROW), source="kemenperin")
    assert selectors.businesses_for(kemendag).count() == 1


def test_a_buyer_is_kept_out_of_the_registry(client):
    client.force_login(buyer())
    assert client.get(reverse("registry:home")).status_code == 403
    assert client.get("/api/v1/registry/businesses").json()["count"] == 0
    response = client.post(
        "/api/v1/registry/rosters", {"source": "x", "file": b""}, format="multipart"
    )
    assert response.status_code == 403
