"""Curation credentials: Ed25519-signed statements that a programme approved an exporter.

A credential is the JSON document ``{"credential": claims, "proof": {...}}``. The proof signs
the claims' canonical bytes (sorted keys, no spaces, UTF-8, no fractions), so anyone holding
the published key set (a JWK Set, RFC 7517/8037) can check it offline. Formatting outside the
claims' values (indentation, key order) is not signed and does not matter. A revocation list is
signed the same way, so offline checkers also learn what the issuer withdrew.

Pure: no database. The signing key comes from settings; the callers bring the revoked ids.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError

__all__ = [
    "CLOCK_SKEW",
    "CREDENTIAL_TYPE",
    "PROOF_TYPE",
    "REVOCATION_LIST_TYPE",
    "CredentialFormatError",
    "CredentialKey",
    "Verdict",
    "Verification",
    "canonical_bytes",
    "key_from_seed",
    "key_set",
    "keys_from_key_set",
    "new_seed",
    "published_keys",
    "revoked_ids_from_list",
    "sign",
    "sign_revocation_list",
    "signing_key",
    "verify",
]

CREDENTIAL_TYPE = "NiagaCurationCredential"
REVOCATION_LIST_TYPE = "NiagaRevocationList"
PROOF_TYPE = "Ed25519Signature"
# A checker's clock may run a little behind the issuer's; more than this is not a clock.
CLOCK_SKEW = timedelta(minutes=5)

_SEED_INFO = b"niaga credential signing key"
_KEY_BYTES = 32
_SIGNATURE_BYTES = 64
_PROOF_FIELDS = frozenset({"type", "kid", "signature"})
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_SHOWN_LIMIT = 60


class CredentialFormatError(NiagaError):
    """A key set or a revocation list that cannot be read or trusted; the message says why."""

    code = "credential_format"
    status = 422


# Keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialKey:
    """One Ed25519 key; ``private_key`` is None for a published (verify-only) key."""

    kid: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @classmethod
    def from_private(cls, private_key: Ed25519PrivateKey) -> CredentialKey:
        public_key = private_key.public_key()
        return cls(kid=_kid(public_key), public_key=public_key, private_key=private_key)

    @classmethod
    def from_public(cls, public_key: Ed25519PublicKey) -> CredentialKey:
        return cls(kid=_kid(public_key), public_key=public_key, private_key=None)

    @property
    def public_text(self) -> str:
        """The raw public key in base64url: the JWK's ``x`` and a retired-keys entry."""
        return _b64url_encode(_raw_public(self.public_key))

    def published(self) -> CredentialKey:
        return CredentialKey(kid=self.kid, public_key=self.public_key, private_key=None)


def key_from_seed(seed: str) -> CredentialKey:
    """The key a base64url seed (as ``new_seed`` prints it) stands for; ValueError if malformed."""
    return CredentialKey.from_private(Ed25519PrivateKey.from_private_bytes(_key_bytes(seed)))


def new_seed() -> str:
    """A fresh private seed for NIAGA_CREDENTIAL_SIGNING_KEY (``niaga credential new-key``)."""
    return _b64url_encode(secrets.token_bytes(_KEY_BYTES))


def signing_key() -> CredentialKey:
    """The installation's signing key: the configured seed, or in development one from SECRET_KEY.

    Cached by the settings' values, so an overridden setting (in tests) gives its own key.
    """
    return _signing_key(
        settings.NIAGA_CREDENTIAL_SIGNING_KEY, settings.SECRET_KEY, bool(settings.PRODUCTION)
    )


