"""Policy packs: each programme's rules as a TOML data file under ``packs/``."""

from lifecycle.policies.loader import PackError, load_pack, load_pack_file, pack_ids
from lifecycle.policies.schema import PolicyPack

__all__ = ["PackError", "PolicyPack", "load_pack", "load_pack_file", "pack_ids"]
