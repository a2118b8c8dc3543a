"""``niaga credential``: offline checks in a subprocess, as a buyer would run them."""

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from niaga.programs import credentials
from niaga.programs.credentials import CredentialKey


def run_cli(*args, stdin=None, cwd=None):
    env = dict(os.environ)
    # An offline check needs no database; point the settings at none to prove it.
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    return subprocess.run(
        [sys.executable, "-m", "niaga.cli", "credential", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def claims(**changes):
    credential_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    values = {
        "type": "NiagaCurationCredential",
        "version": 1,
        "id": credential_id,
        "issuer": {"name": "Niaga", "url": "http://localhost:8000"},
        "subject": {
            "business_id": 12,
            "name": "Kerajinan Bali",
            "country": "ID",
            "identifiers": {"nib": "9120001234567"},
        },
        "programme": {
            "slug": "export-ready",
            "name": "Export Ready 2026",
            "operator": "Kemenperin",
        },
        "mentored_by": [{"id": 3, "name": "Rumah Ekspor"}],
        "approved_on": (now - timedelta(days=30)).date().isoformat(),
        "issued_at": (now - timedelta(days=30)).isoformat(),
        "expires_at": (now + timedelta(days=335)).isoformat(),
        "verify_url": f"http://localhost:8000/credentials/{credential_id}/",
    }
    values.update(changes)
    return values


@pytest.fixture
def key():
    return CredentialKey.from_private(Ed25519PrivateKey.generate())


@pytest.fixture
def files(tmp_path, key):
    """A key set holding ``key`` and an empty revocation list, as an issuer publishes them."""
    jwks = {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": key.public_text,
                "kid": key.kid,
                "use": "sig",
                "alg": "EdDSA",
            }
        ]
    }
    (tmp_path / "keys.json").write_text(json.dumps(jwks))
    write(tmp_path / "revoked.json", credentials.sign_revocation_list([], issued_at=now(), key=key))
    return tmp_path


def now():
    return datetime.now(UTC)


def write(path, document):
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def verify(files, credential, *extra):
    return run_cli("verify", str(credential), "--keys", str(files / "keys.json"), *extra)


def test_a_valid_credential(files, key):
    credential = write(files / "credential.json", credentials.sign(claims(), key=key))
    result = verify(files, credential, "--revocations", str(files / "revoked.json"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "valid"
    assert "Kerajinan Bali" in result.stdout
    assert "Export Ready 2026" in result.stdout


def test_stdin_is_read_for_a_dash(files, key):
    document = json.dumps(credentials.sign(claims(), key=key))
    result = run_cli("verify", "-", "--keys", str(files / "keys.json"), stdin=document)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "valid"


def test_a_tampered_credential(files, key):
    document = credentials.sign(claims(), key=key)
    document["credential"]["subject"]["name"] = "Someone Else"
    result = verify(files, write(files / "credential.json", document))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "tampered"
    assert "Someone Else" not in result.stdout


def test_garbage_is_tampered(files):
    garbage = files / "credential.json"
    garbage.write_bytes(b"\x00\xffnot a credential")
    result = verify(files, garbage)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "tampered"


def test_a_revoked_credential(files, key):
    values = claims()
    credential = write(files / "credential.json", credentials.sign(values, key=key))
    write(
        files / "revoked.json",
        credentials.sign_revocation_list([(values["id"], now())], issued_at=now(), key=key),
    )
    result = verify(files, credential, "--revocations", str(files / "revoked.json"))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "revoked"
    assert "Kerajinan Bali" in result.stdout


def test_an_expired_credential(files, key):
    values = claims(
        issued_at=(now() - timedelta(days=400)).isoformat(),
        expires_at=(now() - timedelta(days=35)).isoformat(),
    )
    credential = write(files / "credential.json", credentials.sign(values, key=key))
    result = verify(files, credential)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "expired"


def test_a_missing_credential_file(files):
    result = verify(files, files / "nowhere.json")
    assert result.returncode == 2
    assert "nowhere.json" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "content",
    ["not json", "{}", '{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "short"}]}'],
)
def test_a_malformed_key_set(files, key, content):
    credential = write(files / "credential.json", credentials.sign(claims(), key=key))
    (files / "keys.json").write_text(content)
    result = verify(files, credential)
    assert result.returncode == 2
    assert "keys.json" in result.stderr


def test_a_missing_key_set(files, key):
    credential = write(files / "credential.json", credentials.sign(claims(), key=key))
    result = run_cli("verify", str(credential), "--keys", str(files / "absent.json"))
    assert result.returncode == 2
    assert "absent.json" in result.stderr


def test_a_revocation_list_signed_by_someone_else(files, key):
    credential = write(files / "credential.json", credentials.sign(claims(), key=key))
    stranger = CredentialKey.from_private(Ed25519PrivateKey.generate())
    write(
        files / "revoked.json", credentials.sign_revocation_list([], issued_at=now(), key=stranger)
    )
    result = verify(files, credential, "--revocations", str(files / "revoked.json"))
    assert result.returncode == 2
    assert "revoked.json" in result.stderr


def test_new_key_prints_a_seed_that_loads(tmp_path):
    result = run_cli("new-key")
    assert result.returncode == 0, result.stderr
    seed = result.stdout.strip()
    key = credentials.key_from_seed(seed)
    assert key.kid in result.stderr
    assert key.public_text in result.stderr
