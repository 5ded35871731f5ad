"""Case data encrypted at rest in Temporal: a payload codec (AES-256-GCM) over every workflow and
activity payload, so histories, the Web UI and the server's database hold ciphertext only.

Keys live in a JSON file (``LIFECYCLE_CODEC_KEYS``, by default ``var/codec-keys.json``)::

    {"current": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "…"}}

Each payload carries the id of the key that sealed it, so rotating (a new key made current, the
old ones kept) never re-encrypts old histories: they open with their own key.

Two encodings, named in each payload's metadata; every payload either wrote opens:

- ``sealed/z1`` (what the codec writes): the payload compressed with the shipped preset
  dictionary ``z1`` (deflate, kept raw when that is shorter), then sealed; the envelope is the
  encoding's name and, in the data, the key id's length, the key id and the nonce.
- ``binary/encrypted`` (the first): the payload sealed as it is, the key id and the cipher's name
  in the metadata.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from lifecycle.errors import Misconfigured
from lifecycle.temporal.dictionary import dictionary
from lifecycle.temporal.payloads import UNOPENABLE, UNOPENABLE_REASON

ENCODING = b"binary/encrypted"  # the first encoding: opened, no longer written
KEY_ID = "encryption-key-id"
CIPHER = b"AES-256-GCM"
NONCE = 12
SEALED = "sealed:"
COMPACT = b"sealed/z1"  # compressed with the dictionary z1, then sealed
SEAL_ENCODING = COMPACT  # what new payloads are sealed with
ENCODINGS = (COMPACT, ENCODING)  # every encoding the codec opens
RAW, DEFLATED = 0, 1  # the first byte of a compact payload's plaintext
# The compressor's memory level: 7 (zlib's default 8, its most 9) makes its tables a quarter of
# the most, so a primed compressor is copied quicker; the saved sealed histories' payloads come
# out byte for byte as they were sealed (a unit test compares them). Any level opens alike.
MEMORY = 7


@cache
def _primed(name: str) -> Any:
    """A compressor with the dictionary ``name`` set, never used itself: each payload is packed
    by a copy of it, which costs half of setting the dictionary (27 KiB) for every payload."""
    return zlib.compressobj(9, zlib.DEFLATED, -15, MEMORY, zdict=dictionary(name))


class KeyRing:
    """The keys a codec may open payloads with, and the one it seals new payloads with."""

    def __init__(self, keys: dict[str, bytes], current: str, source: Path | None = None) -> None:
        if current not in keys:
            raise Misconfigured(f"codec keys: the current key '{current}' is not among the keys.")
        for key_id, key in keys.items():
            if len(key) != 32:
                raise Misconfigured(
                    f"codec keys: key '{key_id}' is {len(key)} bytes; AES-256 keys are 32 bytes "
                    "(engine rule)."
                )
        self.keys, self.current = dict(keys), current
        self.source = source  # the file the keys were read from (named when they do not fit)

    @classmethod
    def read(cls, path: Path, setting: str = "LIFECYCLE_CODEC_KEYS") -> KeyRing:
        """``setting``: the setting that names the file (a sentence names it)."""
        try:
            raw = json.loads(path.read_text("utf-8"))
            keys = {str(k): base64.b64decode(v, validate=True) for k, v in raw["keys"].items()}
            return cls(keys, str(raw["current"]), path)
        except OSError as exc:
            raise Misconfigured(
                f"{setting} file '{path}' cannot be read ({exc.strerror})."
            ) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Misconfigured(
                f"{setting} file '{path}' is not a key file: it must be JSON "
                '{"current": ID, "keys": {ID: base64 of 32 bytes, …}} (engine rule).'
            ) from exc

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {
                "current": self.current,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
            },
            indent=2,
        )
        temp = path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(temp, path)

    def rotated(self) -> KeyRing:
        """A ring with a new current key; every old key stays to open old histories."""
        key_id = f"k{len(self.keys) + 1}-{secrets.token_hex(3)}"
        return KeyRing({**self.keys, key_id: AESGCM.generate_key(256)}, key_id)

    def seal_text(self, text: str, bound_to: str) -> str:
        """``text`` sealed with the current key, bound to ``bound_to`` (a sealed text moved to
        another row does not open): ``sealed:KEY_ID:BASE64``."""
        nonce = os.urandom(NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, text.encode(), bound_to.encode())
        return f"{SEALED}{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    def open_text(self, stored: str, bound_to: str) -> str:
        """What ``seal_text`` sealed; a text written before it was sealed is read as it is."""
        if not stored.startswith(SEALED):
            return stored
        key_id, _, data = stored[len(SEALED) :].partition(":")
        if key_id not in self.keys:
            raise SealedElsewhere(self, key_id, "is not among them")
        raw = base64.b64decode(data)
        try:
            plain = AESGCM(self.keys[key_id]).decrypt(raw[:NONCE], raw[NONCE:], bound_to.encode())
        except InvalidTag as exc:
            raise SealedElsewhere(self, key_id, "does not open it") from exc
        return plain.decode()

    @classmethod
    def new(cls) -> KeyRing:
        return cls({"k1": AESGCM.generate_key(256)}, "k1")


def ensure_keys(path: Path, setting: str = "LIFECYCLE_CODEC_KEYS") -> KeyRing:
    """The ring in ``path``, made (readable by its owner only) if there is none yet; processes
    starting at once (a worker and a gateway) all end up with the one ring made first."""
    if not path.exists():
        made = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        KeyRing.new().write(made)
        try:
            os.link(made, path)  # fails if another process made it meanwhile: theirs is kept
        except FileExistsError:
            pass
        finally:
            made.unlink(missing_ok=True)
    return KeyRing.read(path, setting)


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM per payload; the key id and the cipher are in the payload's metadata (in the
    clear), the whole original payload (metadata and data) is sealed.

    A ``tolerant`` codec (the worker's) never fails on a payload it cannot open: anyone who
    reaches Temporal's port can send a case a payload that claims to be sealed, and failing the
    case's workflow task on it would stop the case for good. It hands the case the payload's
    bytes marked unopenable, with the reason, and the case refuses that input in one sentence
    (its typed inputs such as activity results still fail the task, so a worker with the wrong
    keys retries rather than deciding anything). A person's command and the gateway decode
    strictly: the sentence there says which keys do not fit."""

    def __init__(self, ring: KeyRing, tolerant: bool = False) -> None:
        self.ring = ring
        self.tolerant = tolerant
        self._ciphers = {k: AESGCM(v) for k, v in ring.keys.items()}
        self._current = ring.current.encode()
        if len(self._current) > 255:
            raise Misconfigured(
                f"codec keys: key id '{ring.current[:40]}…' is longer than 255 bytes (engine rule)."
            )

    def for_worker(self) -> EncryptionCodec:
        return EncryptionCodec(self.ring, tolerant=True)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if not self.tolerant:
            return [self.open(p) for p in payloads]
        return [self._open_or_mark(p) for p in payloads]

    def _open_or_mark(self, payload: Payload) -> Payload:
        try:
            return self.open(payload)
        except SealedElsewhere as exc:
            reason = (
                f"it claims to be sealed with codec key '{exc.key_id[:40]}', which "
                f"{exc.what} (engine rule: a case takes only what this system sealed)"
            )
        except Exception as exc:  # not a payload at all once opened
            reason = f"it opens to no payload ({type(exc).__name__}; engine rule)"
        return Payload(
            metadata={"encoding": UNOPENABLE, UNOPENABLE_REASON: reason.encode()},
            data=payload.data,
        )

    def seal(self, payload: Payload) -> Payload:
        """``payload`` compressed with the dictionary when that is shorter, then sealed."""
        plain = payload.SerializeToString()
        packer = _primed("z1").copy()
        packed = packer.compress(plain) + packer.flush()
        body = bytes([DEFLATED]) + packed if len(packed) < len(plain) else bytes([RAW]) + plain
        nonce = os.urandom(NONCE)
        key_id = self._current
        sealed = self._ciphers[self.ring.current].encrypt(nonce, body, COMPACT + key_id)
        return Payload(
            metadata={"encoding": COMPACT},
            data=bytes([len(key_id)]) + key_id + nonce + sealed,
        )

    def open(self, payload: Payload) -> Payload:
        encoding = payload.metadata.get("encoding")
        if encoding == COMPACT:
            return self._open_compact(payload.data)
        if encoding != ENCODING:
            return payload  # written before encryption was on: read as it is
        key_id = payload.metadata.get(KEY_ID, b"").decode()
        plain = self._decrypt(key_id, payload.data, key_id.encode())
        return Payload.FromString(plain)

    def _open_compact(self, data: bytes) -> Payload:
        size = data[0] if data else 0
        key_id = data[1 : 1 + size]
        body = self._decrypt(key_id.decode(errors="replace"), data[1 + size :], COMPACT + key_id)
        if body[:1] == bytes([DEFLATED]):
            unpacker = zlib.decompressobj(-15, zdict=dictionary("z1"))
            plain = unpacker.decompress(body[1:]) + unpacker.flush()
        elif body[:1] == bytes([RAW]):
            plain = body[1:]
        else:
            raise ValueError("a compact payload's body is neither raw nor deflated")
        return Payload.FromString(plain)

    def _decrypt(self, key_id: str, data: bytes, bound_to: bytes) -> bytes:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealedElsewhere(self.ring, key_id, "is not among them")
        try:
            return cipher.decrypt(data[:NONCE], data[NONCE:], bound_to)
        except InvalidTag as exc:
            raise SealedElsewhere(self.ring, key_id, "does not open it") from exc