@functools.lru_cache(maxsize=8)
def _signing_key(configured: object, secret_key: object, production: bool) -> CredentialKey:
    if configured:
        try:
            return key_from_seed(configured)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ImproperlyConfigured(
                "NIAGA_CREDENTIAL_SIGNING_KEY is not a 32-byte Ed25519 seed in base64url "
                "(generate one with `niaga credential new-key`)."
            ) from None
    if production:
        raise ImproperlyConfigured(
            "NIAGA_CREDENTIAL_SIGNING_KEY must be set when NIAGA_ENV=production "
            "(generate one with `niaga credential new-key`)."
        )
    derive = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=_SEED_INFO)
    seed = derive.derive(str(secret_key).encode("utf-8"))
    return CredentialKey.from_private(Ed25519PrivateKey.from_private_bytes(seed))


def published_keys() -> list[CredentialKey]:
    """The current key and every retired one, public parts only: what checkers should trust."""
    keys = [signing_key().published()]
    for value in settings.NIAGA_CREDENTIAL_RETIRED_KEYS:
        retired = _retired_key(value)
        if all(key.kid != retired.kid for key in keys):
            keys.append(retired)
    return keys


@functools.lru_cache(maxsize=32)
def _retired_key(value: object) -> CredentialKey:
    try:
        return CredentialKey.from_public(Ed25519PublicKey.from_public_bytes(_key_bytes(value)))
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"NIAGA_CREDENTIAL_RETIRED_KEYS holds {str(value)[:_SHOWN_LIMIT]!r}, which is not a "
            "32-byte Ed25519 public key in base64url."
        ) from None


def key_set() -> dict[str, list[dict[str, str]]]:
    """The published keys as a JWK Set (RFC 7517, OKP keys per RFC 8037)."""
    return {"keys": [_jwk(key) for key in published_keys()]}


def _jwk(key: CredentialKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": key.public_text,
        "kid": key.kid,
        "use": "sig",
        "alg": "EdDSA",
    }


