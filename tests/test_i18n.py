import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils import translation

from niaga.core.catalogs import LOCALE_DIR, catalogs

SHIPPED = {"id", "hi"}
SRC = Path(__file__).resolve().parents[1] / "src" / "niaga"


def load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_bahasa_indonesia_and_hindi_ship():
    assert {path.parent.parent.name for path in catalogs()} == SHIPPED


@pytest.mark.parametrize("path", catalogs(), ids=lambda path: path.parent.parent.name)
def test_every_message_is_translated_and_none_is_fuzzy(path):
    catalog = load(path)
    missing = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [], f"untranslated in {path}: {missing[:5]}"
    assert fuzzy == [], f"fuzzy in {path}: {fuzzy[:5]}"


@pytest.mark.parametrize("path", catalogs(), ids=lambda path: path.parent.parent.name)
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\w+\}")
    for message in load(path):
        if message.id and isinstance(message.id, str) and message.string:
            assert sorted(pattern.findall(message.id)) == sorted(pattern.findall(message.string)), (
                message.id
            )


def test_the_catalogs_hold_every_message_in_the_code(tmp_path):
    """makemessages over the code finds no message that the committed catalogs lack."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) must be installed in CI")
        pytest.skip("GNU gettext is not installed here")
    work = tmp_path / "niaga"
    shutil.copytree(SRC, work, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    subprocess.run(
        ["django-admin", "makemessages", "-l", "id", "--no-obsolete", "--no-wrap"],
        cwd=work,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "niaga.settings"},
    )
    fresh = {m.id for m in load(work / "locale" / "id" / "LC_MESSAGES" / "django.po") if m.id}
    committed = {m.id for m in load(LOCALE_DIR / "id" / "LC_MESSAGES" / "django.po") if m.id}
    assert fresh - committed == set(), "run `uv run niaga manage makemessages -a` and translate"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "Masuk"), ("hi", "साइन इन")],
)
def test_pages_speak_the_chosen_language(client, language, expected):
    client.cookies["django_language"] = language
    page = client.get(reverse("accounts:login")).content.decode()
    assert expected in page
    assert f'lang="{language}"' in page


def test_translations_are_loaded_from_the_compiled_catalogs():
    with translation.override("id"):
        assert translation.gettext("Sign in") == "Masuk"
    with translation.override("hi"):
        assert translation.gettext("Sign in") == "साइन इन"
