"""Signing and checking curation credentials, keys and revocation lists (no database)."""

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from niaga.programs import credentials
from niaga.programs.credentials import CredentialFormatError, CredentialKey, Verdict, Verification

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def make_claims(**changes):
    credential_id = str(uuid.uuid4())
    claims = {
        "type": "NiagaCurationCredential",
        "version": 1,
        "id": credential_id,
        "issuer": {"name": "Niaga", "url": "http://localhost:8000"},
        "subject": {
            "business_id": 12,
            "name": "Kerajinan Bali — Ubud",
            "country": "IN",
            "identifiers": {"gstin": "29ABCDE1234F1Z5"},
        },
        "programme": {
            "slug": "export-ready-2026",
            "name": "निर्यात तैयार 2026",
            "operator": "Ministry of MSME",
        },
        "mentored_by": [{"id": 3, "name": "Rumah Ekspor"}],
        "approved_on": "2026-11-20",
        "issued_at": "2026-11-20T10:00:00+00:00",
        "expires_at": "2027-11-20T10:00:00+00:00",
        "verify_url": f"http://localhost:8000/credentials/{credential_id}/",
    }
    claims.update(changes)
    return claims


def new_key():
    return CredentialKey.from_private(Ed25519PrivateKey.generate())


@pytest.fixture(scope="module")
def key():
    return new_key()


@pytest.fixture(scope="module")
def keys(key):
    return {key.kid: key.public_key}


def check(document, keys, **options):
    return credentials.verify(document, keys=keys, now=options.pop("now", NOW), **options)


# Signing and checking --------------------------------------------------------------------------


def test_a_signed_credential_verifies_as_valid(key, keys):
    claims = make_claims()
    document = credentials.sign(claims, key=key)
    assert document["proof"]["type"] == "Ed25519Signature"
    assert document["proof"]["kid"] == key.kid
    for form in (document, json.dumps(document), json.dumps(document, indent=2).encode()):
        result = check(form, keys)
        assert result.verdict == Verdict.VALID, result.detail
        assert result.claims == claims


def test_the_kid_is_the_start_of_the_public_keys_sha256(key):
    import hashlib

    raw = credentials._raw_public(key.public_key)
    assert key.kid == hashlib.sha256(raw).hexdigest()[:16]


def test_canonical_bytes_sort_keys_without_spaces_and_refuse_fractions():
    assert (
        credentials.canonical_bytes({"b": [1, "é"], "a": True}) == '{"a":true,"b":[1,"é"]}'.encode()
    )
    for claims in ({"amount": 1.5}, {"deep": [{"x": [0.0]}]}, {"nan": float("nan")}):
        with pytest.raises((TypeError, CredentialFormatError)):
            credentials.canonical_bytes(claims)
    with pytest.raises(TypeError):
        credentials.canonical_bytes({1: "not text"})


def serialised(document):
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_changing_any_one_byte_of_the_document_never_verifies(key, keys):
    data = serialised(credentials.sign(make_claims(), key=key))
    signature_at = data.index(b'"signature":"') + len(b'"signature":"')
    claims_at = data.index(b'"name":"Kerajinan')
    positions = set(range(len(data))) | {claims_at + 9, signature_at, len(data) - 3}
    for position in sorted(positions):
        for mask in (0x01, 0x20, 0x80):
            changed = bytearray(data)
            changed[position] ^= mask
            result = check(bytes(changed), keys)
            assert result.verdict == Verdict.TAMPERED, (position, mask, result)


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_no_single_byte_substitution_verifies(key, keys, data):
    document = serialised(credentials.sign(make_claims(), key=key))
    position = data.draw(st.integers(0, len(document) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda value: value != document[position]))
    changed = document[:position] + bytes([byte]) + document[position + 1 :]
    assert check(changed, keys).verdict == Verdict.TAMPERED


def test_the_last_signature_character_has_one_spelling(key, keys):
    document = credentials.sign(make_claims(), key=key)
    signature = document["proof"]["signature"]
    # 64 bytes in 86 characters leave 4 bits unused in the last one: another spelling, same bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    for other in range(last & ~0xF, (last & ~0xF) + 16):
        if other != last:
            twin = copy.deepcopy(document)
            twin["proof"]["signature"] = signature[:-1] + alphabet[other]
            assert check(twin, keys).verdict == Verdict.TAMPERED


