"""Every version of every pack the worker can serve, by id and content hash.

``packs/ID.toml`` is the version new cases are opened under; ``archive/ID/VERSION.toml`` keeps
every version a running case may name (the current one included: a test sees to it). A case
carries only a :class:`PackRef`; the workflow looks its rules up here, which is deterministic
because a version's content never changes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from lifecycle.policies.loader import (
    ARCHIVE_DIR,
    PACK_DIR,
    PackError,
    read_document,
    validate_document,
)
from lifecycle.policies.schema import PolicyPack
from lifecycle.policies.versions import PackRef, version_of


class UnknownVersion(LookupError):
    """A case names rules this worker does not have: deploy a worker whose archive holds them."""


class PackRegistry:
    def __init__(self, current_dir: Path = PACK_DIR, archive_dir: Path = ARCHIVE_DIR) -> None:
        self._dirs = (current_dir, archive_dir)
        self._packs: dict[PackRef, PolicyPack] = {}
        self._current: dict[str, PackRef] = {}
        self._loaded = False
        self._lock = threading.Lock()

    def load(self) -> PackRegistry:
        """Reads the packs and the archive once; a bad file is refused in one sentence."""
        with self._lock:
            if not self._loaded:
                self._read()
                self._loaded = True
        return self

    def _read(self) -> None:
        current_dir, archive_dir = self._dirs
        for path in sorted(archive_dir.glob("*/*.toml")):
            doc = read_document(path)
            ref = self._put(doc, str(path))
            if (ref.id, ref.version) != (path.parent.name, path.stem):
                raise PackError(
                    f"{path}: holds {ref}; an archived pack is named ID/VERSION.toml after its "
                    "own id and content hash."
                )
        for path in sorted(current_dir.glob("*.toml")):
            ref = self._put(read_document(path), str(path))
            if ref.id != path.stem:
                raise PackError(f"{path}: id: '{ref.id}' must match the file name '{path.stem}'.")
            self._current[ref.id] = ref

    def _put(self, doc: dict[str, Any], origin: str) -> PackRef:
        pack = validate_document(doc, origin)
        ref = PackRef(id=pack.id, version=version_of(doc))
        self._packs.setdefault(ref, pack)
        return ref

    def add(self, doc: dict[str, Any], *, current: bool = False) -> PackRef:
        """Adds a version (a bureau's new rules arriving with a deploy, or a test's)."""
        self.load()
        with self._lock:
            ref = self._put(doc, "added pack")
            if current:
                self._current[ref.id] = ref
        return ref

    def ids(self) -> list[str]:
        return sorted(self.load()._current)

    def current(self, pack_id: str) -> PackRef:
        found = self.load()._current.get(pack_id)
        if found is None:
            raise PackError(
                f"policy '{pack_id}' does not exist; the policies are: {', '.join(self.ids())}."
            )
        return found

    def get(self, ref: PackRef) -> PolicyPack:
        pack = self.load()._packs.get(ref)
        if pack is None:
            raise UnknownVersion(
                f"rules {ref} are not known to this worker; deploy a worker whose pack archive "
                "holds them."
            )
        return pack

    def has(self, ref: PackRef) -> bool:
        return ref in self.load()._packs

    def versions(self, pack_id: str) -> list[PackRef]:
        self.current(pack_id)
        return sorted((r for r in self._packs if r.id == pack_id), key=lambda r: r.version)

    def match(self, pack: PolicyPack) -> PackRef | None:
        """The version whose rules equal ``pack`` (a pack a case carried inline before versions
        existed), so such a case names its version from its next run on."""
        return next((ref for ref, known in self.load()._packs.items() if known == pack), None)


REGISTRY = PackRegistry()


def load_pack(pack_id: str) -> PolicyPack:
    """The current rules of a programme (what a new case is opened under)."""
    return REGISTRY.get(REGISTRY.current(pack_id))


def pack_ids() -> list[str]:
    return REGISTRY.ids()