def keys_from_key_set(document: object) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 signing keys of a JWK Set (parsed, or its JSON text), by key id.

    Keys of other kinds are skipped, as RFC 7517 asks; a set without one usable key, a malformed
    entry, a private part or a repeated key id raises CredentialFormatError.
    """
    if isinstance(document, bytes | bytearray | memoryview | str):
        document = _parse_or_refuse(document)
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise CredentialFormatError(_('The key set is not a JSON object with a "keys" list.'))
    keys: dict[str, Ed25519PublicKey] = {}
    for number, entry in enumerate(document["keys"], start=1):
        found = _key_from_jwk(entry, number)
        if found is None:
            continue
        kid, public_key = found
        if kid in keys:
            raise CredentialFormatError(
                _("Two keys in the key set share the key id %(kid)s.") % {"kid": _shown(kid)}
            )
        keys[kid] = public_key
    if not keys:
        raise CredentialFormatError(_("The key set holds no Ed25519 signing key."))
    return keys


def _key_from_jwk(entry: object, number: int) -> tuple[str, Ed25519PublicKey] | None:
    if not isinstance(entry, Mapping):
        raise CredentialFormatError(
            _("Key %(number)s in the key set is not a JSON object.") % {"number": number}
        )
    if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
        return None
    if entry.get("use", "sig") != "sig" or entry.get("alg", "EdDSA") != "EdDSA":
        return None
    if "d" in entry:
        raise CredentialFormatError(
            _('Key %(number)s in the key set holds a private key ("d"); publish public keys only.')
            % {"number": number}
        )
    try:
        public_key = Ed25519PublicKey.from_public_bytes(_b64url_decode(entry.get("x")))
    except (TypeError, ValueError):
        raise CredentialFormatError(
            _(
                'Key %(number)s in the key set has no valid "x": it must be a 32-byte public key '
                "in base64url."
            )
            % {"number": number}
        ) from None
    kid = entry.get("kid", _kid(public_key))
    if not isinstance(kid, str) or not kid:
        raise CredentialFormatError(
            _('Key %(number)s in the key set has a "kid" that is not text.') % {"number": number}
        )
    return kid, public_key


# Signing -------------------------------------------------------------------------------------


def canonical_bytes(claims: Mapping[str, Any]) -> bytes:
    """The exact bytes a proof signs: sorted keys, no spaces, UTF-8.

    Fractions (floats) and non-text keys are refused with TypeError, so every number and key has
    one spelling; anything JSON cannot hold raises TypeError or ValueError.
    """
    _refuse_ambiguous(claims)
    return json.dumps(
        claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _refuse_ambiguous(value: object) -> None:
    # A loop, not recursion: a deep document must not hit the recursion limit here first.
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            raise TypeError("credential claims may not hold fractions (floats)")
        if isinstance(item, Mapping | list | tuple):
            if id(item) in seen:
                continue  # json.dumps reports a real cycle
            seen.add(id(item))
        if isinstance(item, Mapping):
            if not all(isinstance(key, str) for key in item):
                raise TypeError("credential claims may only have text keys")
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)


def sign(claims: Mapping[str, Any], *, key: CredentialKey | None = None) -> dict[str, Any]:
    """The credential document: the claims and an Ed25519 proof over their canonical bytes."""
    return _seal("credential", claims, key)


def sign_revocation_list(
    entries: Iterable[tuple[str, datetime]],
    *,
    issued_at: datetime,
    key: CredentialKey | None = None,
) -> dict[str, Any]:
    """A signed list of revoked credential ids, sorted by id; a repeated id keeps its first date."""
    earliest: dict[str, datetime] = {}
    for credential_id, revoked_at in entries:
        if credential_id not in earliest or revoked_at < earliest[credential_id]:
            earliest[credential_id] = revoked_at
    revocations = {
        "type": REVOCATION_LIST_TYPE,
        "issued_at": _iso(issued_at),
        "revoked": [
            {"id": credential_id, "revoked_at": _iso(earliest[credential_id])}
            for credential_id in sorted(earliest)
        ],
    }
    return _seal("revocations", revocations, key)


def _seal(name: str, payload: Mapping[str, Any], key: CredentialKey | None) -> dict[str, Any]:
    key = key or signing_key()
    if key.private_key is None:
        raise ValueError(f"key {key.kid} is a published key without its private part")
    message = canonical_bytes(payload)
    return {
        name: json.loads(message),  # exactly what was signed: plain JSON values, no tuples
        "proof": {
            "type": PROOF_TYPE,
            "kid": key.kid,
            "signature": _b64url_encode(key.private_key.sign(message)),
        },
    }


def _iso(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError("credential times must carry a time zone")
    return moment.astimezone(UTC).isoformat()


# Verifying -----------------------------------------------------------------------------------


class Verdict(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    TAMPERED = "tampered"


@dataclass(frozen=True)
class Verification:
    """What a check found; ``claims`` is set when the signature held on sound claims."""

    verdict: Verdict
    detail: str
    claims: dict[str, Any] | None = None


class _Broken(Exception):
    """Internal: the document cannot be trusted; ``detail`` says why, in the user's words."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def verify(
    document: Mapping[str, Any] | bytes | str,
    *,
    keys: Mapping[str, Ed25519PublicKey],
    revoked: Collection[str] = (),
    now: datetime | None = None,
) -> Verification:
    """Check a credential document (parsed, or its JSON text); never raises on any document.

    Order: anything malformed or a failed signature is TAMPERED; then a revoked id is REVOKED;
    then a past expiry is EXPIRED; an issue date beyond the clock skew is TAMPERED; else VALID.
    A naive ``now`` is taken as UTC.
    """
    now = now or datetime.now(UTC)
    if now.utcoffset() is None:
        now = now.replace(tzinfo=UTC)
    try:
        claims, kid = _open(
            document,
            "credential",
            keys,
            shape=_('The document is not a signed credential: it needs "credential" and "proof".'),
        )
        credential_id, issued_at, not_before, expires_at = _credential_facts(claims)
        return _judge(
            claims,
            kid=kid,
            revoked=credential_id in revoked,
            issued_at=issued_at,
            not_before=not_before,
            expires_at=expires_at,
            now=now,
        )
    except _Broken as broken:
        return Verification(Verdict.TAMPERED, broken.detail)
    except (TypeError, ValueError, RecursionError, OverflowError):
        # A caller's own mapping can still hide something unreadable; the contract is a verdict.
        return Verification(Verdict.TAMPERED, _("The document could not be read."))


