"""Retake the README's screenshots: `uv run python docs/screenshots/take.py` (needs Chromium)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "niaga-demo-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "NIAGA_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "niaga.cli", "demo", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(base, timeout=2)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base)
        finally:
            server.terminate()
            server.wait()


def shoot(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        phone = browser.new_context(viewport={"width": 390, "height": 760})
        page = phone.new_page()
        page.goto(base)
        page.screenshot(path=HERE / "landing-phone.png")
        page.goto(f"{base}/accounts/sign-up/")
        page.get_by_label("an exporter in India or Indonesia").check()
        page.get_by_label("Your full name").fill("Rohan Iyer")
        page.get_by_label("E-mail address").fill("rohan@example.in")
        page.get_by_label("Password").fill("spice-route-harbour-42")
        page.get_by_label("Company name").fill("Kaveri Spices LLP")
        page.get_by_label("Country").select_option("IN")
        page.get_by_label("GSTIN").fill("27AAPFU0939F1ZX")
        page.get_by_role("button", name="Sign up").click()
        page.locator('[data-field="gstin"]').scroll_into_view_if_needed()
        page.screenshot(path=HERE / "sign-up-error.png")

        desktop = browser.new_context(viewport={"width": 1200, "height": 800})
        page = desktop.new_page()
        sign_in(page, base, "officer.kemendag@niaga.demo")
        page.screenshot(path=HERE / "officer-home.png")
        page.goto(f"{base}/registry/review/")
        page.goto(f"{base}/registry/?q=jaya")
        page.screenshot(path=HERE / "registry-search.png")
        page.locator("table a").first.click()
        page.wait_for_load_state("load")
        page.screenshot(path=HERE / "registry-business.png", full_page=True)
        page.goto(f"{base}/programmes/kemendag-ikm-2026/queue/")
        page.screenshot(path=HERE / "programme-queue.png")
        page.goto(f"{base}/programmes/kemendag-ikm-2026/queue/?state=approved")
        page.locator("table a").first.click()
        page.wait_for_load_state("load")
        page.screenshot(path=HERE / "programme-application.png", full_page=True)
        page.goto(f"{base}/programmes/kemendag-ikm-2026/suppliers/")
        page.locator("a.badge").first.click()
        page.wait_for_load_state("load")
        page.screenshot(path=HERE / "credential-verified.png", full_page=True)
        page.context.clear_cookies()
        sign_in(page, base, "exporter.id@niaga.demo")
        page.goto(f"{base}/programmes/")
        page.screenshot(path=HERE / "exporter-programmes-id.png", full_page=True)
        page.context.clear_cookies()
        sign_in(page, base, "buyer@niaga.demo")
        page.get_by_label("Language").select_option("id")
        page.get_by_role("heading", name="Selamat datang, Lena").wait_for()
        page.screenshot(path=HERE / "buyer-home-id.png")
        browser.close()


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/accounts/home/")


if __name__ == "__main__":
    main()
