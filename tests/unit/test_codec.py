"""The payload codec: sealed with the current key, opened with the key each payload names (so
old histories open after a rotation), and a payload altered or sealed with an unknown key is
refused in one sentence."""

from __future__ import annotations

import json

import pytest
from temporalio.api.common.v1 import Payload

from lifecycle.errors import LifecycleError
from lifecycle.temporal.codec import (
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    KeyRing,
    SealedElsewhere,
    ensure_keys,
)

PLAIN = Payload(
    metadata={"encoding": b"json/plain"}, data='{"contact":"王工 13800000000"}'.encode()
)


async def test_a_payload_is_sealed_and_opens_again():
    codec = EncryptionCodec(KeyRing.new())
    [sealed] = await codec.encode([PLAIN])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID] == b"k1"
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
    assert after.metadata[KEY_ID] == ring.current.encode()
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