def _judge(
    claims: dict[str, Any],
    *,
    kid: str,
    revoked: bool,
    issued_at: datetime,
    not_before: datetime | None,
    expires_at: datetime,
    now: datetime,
) -> Verification:
    expiry = _shown(claims["expires_at"])
    if revoked:
        detail = _("The signature holds, but the issuer revoked this credential (%(id)s).")
        return Verification(Verdict.REVOKED, detail % {"id": _shown(claims["id"])}, claims)
    if expires_at <= now:
        detail = _("The signature holds, but the credential expired on %(expires_at)s.")
        return Verification(Verdict.EXPIRED, detail % {"expires_at": expiry}, claims)
    starts = max(issued_at, not_before) if not_before else issued_at
    if starts > now + CLOCK_SKEW:
        detail = _(
            "The signature holds, but the credential says it was issued in the future "
            "(%(issued_at)s): it is not valid yet, or a clock is wrong."
        )
        return Verification(Verdict.TAMPERED, detail % {"issued_at": _shown(starts.isoformat())})
    detail = _(
        "The signature holds (key %(kid)s) and the credential is valid until %(expires_at)s."
    )
    return Verification(Verdict.VALID, detail % {"kid": _shown(kid), "expires_at": expiry}, claims)


def _credential_facts(
    claims: dict[str, Any],
) -> tuple[str, datetime, datetime | None, datetime]:
    if claims.get("type") != CREDENTIAL_TYPE:
        raise _Broken(_("The signed document is not a curation credential."))
    credential_id = claims.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise _Broken(_("The credential has no id."))
    issued_at = _instant(claims, "issued_at")
    expires_at = _instant(claims, "expires_at")
    not_before = _instant(claims, "not_before") if "not_before" in claims else None
    return credential_id, issued_at, not_before, expires_at


def _instant(payload: Mapping[str, Any], field: str) -> datetime:
    value = payload.get(field)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise _Broken(
            _("The %(field)s field is missing or is not a date and time with a time zone.")
            % {"field": field}
        )
    return moment


def _open(
    document: object, name: str, keys: Mapping[str, Ed25519PublicKey], *, shape: str
) -> tuple[dict[str, Any], str]:
    """The signed payload under ``name`` and the signing key's id, once the proof holds."""
    if isinstance(document, bytes | bytearray | memoryview | str):
        document = _parse(document)
    if not isinstance(document, Mapping) or set(document) != {name, "proof"}:
        raise _Broken(shape)
    payload, proof = document[name], document["proof"]
    if not isinstance(payload, Mapping):
        raise _Broken(shape)
    if not isinstance(proof, Mapping) or set(proof) != _PROOF_FIELDS:
        raise _Broken(
            _('The proof is missing or incomplete: it needs "type", "kid" and "signature".')
        )
    if proof["type"] != PROOF_TYPE:
        raise _Broken(_("The proof is not an Ed25519 signature."))
    kid = proof["kid"]
    if not isinstance(kid, str) or kid not in keys:
        raise _Broken(
            _("The document was signed with a key this checker does not know (key id %(kid)s).")
            % {"kid": _shown(kid) if isinstance(kid, str) else "?"}
        )
    try:
        signature = _b64url_decode(proof["signature"])
    except (TypeError, ValueError):
        raise _Broken(_("The signature is not valid base64url.")) from None
    if len(signature) != _SIGNATURE_BYTES:
        raise _Broken(_("The signature has the wrong length."))
    try:
        message = canonical_bytes(payload)
    except TypeError:
        raise _Broken(
            _("The signed part holds fractions or values that JSON cannot hold.")
        ) from None
    except (ValueError, RecursionError):
        raise _Broken(_("The document could not be read.")) from None
    try:
        keys[kid].verify(signature, message)
    except InvalidSignature:
        raise _Broken(
            _(
                "The signature does not match: the document was changed after signing, "
                "or signed by someone else."
            )
        ) from None
    return json.loads(message), kid


