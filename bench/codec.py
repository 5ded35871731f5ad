"""The codec's encodings weighed on the saved histories (tests/replay): every payload a case
wrote, sealed as the first encoding sealed it and as the codec seals it now.
``python -m bench.codec`` prints the figures as JSON; ``make bench`` reports them."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory

try:
    from lifecycle.app.codec import payloads_of
except ImportError:  # an earlier commit's engine (make bench-at)
    from lifecycle.app.codec import _payloads as payloads_of  # type: ignore[attr-defined,no-redef]
from lifecycle.temporal.codec import CIPHER, ENCODING, KEY_ID, NONCE, EncryptionCodec, KeyRing

HISTORIES = Path(__file__).resolve().parents[1] / "tests" / "replay"


def first_encoding(ring: KeyRing, payload: Payload) -> Payload:
    nonce = os.urandom(NONCE)
    key = ring.current.encode()
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, payload.SerializeToString(), key)
    return Payload(
        metadata={"encoding": ENCODING, KEY_ID: key, "cipher": CIPHER}, data=nonce + sealed
    )


def measure(paths: list[Path] | None = None) -> dict[str, float]:
    ring = KeyRing.new()
    codec = EncryptionCodec(ring)
    paths = paths or sorted(HISTORIES.glob("v*.json"))
    plain = first = compact = count = 0
    kept: list[Payload] = []
    for path in paths:
        history = WorkflowHistory.from_json(path.stem, path.read_text("utf-8"))
        for event in history.events:
            for found in payloads_of(event):  # search attributes left out: never sealed
                payload = cast(Payload, found)
                if not payload.data or payload.metadata.get("encoding") != b"json/plain":
                    continue
                sealed = codec.seal(payload)
                assert codec.open(sealed) == payload
                kept.append(payload)
                count += 1
                plain += payload.ByteSize()
                first += first_encoding(ring, payload).ByteSize()
                compact += sealed.ByteSize()
    seal, opened = _cpu_each(codec, kept)
    return {
        "histories": len(paths),
        "payloads": count,
        "plain_bytes": plain,
        "first_encoding_bytes": first,
        "compact_bytes": compact,
        "compact_over_first": round(compact / first, 3) if first else 0.0,
        "cpu_us_per_seal": round(seal * 1e6, 1),
        "cpu_us_per_open": round(opened * 1e6, 1),
    }


def _cpu_each(
    codec: EncryptionCodec, payloads: list[Payload], rounds: int = 5
) -> tuple[float, float]:
    """CPU seconds to seal one of ``payloads``, and to open one, as the codec does (the least
    of ``rounds``: a busy moment of the machine falls on one round, not the figure)."""
    if not payloads:
        return 0.0, 0.0
    sealed = [codec.seal(p) for p in payloads]
    seal = opened = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for p in payloads:
            codec.seal(p)
        seal = min(seal, (time.process_time() - began) / len(payloads))
        began = time.process_time()
        for p in sealed:
            codec.open(p)
        opened = min(opened, (time.process_time() - began) / len(sealed))
    return seal, opened


if __name__ == "__main__":
    print(json.dumps(measure([Path(p) for p in sys.argv[1:]] or None), indent=2))
