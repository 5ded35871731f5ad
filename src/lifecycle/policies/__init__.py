"""Policy packs: each programme's rules as TOML data, every version of them kept and served."""

from lifecycle.policies.loader import PackError, load_pack_file
from lifecycle.policies.registry import REGISTRY, PackRegistry, UnknownVersion, load_pack, pack_ids
from lifecycle.policies.schema import PolicyPack
from lifecycle.policies.versions import PackRef

__all__ = [
    "REGISTRY",
    "PackError",
    "PackRef",
    "PackRegistry",
    "PolicyPack",
    "UnknownVersion",
    "load_pack",
    "load_pack_file",
    "pack_ids",
]