def _parse(raw: bytes | bytearray | memoryview | str) -> object:
    if not isinstance(raw, str):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise _Broken(_("The document is not UTF-8 text.")) from None
    try:
        return json.loads(raw, parse_float=_refuse_number, parse_constant=_refuse_number)
    except (ValueError, RecursionError):
        # Broken JSON, nesting deeper than the parser goes, or an integer too long to read.
        raise _Broken(_("The document is not readable JSON.")) from None


def _refuse_number(text: str) -> object:
    raise _Broken(
        _("The document holds a fraction or a non-finite number (%(number)s).")
        % {"number": _shown(text)}
    )


def _parse_or_refuse(raw: bytes | bytearray | memoryview | str) -> object:
    try:
        return _parse(raw)
    except _Broken as broken:
        raise CredentialFormatError(broken.detail) from None


# Revocation lists ----------------------------------------------------------------------------


def revoked_ids_from_list(
    document: object, *, keys: Mapping[str, Ed25519PublicKey]
) -> frozenset[str]:
    """The revoked credential ids of a signed revocation list (parsed, or its JSON text).

    Raises CredentialFormatError when the list is malformed or its signature does not hold.
    """
    try:
        payload, _kid = _open(
            document,
            "revocations",
            keys,
            shape=_(
                'The document is not a signed revocation list: it needs "revocations" and "proof".'
            ),
        )
        return _revoked_ids(payload)
    except _Broken as broken:
        raise CredentialFormatError(broken.detail) from None
    except (TypeError, ValueError, RecursionError, OverflowError):
        raise CredentialFormatError(_("The document could not be read.")) from None


def _revoked_ids(payload: dict[str, Any]) -> frozenset[str]:
    if payload.get("type") != REVOCATION_LIST_TYPE:
        raise _Broken(_("The signed document is not a revocation list."))
    _instant(payload, "issued_at")
    entries = payload.get("revoked")
    if not isinstance(entries, list):
        raise _Broken(_('The revocation list has no "revoked" list.'))
    ids = set()
    for number, entry in enumerate(entries, start=1):
        credential_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(credential_id, str) or not credential_id:
            raise _Broken(
                _("Entry %(number)s of the revocation list has no credential id.")
                % {"number": number}
            )
        _instant(entry, "revoked_at")
        ids.add(credential_id)
    return frozenset(ids)


# Small helpers -------------------------------------------------------------------------------


def _kid(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(public_key)).hexdigest()[:16]


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: object) -> bytes:
    """Strict base64url: its alphabet only, no padding, and the one spelling of the bytes.

    The last character carries unused bits; accepting another spelling would let a changed
    signature text still verify.
    """
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64url_encode(data) != text:
        raise ValueError("not the canonical base64url spelling")
    return data


def _key_bytes(value: object) -> bytes:
    """32 key bytes from a setting or a seed: base64url, padding and surrounding spaces allowed."""
    if not isinstance(value, str):
        raise TypeError("a key is base64url text")
    data = _b64url_decode(value.strip().rstrip("="))
    if len(data) != _KEY_BYTES:
        raise ValueError("an Ed25519 key is 32 bytes")
    return data


def _shown(value: object) -> str:
    """Untrusted text made safe to print in a detail: printable, and not too long."""
    text = "".join(c if c.isprintable() else "?" for c in str(value)[: _SHOWN_LIMIT + 1])
    return text if len(text) <= _SHOWN_LIMIT else text[: _SHOWN_LIMIT - 1] + "…"