def test_a_claim_changed_after_signing_is_tampered(key, keys):
    document = credentials.sign(make_claims(), key=key)
    for change in (
        lambda claims: claims["subject"].update(name="Someone Else"),
        lambda claims: claims.update(expires_at="2099-01-01T00:00:00+00:00"),
        lambda claims: claims["mentored_by"].append({"id": 4, "name": "Extra"}),
        lambda claims: claims.pop("verify_url"),
    ):
        forged = copy.deepcopy(document)
        change(forged["credential"])
        result = check(forged, keys)
        assert result.verdict == Verdict.TAMPERED
        assert result.claims is None
        assert "changed after signing" in result.detail


def test_an_unknown_kid_or_a_stranger_key_is_tampered(key, keys):
    stranger = new_key()
    document = credentials.sign(make_claims(), key=stranger)
    result = check(document, keys)
    assert result.verdict == Verdict.TAMPERED
    assert stranger.kid in result.detail
    # The stranger claims our kid: the signature then fails.
    document["proof"]["kid"] = key.kid
    assert check(document, keys).verdict == Verdict.TAMPERED


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("proof"),
        lambda d: d["proof"].pop("signature"),
        lambda d: d["proof"].update(type="RsaSignature"),
        lambda d: d["proof"].update(signature="not base64!"),
        lambda d: d["proof"].update(signature=d["proof"]["signature"][:-4]),
        lambda d: d["proof"].update(signature=12),
        lambda d: d["proof"].update(kid=["a"]),
        lambda d: d.update(extra="unsigned"),
        lambda d: d["credential"].update(amount=1.5),
    ],
)
def test_malformed_documents_are_tampered(key, keys, damage):
    document = credentials.sign(make_claims(), key=key)
    damage(document)
    result = check(document, keys)
    assert result.verdict == Verdict.TAMPERED
    assert result.detail


def test_a_revoked_credential_is_revoked(key, keys):
    claims = make_claims()
    document = credentials.sign(claims, key=key)
    result = check(document, keys, revoked={claims["id"], "something-else"})
    assert result.verdict == Verdict.REVOKED
    assert result.claims == claims


def test_revocation_outranks_expiry(key, keys):
    claims = make_claims(expires_at="2027-01-01T00:00:00+00:00")
    document = credentials.sign(claims, key=key)
    assert check(document, keys, revoked=[claims["id"]]).verdict == Verdict.REVOKED


def test_an_expired_credential_is_expired(key, keys):
    document = credentials.sign(make_claims(), key=key)
    assert check(document, keys, now=datetime(2027, 11, 20, 10, tzinfo=UTC)).verdict == "expired"
    assert check(document, keys, now=datetime(2027, 11, 20, 9, 59, tzinfo=UTC)).verdict == "valid"
    # The offset is honoured: 15:29 in India is 09:59 UTC.
    india = datetime.fromisoformat("2027-11-20T15:29:00+05:30")
    assert check(document, keys, now=india).verdict == Verdict.VALID


def test_a_credential_issued_in_the_future_is_tampered(key, keys):
    document = credentials.sign(make_claims(issued_at="2027-03-01T12:04:00+00:00"), key=key)
    assert check(document, keys).verdict == Verdict.VALID  # within the clock skew
    document = credentials.sign(make_claims(issued_at="2027-03-01T12:06:00+00:00"), key=key)
    result = check(document, keys)
    assert result.verdict == Verdict.TAMPERED
    assert "issued in the future" in result.detail


def test_signed_claims_of_the_wrong_kind_are_tampered(key, keys):
    for claims in (
        make_claims(type="SomethingElse"),
        make_claims(expires_at="next year"),
        make_claims(expires_at="2027-11-20T10:00:00"),  # no time zone
        {key: value for key, value in make_claims().items() if key != "id"},
    ):
        assert check(credentials.sign(claims, key=key), keys).verdict == Verdict.TAMPERED


def json_trees(scalars):
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=30,
    )


json_values = json_trees(st.none() | st.booleans() | st.integers() | st.floats() | st.text())
whole_json_values = json_trees(st.none() | st.booleans() | st.integers() | st.text())


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values)
def test_any_json_value_gives_a_verification(keys, value):
    for document in (value, {"credential": value, "proof": value}):
        assert check(document, keys).verdict == Verdict.TAMPERED
        text = json.dumps(document)
        assert isinstance(check(text, keys), Verification)
        assert check(text, keys).verdict == Verdict.TAMPERED


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=2000))
def test_any_bytes_give_a_verification(keys, raw):
    assert check(raw, keys).verdict == Verdict.TAMPERED


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=st.dictionaries(st.text(max_size=8), whole_json_values, max_size=6))
def test_any_signed_claims_give_a_verification(key, keys, claims):
    document = credentials.sign(claims, key=key)
    assert document["credential"] == claims
    for form in (document, json.dumps(document)):
        assert isinstance(check(form, keys), Verification)


