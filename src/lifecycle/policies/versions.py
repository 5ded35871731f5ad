"""A pack's version is the hash of its content: the same rules always name the same version.

The hash covers the parsed document (canonical JSON), so comments and layout do not make a new
version, while any change to a rule does. Running cases name their pack by id and version; the
worker serves every version kept under ``archive/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

VERSION_LENGTH = 16


class PackRef(BaseModel):
    """The rules a case runs under: a pack id and the version (content hash) of its rules."""

    model_config = ConfigDict(frozen=True)
    id: str = Field(pattern=r"^[a-z]+-\d{4}$")
    version: str = Field(pattern=r"^[0-9a-f]{16}$")

    def __str__(self) -> str:
        return f"{self.id}@{self.version}"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be part of a pack")


def canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(
        doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    ).encode("utf-8")


def version_of(doc: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(doc)).hexdigest()[:VERSION_LENGTH]
