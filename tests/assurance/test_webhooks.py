import contextlib
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from niaga.assurance.webhooks import HEADER, PaymentEvent, WebhookRejected, sign, verify
from niaga.core.money import Money

SECRET = "whsec_test_5f2c1a9e"
NOW = 1763900000


def body_of(**changes) -> bytes:
    event = {
        "id": "evt_1QabcXYZ",
        "type": "payment.succeeded",
        "created": 1763899990,
        "data": {
            "amount_minor": 123456,
            "currency": "USD",
            "reference": "RF59NGA0001234M1",
            "payer": "Harbor Foods LLC",
        },
    }
    data = changes.pop("data", {})
    if isinstance(data, dict):
        event["data"].update(data)
    else:
        event["data"] = data
    event.update(changes)
    return json.dumps(event).encode()


def signed(body: bytes, *, timestamp: int = NOW, secret: str = SECRET) -> str:
    return sign(body, secret=secret, timestamp=timestamp)


def rejected(body: bytes, header: str | None, *, now: int = NOW) -> WebhookRejected:
    with pytest.raises(WebhookRejected) as caught:
        verify(body, header, secret=SECRET, now=now)
    assert caught.value.code == "webhook_rejected"
    assert caught.value.status == 400
    return caught.value


# -- signing -------------------------------------------------------------------------------------


def test_the_header_is_stripe_style():
    body = body_of()
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert signed(body) == f"t={NOW},v1={expected}"
    assert HEADER == "Niaga-Signature"


def test_a_valid_signature_gives_the_event():
    body = body_of()
    event = verify(body, signed(body), secret=SECRET, now=NOW)
    assert event == PaymentEvent(
        event_id="evt_1QabcXYZ",
        type="payment.succeeded",
        amount=Money(123456, "USD"),
        reference="RF59NGA0001234M1",
        payer="Harbor Foods LLC",
        occurred_at=datetime(2025, 11, 23, 12, 13, 10, tzinfo=UTC),
    )


def test_a_refund_event():
    body = body_of(type="payment.refunded")
    assert verify(body, signed(body), secret=SECRET, now=NOW).type == "payment.refunded"


def test_any_of_several_v1_signatures_may_match():
    # While the secret is rolled over the provider signs with the old and the new one.
    body = body_of()
    old = signed(body, secret="whsec_old").split("v1=")[1]
    new = signed(body).split("v1=")[1]
    header = f"t={NOW},v1={old},v1={new},v0=deadbeef"
    assert verify(body, header, secret=SECRET, now=NOW).event_id == "evt_1QabcXYZ"
    assert verify(body, header.replace(",", ", "), secret=SECRET, now=NOW)
    assert verify(body, header.upper().replace("T=", "t=").replace("V1=", "v1="),
                  secret=SECRET, now=NOW)  # fmt: skip


def test_timestamps_within_the_tolerance_either_way_pass():
    body = body_of()
    assert verify(body, signed(body, timestamp=NOW - 300), secret=SECRET, now=NOW)
    assert verify(body, signed(body, timestamp=NOW + 300), secret=SECRET, now=NOW)
    assert verify(body, signed(body, timestamp=NOW - 30), secret=SECRET, now=NOW, tolerance=60)


def test_an_empty_secret_is_a_configuration_error():
    with pytest.raises(ValueError, match="secret"):
        sign(b"{}", secret="", timestamp=NOW)
    with pytest.raises(ValueError, match="secret"):
        verify(b"{}", f"t={NOW},v1={'0' * 64}", secret="", now=NOW)


# -- refusals ------------------------------------------------------------------------------------


def test_wrong_secret():
    body = body_of()
    error = rejected(body, signed(body, secret="whsec_someone_else"))
    assert "signature does not match" in error.message
    assert error.field == "header"


def test_tampered_body_one_byte():
    body = body_of()
    header = signed(body)
    tampered = body.replace(b"123456", b"923456")
    assert len(tampered) == len(body) and tampered != body
    assert "signature does not match" in rejected(tampered, header).message


@pytest.mark.parametrize("position", [0, 10, 57, -2])
def test_any_flipped_byte_is_caught(position):
    body = bytearray(body_of())
    header = signed(bytes(body))
    body[position] ^= 0x01
    rejected(bytes(body), header)


def test_an_old_timestamp_is_refused():
    body = body_of()
    error = rejected(body, signed(body, timestamp=NOW - 301))
    assert "301 seconds ago" in error.message
    assert error.params["timestamp"] == NOW - 301


def test_a_future_timestamp_is_refused():
    body = body_of()
    error = rejected(body, signed(body, timestamp=NOW + 3600))
    assert "3600 seconds in the future" in error.message