def test_deep_nesting_huge_numbers_and_odd_inputs_give_a_verification(key, keys):
    deep: list = []
    cursor = deep
    for _ in range(5000):
        cursor.append([])
        cursor = cursor[0]
    odd_inputs = [
        "[" * 100_000,
        b"{" * 100_000,
        '{"credential": {"n": ' + "9" * 10_000 + '}, "proof": {}}',
        "\ufeff{}",
        b"\xff\xfe{\x00}\x00",
        '{"credential": {"x": NaN}, "proof": {}}',
        '{"a": "\\ud800"}',
        {
            "credential": {"deep": deep},
            "proof": {"type": "Ed25519Signature", "kid": key.kid, "signature": "A" * 86},
        },
        {
            "credential": {"when": datetime.now(UTC)},
            "proof": {"type": "Ed25519Signature", "kid": key.kid, "signature": "A" * 86},
        },
        "",
        b"",
        "null",
        None,
        42,
    ]
    for document in odd_inputs:
        result = check(document, keys)
        assert result.verdict == Verdict.TAMPERED, document if len(str(document)) < 100 else ""


# Keys ----------------------------------------------------------------------------------------


def test_key_set_round_trip_and_published_keys_lack_private_parts(settings):
    retired = new_key()
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = credentials.new_seed()
    settings.NIAGA_CREDENTIAL_RETIRED_KEYS = [retired.public_text]
    published = credentials.published_keys()
    assert [key.kid for key in published] == [credentials.signing_key().kid, retired.kid]
    assert all(key.private_key is None for key in published)
    document = credentials.key_set()
    assert document["keys"][0] == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": published[0].public_text,
        "kid": published[0].kid,
        "use": "sig",
        "alg": "EdDSA",
    }
    for form in (document, json.dumps(document), json.dumps(document).encode()):
        keys = credentials.keys_from_key_set(form)
        assert set(keys) == {key.kid for key in published}
        assert credentials.CredentialKey.from_public(keys[retired.kid]).kid == retired.kid


def test_retired_keys_still_verify(settings):
    old = credentials.key_from_seed(credentials.new_seed())
    claims = make_claims()
    document = credentials.sign(claims, key=old)
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = credentials.new_seed()
    settings.NIAGA_CREDENTIAL_RETIRED_KEYS = [old.public_text]
    keys = credentials.keys_from_key_set(credentials.key_set())
    assert credentials.signing_key().kid != old.kid
    assert check(document, keys).verdict == Verdict.VALID
    settings.NIAGA_CREDENTIAL_RETIRED_KEYS = []
    keys = credentials.keys_from_key_set(credentials.key_set())
    assert check(document, keys).verdict == Verdict.TAMPERED


def test_a_key_from_settings_changes_the_kid(settings):
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = ""
    derived = credentials.signing_key()
    assert credentials.signing_key() == derived  # stable
    seed = credentials.new_seed()
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = seed
    configured = credentials.signing_key()
    assert configured.kid != derived.kid
    assert configured.kid == credentials.key_from_seed(seed).kid
    assert configured.private_key is not None
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = ""
    settings.SECRET_KEY = "another-development-secret-" + "x" * 40
    assert credentials.signing_key().kid not in {derived.kid, configured.kid}


def test_a_signature_from_the_settings_key_verifies_with_the_key_set(settings):
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = credentials.new_seed()
    document = credentials.sign(make_claims())
    assert document["proof"]["kid"] == credentials.signing_key().kid
    keys = credentials.keys_from_key_set(credentials.key_set())
    assert check(document, keys).verdict == Verdict.VALID


@pytest.mark.parametrize("value", ["not base64!", "c2hvcnQ", "A" * 44, "=" * 43])
def test_a_malformed_signing_key_names_the_setting(settings, value):
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = value
    with pytest.raises(ImproperlyConfigured, match="NIAGA_CREDENTIAL_SIGNING_KEY"):
        credentials.signing_key()


