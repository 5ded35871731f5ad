"""The payload codec: sealed with the current key, opened with the key each payload names (so
old histories open after a rotation), and a payload altered or sealed with an unknown key is
refused in one sentence."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload

from lifecycle.errors import LifecycleError
from lifecycle.temporal.codec import (
    CIPHER,
    COMPACT,
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    KeyRing,
    SealedElsewhere,
    ensure_keys,
    key_of,
)

PLAIN = Payload(
    metadata={"encoding": b"json/plain"}, data='{"contact":"王工 13800000000"}'.encode()
)


async def test_a_payload_is_sealed_and_opens_again():
    codec = EncryptionCodec(KeyRing.new())
    [sealed] = await codec.encode([PLAIN])
    assert dict(sealed.metadata) == {"encoding": COMPACT} and key_of(sealed) == "k1"
    assert "王工".encode() not in sealed.data and b"1380000" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [PLAIN]
    [again] = await codec.encode([PLAIN])
    assert again.data != sealed.data  # a fresh nonce each time


async def test_after_rotation_old_payloads_open_and_new_ones_use_the_new_key(tmp_path):
    path = tmp_path / "keys.json"
    old = ensure_keys(path)
    [before] = await EncryptionCodec(old).encode([PLAIN])
    old.rotated().write(path)
    ring = KeyRing.read(path)
    assert ring.current != "k1" and set(ring.keys) == {"k1", ring.current}
    codec = EncryptionCodec(ring)
    [after] = await codec.encode([PLAIN])
    assert key_of(after) == ring.current
    assert await codec.decode([before, after]) == [PLAIN, PLAIN]
    assert await codec.decode([PLAIN]) == [PLAIN]  # written before encryption: read as it is


async def test_an_altered_payload_or_an_unknown_key_is_refused():
    codec = EncryptionCodec(KeyRing.new())
    [sealed] = await codec.encode([PLAIN])
    altered = Payload(
        metadata=sealed.metadata, data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    )
    with pytest.raises(SealedElsewhere, match="codec key 'k1'.* does not open it.* altered"):
        await codec.decode([altered])
    with pytest.raises(SealedElsewhere, match="codec key 'k1', which is not among the keys"):
        await EncryptionCodec(KeyRing({"k9": bytes(32)}, "k9")).decode([sealed])
    with pytest.raises(SealedElsewhere, match="LIFECYCLE_CODEC_KEYS"):  # names the setting
        await EncryptionCodec(KeyRing.new()).decode([sealed])  # another system's k1


def test_a_key_file_is_made_for_its_owner_only_and_a_bad_one_named(tmp_path):
    path = tmp_path / "keys.json"
    ensure_keys(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert ensure_keys(path).keys == KeyRing.read(path).keys  # made once, then read
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"current": "a", "keys": {"a": "c2hvcnQ="}}))
    with pytest.raises(LifecycleError, match="key 'a' is 5 bytes; AES-256 keys are 32 bytes"):
        KeyRing.read(bad)
    bad.write_text("{}")
    with pytest.raises(LifecycleError, match="is not a key file"):
        KeyRing.read(bad)
    with pytest.raises(LifecycleError, match="cannot be read"):
        KeyRing.read(tmp_path / "missing.json")


def first_encoding(ring: KeyRing, payload: Payload) -> Payload:
    """``payload`` as the first encoding sealed it (binary/encrypted: the key id and the cipher in
    the metadata, the whole payload sealed as it is)."""
    nonce = bytes(range(12))
    sealed = AESGCM(ring.keys[ring.current]).encrypt(
        nonce, payload.SerializeToString(), ring.current.encode()
    )
    metadata = {"encoding": ENCODING, KEY_ID: ring.current.encode(), "cipher": CIPHER}
    return Payload(metadata=metadata, data=nonce + sealed)


async def test_payloads_sealed_by_the_first_encoding_still_open():
    ring = KeyRing.new()
    codec = EncryptionCodec(ring)
    old = first_encoding(ring, PLAIN)
    assert key_of(old) == "k1"
    assert await codec.decode([old]) == [PLAIN]
    altered = Payload(metadata=old.metadata, data=old.data[:-1] + bytes([old.data[-1] ^ 1]))
    with pytest.raises(SealedElsewhere, match="does not open it"):
        await codec.decode([altered])


async def test_the_compact_encoding_is_shorter_than_the_first_and_keeps_what_it_cannot_shrink():
    ring = KeyRing.new()
    codec = EncryptionCodec(ring)
    step = Payload(
        metadata={"encoding": b"json/plain"},
        data=json.dumps({
            "action": "begin_review", "actor": "bureau_officer:li", "reason": "", "clause": None,
            "data": {}, "expected_seq": None, "request_id": "r-1", "sent_at": None,
            "assurance": "asserted", "proof": None,
        }, separators=(",", ":")).encode(),
    )  # fmt: skip
    [compact] = await codec.encode([step])
    assert compact.ByteSize() < first_encoding(ring, step).ByteSize() - 150
    noise = Payload(metadata={"encoding": b"binary/plain"}, data=bytes(range(256)) * 2)
    [kept] = await codec.encode([noise])  # deflate would grow it: sealed as it is
    assert kept.ByteSize() <= noise.ByteSize() + 40
    assert await codec.decode([compact, kept]) == [step, noise]


async def test_a_compact_payload_is_bound_to_its_key_id_and_encoding():
    ring = KeyRing({"k1": bytes(32), "k2": bytes(32)}, "k1")
    [sealed] = await EncryptionCodec(ring).encode([PLAIN])
    renamed = Payload(metadata=sealed.metadata, data=bytes([2]) + b"k2" + sealed.data[3:])
    with pytest.raises(SealedElsewhere, match="codec key 'k2'.* does not open it"):
        await EncryptionCodec(ring).decode([renamed])
    as_first = Payload(
        metadata={"encoding": ENCODING, KEY_ID: b"k1", "cipher": CIPHER}, data=sealed.data[3:]
    )
    with pytest.raises(SealedElsewhere, match="does not open it"):
        await EncryptionCodec(ring).decode([as_first])
    tolerant = EncryptionCodec(ring, tolerant=True)
    [marked] = await tolerant.decode([Payload(metadata=sealed.metadata, data=b"")])
    assert marked.metadata["encoding"] != COMPACT  # refused by the case, never a failed task


def _body(codec: EncryptionCodec, sealed: Payload) -> bytes:
    """A compact payload's plaintext body (its flag byte and what was compressed), opened by
    the codec's own decryption, before it decompresses."""
    size = sealed.data[0]
    key_id = sealed.data[1 : 1 + size]
    return codec._decrypt(key_id.decode(), sealed.data[1 + size :], COMPACT + key_id)


def test_the_codec_compresses_as_it_did_when_the_saved_histories_were_sealed():
    """Every payload of the saved sealed histories, sealed again today, is compressed to the
    very bytes it was compressed to then: how the compressor is set up and copied is not part
    of the encoding, and changing it does not change what cases store."""
    from pathlib import Path

    from temporalio.client import WorkflowHistory

    from lifecycle.app.codec import payloads_of

    sealed_dir = Path(__file__).parents[1] / "replay" / "sealed"
    ring = KeyRing.read(sealed_dir / "keys.json")
    codec = EncryptionCodec(ring)
    compared = 0
    for path in sorted(sealed_dir.glob("sealed_z1_*.json")):
        history = WorkflowHistory.from_json(path.stem, path.read_text("utf-8"))
        for event in history.events:
            for found in payloads_of(event):
                if found.metadata.get("encoding") != COMPACT:  # type: ignore[attr-defined]
                    continue
                stored = _body(codec, found)  # type: ignore[arg-type]
                again = _body(codec, codec.seal(codec.open(found)))  # type: ignore[arg-type]
                assert again == stored, path.name
                compared += 1
    assert compared > 50
