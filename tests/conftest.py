import pytest

from niaga.core.catalogs import compile_catalogs


def pytest_configure(config):
    # Tests read the same compiled catalogs a server would; compile any that are stale.
    compile_catalogs()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    settings.LANGUAGE_CODE = "en"
