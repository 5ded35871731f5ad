"""Connecting to Temporal: the embedded dev server or a production cluster (TLS, API key), with
every payload encrypted by the codec's keys."""

from __future__ import annotations

import dataclasses
import functools
import os

from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    EncodingPayloadConverter,
    JSONPlainPayloadConverter,
)
from temporalio.service import TLSConfig

from lifecycle.config import Settings
from lifecycle.errors import Misconfigured, Unavailable
from lifecycle.temporal.codec import EncryptionCodec, KeyRing, ensure_keys


def key_ring(settings: Settings, make: bool = True) -> KeyRing:
    """The codec's keys: the file LIFECYCLE_CODEC_KEYS names (it must exist), else the system's
    own in its var directory, made on first use by the system (``make``). A person's command
    makes none: with no key file it holds a key of its own that opens nothing, so a command
    whose settings are not the running system's is told so, and leaves no file behind."""
    if os.environ.get("LIFECYCLE_CODEC_KEYS"):
        return KeyRing.read(settings.codec_keys)
    if not make and not settings.codec_keys.exists():
        return KeyRing(KeyRing.new().keys, "k1", settings.codec_keys)
    return ensure_keys(settings.codec_keys)


def data_converter(settings: Settings, make_keys: bool = True) -> DataConverter:
    return sealing(key_ring(settings, make_keys))


class LeanJSON(PydanticJSONPlainPayloadConverter):
    """pydantic's JSON with every field left at its default left out: read back, the field is
    that default again, so a payload says only what differs (a contract's default is therefore
    never changed, as a field's name is never reused: a payload written before would read
    otherwise). Payloads written in full before still read as they did."""

    def to_payload(self, value: object) -> Payload | None:
        return Payload(
            metadata={"encoding": self.encoding.encode()},
            data=self._schema_serializer.to_json(value, exclude_defaults=True),
        )


class LeanPayloads(CompositePayloadConverter):
    """The SDK's pydantic payload converter (``PydanticPayloadConverter``), ``LeanJSON`` for
    its JSON."""

    def __init__(self) -> None:
        super().__init__(*_lean_converters())


@functools.cache
def _lean_converters() -> tuple[EncodingPayloadConverter, ...]:
    """The converters, made once: the SDK makes a payload converter for every data converter it
    makes, two or three a workflow activation, and these hold no state of their own (as the
    SDK's default ones it shares)."""
    json = LeanJSON()
    return tuple(
        json if isinstance(c, JSONPlainPayloadConverter) else c
        for c in DefaultPayloadConverter.default_encoding_payload_converters
    )


LEAN = DataConverter(payload_converter_class=LeanPayloads)


def sealing(ring: KeyRing, tolerant: bool = False) -> DataConverter:
    """The engine's converter (``LEAN``), sealing and opening with ``ring``; ``tolerant``: as a
    worker opens (a payload it cannot open reaches the case marked, see ``EncryptionCodec``)."""
    return dataclasses.replace(LEAN, payload_codec=EncryptionCodec(ring, tolerant=tolerant))


def for_worker(client: Client) -> Client:
    """The same connection, decoding as a worker must: a payload the codec cannot open reaches
    the case marked as such (refused there in one sentence) instead of failing its task."""
    codec = client.data_converter.payload_codec
    if not isinstance(codec, EncryptionCodec) or codec.tolerant:
        return client
    config = client.config()
    config["data_converter"] = dataclasses.replace(
        client.data_converter, payload_codec=codec.for_worker()
    )
    return Client(**config)


async def connect(settings: Settings, make_keys: bool = True) -> Client:
    tls: TLSConfig | bool = False
    if settings.tls_cert and settings.tls_key:
        try:
            tls = TLSConfig(
                client_cert=settings.tls_cert.read_bytes(),
                client_private_key=settings.tls_key.read_bytes(),
            )
        except OSError as exc:
            raise Misconfigured(
                f"TLS file '{exc.filename}' cannot be read ({exc.strerror}); check "
                "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY."
            ) from exc
    elif settings.api_key:
        tls = True
    try:
        return await Client.connect(
            settings.address,
            namespace=settings.namespace,
            tls=tls,
            api_key=settings.api_key,
            data_converter=data_converter(settings, make_keys),
        )
    except RuntimeError as exc:
        start = (
            "start it with 'make run' (or 'lifecycle up')"
            if settings.embedded
            else "check that it runs and TEMPORAL_ADDRESS"
        )
        raise Unavailable(
            f"Temporal at {settings.address} (namespace {settings.namespace}) did not answer "
            f"({_reason(exc)}); {start}."
        ) from exc


def _reason(exc: Exception) -> str:
    """What went wrong, in words: the transport's details stay in the logs."""
    text = str(exc)
    for marker, words in (
        ("ConnectionRefused", "connection refused"),
        ("dns error", "the host name does not resolve"),
        ("timed out", "timed out"),
        ("certificate", "its TLS certificate was not accepted"),
        ("Unauthenticated", "not authenticated"),
        ("PermissionDenied", "permission denied"),
        ("NotFound", "no such namespace"),
    ):
        if marker.lower() in text.lower():
            return words
    return "no connection"
