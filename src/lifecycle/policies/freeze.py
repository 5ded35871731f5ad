"""Keeps every current pack in the archive: ``python -m lifecycle.policies.freeze``.

Run it after changing a pack (a test fails until you do). The archive is what lets the worker
serve the rules running cases were opened under; a file there is never edited or removed.
"""

from __future__ import annotations

import shutil

from lifecycle.policies.loader import ARCHIVE_DIR, PACK_DIR, read_document
from lifecycle.policies.versions import version_of


def freeze() -> list[str]:
    added = []
    for path in sorted(PACK_DIR.glob("*.toml")):
        target = ARCHIVE_DIR / path.stem / f"{version_of(read_document(path))}.toml"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            added.append(f"{path.stem}@{target.stem}")
    return added


if __name__ == "__main__":
    for ref in freeze():
        print(f"archived {ref}")
