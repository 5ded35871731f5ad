"""Connecting to Temporal: the embedded dev server or a production cluster (TLS, API key)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import TLSConfig

from lifecycle.config import Settings, UserError


async def connect(settings: Settings) -> Client:
    tls: TLSConfig | bool = False
    if settings.tls_cert and settings.tls_key:
        try:
            tls = TLSConfig(
                client_cert=settings.tls_cert.read_bytes(),
                client_private_key=settings.tls_key.read_bytes(),
            )
        except OSError as exc:
            raise UserError(f"TLS file '{exc.filename}' cannot be read ({exc.strerror}).") from exc
    elif settings.api_key:
        tls = True
    try:
        return await Client.connect(
            settings.address,
            namespace=settings.namespace,
            tls=tls,
            api_key=settings.api_key,
            data_converter=pydantic_data_converter,
        )
    except RuntimeError as exc:
        raise UserError(
            f"Temporal at {settings.address} (namespace {settings.namespace}) did not answer: "
            f"{str(exc).splitlines()[0]}.",
            exit_code=1,
        ) from exc