def test_production_refuses_a_derived_key(settings):
    settings.NIAGA_CREDENTIAL_SIGNING_KEY = ""
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="NIAGA_CREDENTIAL_SIGNING_KEY"):
        credentials.signing_key()


def test_a_malformed_retired_key_names_the_setting(settings):
    settings.NIAGA_CREDENTIAL_RETIRED_KEYS = ["nope"]
    with pytest.raises(ImproperlyConfigured, match="NIAGA_CREDENTIAL_RETIRED_KEYS"):
        credentials.published_keys()


def test_a_published_key_cannot_sign(key):
    with pytest.raises(ValueError, match="private"):
        credentials.sign(make_claims(), key=key.published())


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        "not json",
        {"keys": "x"},
        {"keys": []},
        {"keys": [1]},
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "short"}]},
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "A" * 43}]},
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "kid": 5}]},
        {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]},
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "kid": "k"}] * 2},
    ],
)
def test_malformed_key_sets_are_refused(document):
    with pytest.raises(CredentialFormatError) as refused:
        credentials.keys_from_key_set(document)
    assert refused.value.code == "credential_format"
    assert refused.value.status == 422
    assert refused.value.message


def test_keys_of_other_kinds_are_skipped(key):
    document = {
        "keys": [
            {"kty": "RSA", "n": "x", "e": "AQAB"},
            {"kty": "OKP", "crv": "X25519", "x": key.public_text},
            {"kty": "OKP", "crv": "Ed25519", "x": key.public_text},
        ]
    }
    assert list(credentials.keys_from_key_set(document)) == [key.kid]


def test_new_seeds_are_fresh_and_load():
    first, second = credentials.new_seed(), credentials.new_seed()
    assert first != second and len(first) == 43
    assert credentials.key_from_seed(first).kid != credentials.key_from_seed(second).kid


# Revocation lists ----------------------------------------------------------------------------


def test_revocation_list_round_trip(key, keys):
    revoked_at = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
    document = credentials.sign_revocation_list(
        [("b-id", revoked_at), ("a-id", revoked_at + timedelta(days=1)), ("b-id", NOW)],
        issued_at=NOW,
        key=key,
    )
    payload = document["revocations"]
    assert payload["type"] == "NiagaRevocationList"
    assert payload["issued_at"] == "2027-03-01T12:00:00+00:00"
    assert [entry["id"] for entry in payload["revoked"]] == ["a-id", "b-id"]
    assert payload["revoked"][1]["revoked_at"] == "2027-01-05T09:30:00+00:00"
    assert document["proof"]["kid"] == key.kid
    for form in (document, json.dumps(document), serialised(document)):
        assert credentials.revoked_ids_from_list(form, keys=keys) == {"a-id", "b-id"}
    empty = credentials.sign_revocation_list([], issued_at=NOW, key=key)
    assert credentials.revoked_ids_from_list(empty, keys=keys) == frozenset()


def test_a_tampered_revocation_list_is_refused(key, keys):
    document = credentials.sign_revocation_list(
        [("a-id", NOW), ("b-id", NOW)], issued_at=NOW, key=key
    )
    dropped = copy.deepcopy(document)
    dropped["revocations"]["revoked"].pop()  # hiding a revocation
    stranger = credentials.sign_revocation_list([], issued_at=NOW, key=new_key())
    data = serialised(document)
    for bad in (dropped, stranger, {"revocations": {}}, [], "garbage", data[:-1], data + b"x"):
        with pytest.raises(CredentialFormatError):
            credentials.revoked_ids_from_list(bad, keys=keys)
    for position in range(0, len(data), 7):
        changed = bytearray(data)
        changed[position] ^= 0x01
        with pytest.raises(CredentialFormatError):
            credentials.revoked_ids_from_list(bytes(changed), keys=keys)


def test_lists_and_credentials_cannot_stand_in_for_each_other(key, keys):
    listing = credentials.sign_revocation_list([], issued_at=NOW, key=key)
    disguised = {"credential": listing["revocations"], "proof": listing["proof"]}
    assert check(disguised, keys).verdict == Verdict.TAMPERED
    credential = credentials.sign(make_claims(), key=key)
    disguised = {"revocations": credential["credential"], "proof": credential["proof"]}
    with pytest.raises(CredentialFormatError):
        credentials.revoked_ids_from_list(disguised, keys=keys)


def test_revocation_times_need_a_time_zone(key):
    with pytest.raises(ValueError):
        credentials.sign_revocation_list([], issued_at=datetime(2027, 1, 1), key=key)
