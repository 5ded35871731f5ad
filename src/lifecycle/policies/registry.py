"""Every version of every pack the worker can serve, by id and content hash.

``packs/ID.toml`` is the version new cases are opened under; ``archive/ID/VERSION.toml`` keeps
every version a running case may name (the current one included: a test sees to it). A case
carries only a :class:`PackRef`; the workflow looks its rules up here, which is deterministic
because a version's content never changes.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lifecycle.config import var_dir
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


def bureau_dir() -> Path:
    """The bureau's own packs (LIFECYCLE_PACKS_DIR, default ``packs`` in the var folder):
    ``archive/ID/VERSION.toml`` every version installed there, ``current.json`` which version
    of each programme new cases are opened under (a shipped programme's too, once amended)."""
    given = os.environ.get("LIFECYCLE_PACKS_DIR")
    if given:
        return Path(given).resolve()
    return var_dir() / "packs"


CURRENT = "current.json"


class PackRegistry:
    def __init__(
        self,
        current_dir: Path = PACK_DIR,
        archive_dir: Path = ARCHIVE_DIR,
        bureau: Path | None = None,
    ) -> None:
        self._dirs = (current_dir, archive_dir)
        self._bureau = bureau
        self._packs: dict[PackRef, PolicyPack] = {}
        self._current: dict[str, PackRef] = {}
        self._shipped: dict[str, PackRef] = {}
        self._seen: tuple[int, ...] | None = None
        self._loaded = False
        self._archived = False
        self._lock = threading.Lock()

    @property
    def bureau(self) -> Path:
        return self._bureau or bureau_dir()

    def load(self, everything: bool = False) -> PackRegistry:
        """Reads the current packs once, and the archive of every version when one is first
        asked for that is not current (``everything``: now, as a worker does before any case
        replays); the bureau's folder again whenever it has changed since. A bad file is refused
        in one sentence."""
        with self._lock:
            if not self._loaded:
                self._read_current()
                self._shipped = dict(self._current)
                self._loaded = True
            if everything and not self._archived:
                self._read_archive()
            self._read_bureau()
        return self

    def archived(self) -> PackRegistry:
        """Every version kept (what a running case may name), read once."""
        return self.load(everything=True)

    def refresh(self) -> PackRegistry:
        """Reads the bureau's folder again now (a version installed by another process)."""
        with self._lock:
            self._seen = None
        return self.load(everything=self._archived)

    def _read_bureau(self) -> None:
        """The bureau's installed versions and current choices, when the folder changed (its
        files are content-addressed and never change, so reading them again is safe). A folder
        that does not read is refused in one sentence when first read; a process that read it
        before goes on with what it read (a running case is never failed by a file a person
        is mending), and reads it again once it changes."""
        folder = self.bureau
        marks = _marks(folder)
        if marks == self._seen:
            return
        first = self._seen is None
        self._seen = marks
        try:
            chosen = self._bureau_versions(folder)
        except PackError:
            if first:
                raise
            return
        self._current = {**self._shipped, **chosen}

    def _bureau_versions(self, folder: Path) -> dict[str, PackRef]:
        for path in sorted((folder / "archive").glob("*/*.toml")):
            ref = self._put(read_document(path), str(path))
            if (ref.id, ref.version) != (path.parent.name, path.stem):
                raise PackError(
                    f"{path}: holds {ref}; an installed pack is named ID/VERSION.toml after its "
                    "own id and content hash ('lifecycle policy install' names it)."
                )
        chosen = {}
        for pack_id, version in _chosen(folder).items():
            ref = PackRef(id=pack_id, version=version)
            if ref not in self._packs:
                raise PackError(
                    f"{folder / CURRENT}: names {ref}, which is not installed in "
                    f"{folder / 'archive'}."
                )
            chosen[pack_id] = ref
        return chosen

    def _read_current(self) -> None:
        current_dir, _ = self._dirs
        for path in sorted(current_dir.glob("*.toml")):
            ref = self._put(read_document(path), str(path))
            if ref.id != path.stem:
                raise PackError(f"{path}: id: '{ref.id}' must match the file name '{path.stem}'.")
            self._current[ref.id] = ref

    def _read_archive(self) -> None:
        _, archive_dir = self._dirs
        for path in sorted(archive_dir.glob("*/*.toml")):
            ref = PackRef(id=path.parent.name, version=path.stem)
            if ref in self._packs:
                continue  # a current pack, read already (its content names the same version)
            doc = read_document(path)
            found = self._put(doc, str(path))
            if found != ref:
                raise PackError(
                    f"{path}: holds {found}; an archived pack is named ID/VERSION.toml after its "
                    "own id and content hash."
                )
        self._archived = True

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
                self._shipped[ref.id] = ref
        return ref

    @contextmanager
    def trying(self, doc: dict[str, Any]) -> Iterator[PackRef]:
        """A version current in this process while it is tried (a rehearsal), and the
        programme's current version as it was afterwards, so a process that tries a pack (a
        command server's, a test's) does not go on listing it."""
        self.load()
        pack_id = str(doc.get("id", ""))
        with self._lock:
            before = (self._current.get(pack_id), self._shipped.get(pack_id))
        ref = self.add(doc, current=True)
        try:
            yield ref
        finally:
            with self._lock:
                for table, was in zip((self._current, self._shipped), before, strict=True):
                    if was is None:
                        table.pop(ref.id, None)
                    else:
                        table[ref.id] = was

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
            pack = self.archived()._packs.get(ref)  # a version kept for running cases
        if pack is None:
            pack = self.refresh()._packs.get(ref)  # installed since, by another process
        if pack is None:
            raise UnknownVersion(
                f"rules {ref} are not known to this worker; deploy a worker whose pack archive "
                "holds them."
            )
        return pack

    def has(self, ref: PackRef) -> bool:
        return (
            ref in self.load()._packs
            or ref in self.archived()._packs
            or ref in self.refresh()._packs
        )

    def shipped(self, pack_id: str) -> PackRef | None:
        """The version this release ships as current (None: a programme of the bureau's own)."""
        return self.load()._shipped.get(pack_id)

    def versions(self, pack_id: str) -> list[PackRef]:
        self.current(pack_id)
        self.archived()
        return sorted((r for r in self._packs if r.id == pack_id), key=lambda r: r.version)

    def match(self, pack: PolicyPack) -> PackRef | None:
        """The version whose rules equal ``pack`` (a pack a case carried inline before versions
        existed), so such a case names its version from its next run on."""
        return next((ref for ref, known in self.archived()._packs.items() if known == pack), None)


def _marks(folder: Path) -> tuple[int, ...]:
    """What tells that the bureau's folder changed: its current choices and its archive."""
    found = []
    for path in (folder / CURRENT, folder / "archive"):
        try:
            found.append(path.stat().st_mtime_ns)
        except OSError:
            found.append(0)
    archive = folder / "archive"
    if archive.is_dir():
        found += [p.stat().st_mtime_ns for p in sorted(archive.iterdir()) if p.is_dir()]
    return tuple(found)


def _chosen(folder: Path) -> dict[str, str]:
    path = folder / CURRENT
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError(
            f"{path}: not a JSON object of programme ids and versions ({exc})."
        ) from exc
    if not isinstance(found, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in found.items()
    ):
        raise PackError(f"{path}: must map each programme id to a version (text).")
    return found


REGISTRY = PackRegistry()


def load_pack(pack_id: str) -> PolicyPack:
    """The current rules of a programme (what a new case is opened under)."""
    return REGISTRY.get(REGISTRY.current(pack_id))


def pack_ids() -> list[str]:
    return REGISTRY.ids()
