"""Webhook signatures on other systems' events: good within 5 minutes, refused when the body,
the id, the secret or the time is not the one signed."""

from __future__ import annotations

import pytest

from lifecycle.gateway.signatures import SignatureError, check, sign

SECRET, BODY, NOW = "whsec_test", b'{"event_id":"e1"}', 1_800_000_000


def test_a_signed_event_passes_within_five_minutes():
    for stamp in (NOW, NOW - 300, NOW + 300):
        check(SECRET, "e1", str(stamp), sign(SECRET, "e1", stamp, BODY), BODY, NOW)
    rotated = f"v1,bm90aGluZw== {sign(SECRET, 'e1', NOW, BODY)}"  # several signatures: any one
    check(SECRET, "e1", str(NOW), rotated, BODY, NOW)


@pytest.mark.parametrize(
    ("event_id", "stamp", "signature", "body", "message"),
    [
        ("e1", NOW, sign("whsec_other", "e1", NOW, BODY), BODY, "does not match"),
        ("e1", NOW, sign(SECRET, "e1", NOW, BODY), BODY + b" ", "does not match"),
        ("e2", NOW, sign(SECRET, "e1", NOW, BODY), BODY, "does not match"),
        ("e1", NOW - 301, sign(SECRET, "e1", NOW - 301, BODY), BODY, "more than 5 minutes"),
        ("e1", NOW + 301, sign(SECRET, "e1", NOW + 301, BODY), BODY, "more than 5 minutes"),
        ("e1", "soon", "v1,x", BODY, "whole seconds since 1970"),
        (None, NOW, "v1,x", BODY, "must carry the headers"),
    ],
)
def test_a_forged_stale_or_unsigned_event_is_refused(event_id, stamp, signature, body, message):
    with pytest.raises(SignatureError, match=message):
        check(SECRET, event_id, str(stamp), signature, body, NOW)
