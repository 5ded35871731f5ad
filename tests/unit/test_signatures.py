"""Other systems' events signed as the Standard Webhooks scheme defines, checked by the scheme's
own library: secrets made as the scheme makes them (and kept sealed), events signed by the
reference library and by Svix's accepted, several signatures in one header, a secret rotated with
a grace period in which both verify; forged, altered, stale and unsigned events refused; a secret
issued before (its whole text the key) still verifying."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import standardwebhooks
import svix.webhooks

from lifecycle.app import Invalid, Unauthenticated, keys
from lifecycle.app.events import bound, verify
from lifecycle.app.system import System
from lifecycle.config import Settings

BODY = b'{"event_id": "e1", "case_id": "case:qingdao-2024:r:1", "action": "complain"}'


@pytest.fixture
def system(tmp_path, monkeypatch) -> System:
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    return System(Settings.from_env())


def signed(secret: str, event_id: str = "e1", at: float | None = None, body: bytes = BODY) -> dict:
    stamp = dt.datetime.fromtimestamp(at if at is not None else time.time(), dt.UTC)
    signature = standardwebhooks.Webhook(secret).sign(event_id, stamp, body.decode())
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signature,
    }


def holder(system: System, name: str = "hotline"):
    return system.store.keys.named(name)


def test_a_secret_is_made_as_the_scheme_makes_them_and_kept_sealed(system):
    made = keys.create(system, "hotline", "system")
    assert made.signing_secret.startswith("whsec_") and len(made.signing_secret) == 38
    stored = holder(system).signing_secret
    assert stored.startswith("sealed:k1:") and made.signing_secret not in stored
    verify(system, holder(system), BODY, signed(made.signing_secret))


def test_events_signed_by_the_reference_library_and_by_svix_are_accepted(system):
    secret = keys.create(system, "hotline", "system").signing_secret
    verify(system, holder(system), BODY, signed(secret))
    now = dt.datetime.now(dt.UTC)
    by_svix = svix.webhooks.Webhook(secret).sign("e1", now, BODY.decode())
    headers = {
        "webhook-id": "e1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": by_svix,
    }
    verify(system, holder(system), BODY, headers)
    several = {**headers, "webhook-signature": f"v1,bm90aGluZw== {by_svix}"}
    verify(system, holder(system), BODY, several)  # any one of several signatures


def test_a_rotated_secret_verifies_beside_the_old_one_until_its_grace_ends(system):
    old = keys.create(system, "hotline", "system").signing_secret
    new, until = keys.rotate_secret(system, "hotline", grace_hours=1)
    assert until > dt.datetime.now(dt.UTC) and new != old
    verify(system, holder(system), BODY, signed(new))
    verify(system, holder(system), BODY, signed(old))  # within the grace period
    keys.rotate_secret(system, "hotline", grace_hours=0)  # the grace of the next one: none
    with pytest.raises(Unauthenticated, match="does not match"):
        verify(system, holder(system), BODY, signed(new))


def test_a_secret_issued_before_the_scheme_keeps_verifying_once_sealed(system):
    """Secrets issued before were the text ``whsec_`` + token, the whole text the HMAC key."""
    legacy = "whsec_" + "x" * 43
    keys.create(system, "hotline", "system")
    system.store.keys.set_secret("hotline", legacy, "legacy")
    assert keys.seal_stored(system) == ["hotline"]
    assert holder(system).signing_secret.startswith("sealed:")
    now = dt.datetime.now(dt.UTC)
    raw = standardwebhooks.Webhook(legacy.encode()).sign("e1", now, BODY.decode())
    headers = {"webhook-id": "e1", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": raw}  # fmt: skip
    verify(system, holder(system), BODY, headers)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"secret": "whsec_" + "QUJD" * 8}, "does not match"),
        ({"body": BODY + b" "}, "does not match"),
        ({"event_id": "e2"}, "does not match"),
        # (a stamp is whole seconds: 5 s over, so that one cut off and a slow machine do not
        # bring a stamp in the future back inside the window)
        ({"ago": 305}, "more than 5 minutes"),
        ({"ago": -305}, "more than 5 minutes"),
        ({"stamp": "soon"}, "whole seconds since 1970"),
        ({"drop": "webhook-signature"}, "must carry the headers"),
    ],
)
def test_a_forged_altered_stale_or_unsigned_event_is_refused(system, change, message):
    secret = keys.create(system, "hotline", "system").signing_secret
    headers = signed(
        change.get("secret", secret),
        at=time.time() - change.get("ago", 0),
        body=BODY if "body" not in change else BODY,
    )
    if "event_id" in change:
        headers["webhook-id"] = change["event_id"]
    if "stamp" in change:
        headers["webhook-timestamp"] = change["stamp"]
    headers.pop(change.get("drop", ""), None)
    with pytest.raises(Unauthenticated, match=message):
        verify(system, holder(system), change.get("body", BODY), headers)


def test_a_sealed_secret_opens_for_its_own_holder_only(system):
    keys.create(system, "hotline", "system")
    keys.create(system, "other", "system")
    ring = system.codec.ring
    with pytest.raises(ValueError):
        ring.open_text(holder(system).signing_secret, bound("other"))


def test_a_body_that_is_not_text_is_refused(system):
    secret = keys.create(system, "hotline", "system").signing_secret
    with pytest.raises(Invalid, match="not UTF-8"):
        verify(system, holder(system), b"\xff\xfe", signed(secret))