class SealedElsewhere(Misconfigured, ValueError):
    """A payload these keys cannot open: sealed by a system with other keys (a command whose
    settings are not the running system's), or altered."""

    def __init__(self, ring: KeyRing, key_id: str, what: str) -> None:
        where = f" ('{ring.source}')" if ring.source else ""
        fix = (
            "these settings are not the running system's (use its LIFECYCLE_VAR_DIR, or its "
            "LIFECYCLE_CODEC_KEYS)"
        )
        if ring.source is not None and not ring.source.exists():
            message = (
                f"Case data is sealed with codec key '{key_id}', and LIFECYCLE_CODEC_KEYS{where} "
                f"does not exist here: {fix}."
            )
        elif what == "does not open it":
            message = (
                f"Case data is sealed with codec key '{key_id}', and the key of that name in "
                f"LIFECYCLE_CODEC_KEYS{where} does not open it: {fix}, or the data was altered."
            )
        else:
            message = (
                f"Case data is sealed with codec key '{key_id}', which is not among the keys in "
                f"LIFECYCLE_CODEC_KEYS{where}: {fix}, or an old key was dropped when rotating "
                "(keep every old key)."
            )
        super().__init__(message)
        self.key_id = key_id
        self.what = "is not a key of this system" if what == "is not among them" else what


def key_of(payload: Payload) -> str | None:
    """The id of the key a sealed payload names (None: not sealed)."""
    encoding = payload.metadata.get("encoding")
    if encoding == COMPACT and payload.data:
        return payload.data[1 : 1 + payload.data[0]].decode(errors="replace")
    if encoding == ENCODING:
        return payload.metadata.get(KEY_ID, b"").decode(errors="replace")
    return None
