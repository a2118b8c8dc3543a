import pytest

from niaga.accounts.models import User
from tests.factories import PASSWORD, officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_signs_up_and_reads_the_home_page_in_bahasa_indonesia(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign up as a buyer or exporter").click()
    page.get_by_label("a buyer looking for suppliers").check()
    page.get_by_label("Your full name").fill("Lena Hoffmann")
    page.get_by_label("E-mail address").fill("lena@example.de")
    page.get_by_label("Password").fill("spice-route-harbour-42")
    page.get_by_label("Company name").fill("Hanse Import GmbH")
    page.get_by_label("Country").select_option("DE")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{live_server.url}/accounts/home/")
    assert page.get_by_role("heading", name="Welcome, Lena").is_visible()

    page.get_by_label("Language").select_option("id")
    page.wait_for_load_state("load")
    page.get_by_role("heading", name="Selamat datang, Lena").wait_for()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_text("Cari pemasok").is_visible()
    assert User.objects.get(email="lena@example.de").preferred_language == "id"


def test_an_officer_signs_in_and_sees_the_officer_home(live_server, page):
    officer(email="budi@kemendag.example", full_name="Budi Santoso")
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill("budi@kemendag.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/home/")
    assert page.get_by_text("Programme officer").first.is_visible()
    assert page.get_by_role("heading", name="Organisations on Niaga").is_visible()
    assert page.get_by_role("heading", name="Recent activity").is_visible()


def test_a_bad_sign_up_shows_the_field_error_on_a_phone(live_server, page):
    page.goto(f"{live_server.url}/accounts/sign-up/")
    page.get_by_label("an exporter in India or Indonesia").check()
    page.get_by_label("Your full name").fill("Rohan Iyer")
    page.get_by_label("E-mail address").fill("rohan@example.in")
    page.get_by_label("Password").fill("spice-route-harbour-42")
    page.get_by_label("Company name").fill("Kaveri Spices LLP")
    page.get_by_label("Country").select_option("IN")
    page.get_by_label("GSTIN").fill("27AAPFU0939F1ZX")
    page.get_by_role("button", name="Sign up").click()
    error = page.locator('[data-field="gstin"]')
    error.wait_for()
    assert error.is_visible()
    box = error.bounding_box()
    assert box and box["x"] + box["width"] <= 390  # readable without sideways scrolling
    assert not User.objects.filter(email="rohan@example.in").exists()
