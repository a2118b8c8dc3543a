"""``niaga credential``: make a signing key, and check a credential file offline or here.

Offline (``--keys``) needs neither the project's settings nor a database: a buyer can run it
with the published key set and revocation list. Without ``--keys`` the installation's own keys
and revocations are used.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from niaga.programs import credentials
from niaga.programs.credentials import CredentialFormatError, Verdict, Verification

__all__ = ["new_key", "verify_file"]

PROG = "niaga credential verify"
# A credential is a few kilobytes; refuse to read a disk image by mistake.
MAX_FILE_BYTES = 10 * 1024 * 1024
STDIN = "-"


class _Unreadable(Exception):
    """A file (or the installation) the check needs cannot be read; exit code 2."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def new_key() -> int:
    """Print a fresh private seed on stdout, and its public key and key id on stderr."""
    seed = credentials.new_seed()
    key = credentials.key_from_seed(seed)
    print(seed)
    print(f"public key: {key.public_text}", file=sys.stderr)
    print(f"key id: {key.kid}", file=sys.stderr)
    print(
        "Set NIAGA_CREDENTIAL_SIGNING_KEY to the line on stdout and keep it secret. When it "
        "replaces a key, add the old public key to NIAGA_CREDENTIAL_RETIRED_KEYS so credentials "
        "signed before still verify.",
        file=sys.stderr,
    )
    return 0


def verify_file(
    file: str, *, keys_path: Path | None = None, revocations_path: Path | None = None
) -> int:
    """Check FILE (``-`` for stdin); 0 valid, 1 revoked, expired or tampered, 2 unreadable input."""
    try:
        if keys_path is not None:
            _settings_without_project()
            keys = _keys_from_file(keys_path)
            revoked = _revocations_from_file(revocations_path, keys)
        else:
            keys, revoked = _installation_trust(revocations_path)
        document = _read(file)
    except _Unreadable as problem:
        print(f"{PROG}: error: {problem.where}: {problem.reason}", file=sys.stderr)
        return 2
    verification = credentials.verify(document, keys=keys, revoked=revoked)
    _report(verification)
    return 0 if verification.verdict is Verdict.VALID else 1


def _settings_without_project() -> None:
    """Offline checks must not need the project's settings (nor its secrets, nor a database).

    English messages without the translation machinery, which would need the app registry.
    """
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def _installation_trust(
    revocations_path: Path | None,
) -> tuple[dict[str, Ed25519PublicKey], frozenset[str]]:
    from niaga.cli import _setup_django

    _setup_django()
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    from niaga.programs.selectors import revoked_credential_ids

    try:
        keys = {key.kid: key.public_key for key in credentials.published_keys()}
    except ImproperlyConfigured as error:
        raise _Unreadable("settings", str(error)) from None
    try:
        revoked = revoked_credential_ids()
    except DatabaseError as error:
        raise _Unreadable(
            "the database", f"{error} (has `niaga manage migrate` been run?)"
        ) from None
    return keys, revoked | _revocations_from_file(revocations_path, keys)


def _keys_from_file(path: Path) -> dict[str, Ed25519PublicKey]:
    try:
        return credentials.keys_from_key_set(_read(str(path)))
    except CredentialFormatError as error:
        raise _Unreadable(str(path), str(error.message)) from None


def _revocations_from_file(
    path: Path | None, keys: Mapping[str, Ed25519PublicKey]
) -> frozenset[str]:
    if path is None:
        return frozenset()
    try:
        return credentials.revoked_ids_from_list(_read(str(path)), keys=keys)
    except CredentialFormatError as error:
        raise _Unreadable(str(path), str(error.message)) from None


def _read(name: str) -> bytes:
    try:
        if name == STDIN:
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _Unreadable(name, error.strerror or str(error)) from None
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable(name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    return data


def _report(verification: Verification) -> None:
    print(verification.verdict.value)
    print(verification.detail)
    claims = verification.claims
    if claims is None or verification.verdict is Verdict.TAMPERED:
        return
    for label, part in (("Exporter", "subject"), ("Programme", "programme")):
        name = _name_of(claims.get(part))
        if name:
            print(f"{label}: {name}")


def _name_of(part: Any) -> str:
    name = part.get("name") if isinstance(part, dict) else None
    if not isinstance(name, str):
        return ""
    # Signed by the issuer, but still text from a file: keep terminal controls out.
    return "".join(c if c.isprintable() else "?" for c in name)
