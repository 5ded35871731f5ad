"""Webhook-style signatures on the events other systems send (the Standard Webhooks scheme):

    webhook-id: EVENT_ID
    webhook-timestamp: UNIX_SECONDS
    webhook-signature: v1,BASE64(HMAC-SHA256(secret, f"{id}.{timestamp}.{body}"))

The secret is the one ``lifecycle api-key create`` showed for the system (``whsec_…``, its UTF-8
bytes are the HMAC key). A signature is good for 5 minutes either side of the gateway's clock."""

from __future__ import annotations

import base64
import hashlib
import hmac

WINDOW_SECONDS = 300


class SignatureError(Exception):
    pass


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def check(
    secret: str,
    event_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
) -> None:
    """Raises SignatureError (one sentence) unless the headers sign this body, recently."""
    if not (event_id and timestamp and signature):
        raise SignatureError(
            "An event must carry the headers webhook-id, webhook-timestamp and "
            "webhook-signature (engine rule)."
        )
    try:
        stamp = int(timestamp)
    except ValueError:
        raise SignatureError(
            f"webhook-timestamp is '{timestamp[:40]}'; it must be whole seconds since 1970."
        ) from None
    if abs(now - stamp) > WINDOW_SECONDS:
        raise SignatureError(
            f"webhook-timestamp {stamp} is more than {WINDOW_SECONDS // 60} minutes from the "
            "gateway's clock; a signed event is good for 5 minutes (engine rule)."
        )
    expected = sign(secret, event_id, stamp, body)
    offered = signature.split()
    if not any(hmac.compare_digest(expected, s) for s in offered):
        raise SignatureError(
            "webhook-signature does not match the body and timestamp for this system's "
            "signing secret (engine rule)."
        )