def test_a_replay_of_the_same_signed_request_outside_the_tolerance_is_refused():
    body = body_of()
    header = signed(body, timestamp=NOW)
    assert verify(body, header, secret=SECRET, now=NOW + 10)  # delivered in time
    error = rejected(body, header, now=NOW + 301)  # the captured request, sent again later
    assert "may be a replay" in error.message


def test_a_timestamp_changed_to_look_fresh_breaks_the_signature():
    body = body_of()
    header = signed(body, timestamp=NOW - 3600).replace(f"t={NOW - 3600}", f"t={NOW}")
    assert "signature does not match" in rejected(body, header).message


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        (None, "has no Niaga-Signature header"),
        ("", "has no Niaga-Signature header"),
        ("   ", "has no Niaga-Signature header"),
        ("garbage", "malformed"),
        (f"v1={'0' * 64}", "malformed"),
        (f"t=,v1={'0' * 64}", "malformed"),
        (f"t=-5,v1={'0' * 64}", "malformed"),
        (f"t=1.5,v1={'0' * 64}", "malformed"),
        (f"t=１２３,v1={'0' * 64}", "malformed"),
        (f"t={NOW},t={NOW},v1={'0' * 64}", "malformed"),
        (f"t=99999999999999999999,v1={'0' * 64}", "malformed"),
        (f"t={NOW}", "no v1 signature"),
        (f"t={NOW},v0=abc", "no v1 signature"),
        (f"t={NOW},v1=not-hex", "signature does not match"),
        (f"t={NOW},v1=é{'0' * 63}", "signature does not match"),
        ("t=1," + "x" * 5000, "too long"),
    ],
)
def test_missing_and_malformed_headers(header, needle):
    error = rejected(body_of(), header)
    assert needle in error.message
    assert error.field == "header"


@pytest.mark.parametrize(
    ("body", "field", "needle"),
    [
        (b"not json", "body", "not JSON"),
        (b"\xff\xfe\x00", "body", "not JSON"),
        (b"[1, 2]", "body", "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "not JSON"),
        (body_of(id=""), "id", "non-empty text"),
        (body_of(id=7), "id", "non-empty text"),
        (body_of(id="e" * 256), "id", "longer than 255"),
        (body_of(type="charge.succeeded"), "type", "payment.refunded, payment.succeeded"),
        (body_of(created="1763899990"), "created", "Unix time"),
        (body_of(created=True), "created", "Unix time"),
        (body_of(created=-1), "created", "Unix time"),
        (body_of(created=10**15), "created", "Unix time"),
        (body_of(data=None), "data", "must be an object"),
        (body_of(data={"amount_minor": 0}), "data.amount_minor", "positive whole number"),
        (body_of(data={"amount_minor": -100}), "data.amount_minor", "positive whole number"),
        (body_of(data={"amount_minor": 1234.5}), "data.amount_minor", "positive whole number"),
        (body_of(data={"amount_minor": 1234.0}), "data.amount_minor", "positive whole number"),
        (body_of(data={"amount_minor": True}), "data.amount_minor", "positive whole number"),
        (body_of(data={"amount_minor": "1234"}), "data.amount_minor", "positive whole number"),
        (body_of(data={"currency": "XYZ"}), "data.currency", "ISO 4217"),
        (body_of(data={"currency": 840}), "data.currency", "ISO 4217"),
        (body_of(data={"reference": ""}), "data.reference", "non-empty text"),
        (body_of(data={"reference": None}), "data.reference", "non-empty text"),
        (body_of(data={"payer": ["x"]}), "data.payer", "non-empty text"),
    ],
)
def test_bodies_of_the_wrong_shape_are_refused(body, field, needle):
    error = rejected(body, signed(body))
    assert needle in error.message
    assert error.field == field


def test_a_body_without_data_key_is_refused():
    body = json.dumps({"id": "evt_1", "type": "payment.succeeded", "created": NOW}).encode()
    assert rejected(body, signed(body)).field == "data"


def test_a_missing_payer_is_an_empty_name():
    event = json.loads(body_of())
    del event["data"]["payer"]
    body = json.dumps(event).encode()
    assert verify(body, signed(body), secret=SECRET, now=NOW).payer == ""


def test_a_huge_body_is_refused_before_hashing():
    body = b" " * (300 * 1024) + body_of()
    assert "too large" in rejected(body, signed(body)).message


@given(st.binary(max_size=300), st.text(max_size=120), st.integers())
def test_verify_never_raises_anything_but_webhook_rejected(body, header, now):
    with contextlib.suppress(WebhookRejected):
        verify(body, header, secret=SECRET, now=now)


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=2**36))
def test_a_signed_body_verifies_only_when_it_is_a_good_event(body, timestamp):
    try:
        event = verify(body, signed(body, timestamp=timestamp), secret=SECRET, now=timestamp)
    except WebhookRejected as error:
        assert error.field in {"body", "id", "type", "created", "data"} or error.field.startswith(
            "data."
        )
    else:
        assert event.amount.is_positive()
