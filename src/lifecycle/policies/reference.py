"""The pack format's reference, written from its JSON Schema (the same one `lifecycle policy
schema` publishes), so that the docs never say it twice: ``python -m lifecycle.policies.reference
docs/packs.md`` (``make pack-docs``) rewrites the part between the page's markers, and a test
fails while the page differs from the schema."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from lifecycle.policies.schema import PolicyPack

BEGIN = "<!-- pack reference: written by make pack-docs from the schema; do not edit -->"
END = "<!-- /pack reference -->"


def schema() -> dict[str, Any]:
    return PolicyPack.model_json_schema()


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in spec:
        kinds = [_type(s) for s in spec["anyOf"] if s.get("type") != "null"]
        return " or ".join(kinds) + (" (or none)" if len(kinds) < len(spec["anyOf"]) else "")
    if "enum" in spec:
        return "one of " + ", ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "object" and "additionalProperties" in spec and spec["additionalProperties"]:
        extra = spec["additionalProperties"]
        return f"table of {_type(extra) if isinstance(extra, dict) else 'any'}"
    if spec.get("format") == "date":
        return "date"
    return str(kind)


def _limits(spec: dict[str, Any]) -> str:
    found = []
    for key, said in (
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("minLength", "length ≥"),
        ("maxLength", "length ≤"),
        ("minItems", "items ≥"),
        ("pattern", "pattern"),
    ):
        if key in spec:
            found.append(f"{said} `{spec[key]}`")
    return ", ".join(found)


def _table(name: str, model: dict[str, Any]) -> list[str]:
    required = set(model.get("required", []))
    lines = [f"#### {name}", ""]
    if model.get("description"):
        lines += [" ".join(model["description"].split()), ""]
    enum = model.get("enum")
    if enum:
        return [*lines, "One of " + ", ".join(f"`{v}`" for v in enum) + ".", ""]
    lines += ["| key | type | required | default | limits, meaning |", "|---|---|---|---|---|"]
    for key, spec in model.get("properties", {}).items():
        held = spec.get("default")
        default = f"`{held}`" if "default" in spec and held not in ({}, [], None) else ""
        meaning = " ".join(str(spec.get("description", "")).split()).replace("|", "\\|")
        limits = _limits(spec)
        said = "; ".join(p for p in (limits, meaning) if p)
        lines.append(
            f"| `{key}` | {_type(spec)} | {'yes' if key in required else ''} | {default} | {said} |"
        )
    return [*lines, ""]


def render() -> str:
    found = schema()
    parts = _table("PolicyPack", found)
    for name in sorted(found.get("$defs", {})):
        parts += _table(name, found["$defs"][name])
    return "\n".join(parts).rstrip() + "\n"


def fill(page: Path) -> bool:
    """Rewrites the page's reference; True when it changed."""
    text = page.read_text("utf-8")
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{page} has no '{BEGIN}' … '{END}' markers.")
    new = pattern.sub(lambda _: f"{BEGIN}\n{render()}{END}", text)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {'written' if fill(Path(name)) else 'up to date'}")
