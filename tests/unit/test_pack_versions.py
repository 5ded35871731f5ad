"""Rules are pinned by version: every version a running case may name keeps loading, whatever
the schema has become since; a new version never changes an old one."""

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from lifecycle.policies import REGISTRY, PackError, PackRegistry, UnknownVersion, load_pack
from lifecycle.policies.loader import ARCHIVE_DIR, PACK_DIR, read_document, validate_document
from lifecycle.policies.migrations import upgrade
from lifecycle.policies.schema import FORMAT
from lifecycle.policies.versions import PackRef, version_of

REPLAY = Path(__file__).parents[1] / "replay"
ARCHIVED = sorted(ARCHIVE_DIR.glob("*/*.toml"))


@pytest.mark.parametrize("path", ARCHIVED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_every_archived_version_loads_under_todays_schema(path):
    doc = read_document(path)
    assert version_of(doc) == path.stem, "an archived file is named after its content"
    pack = validate_document(doc, str(path))
    assert pack.id == path.parent.name and pack.pack_format == FORMAT


@pytest.mark.parametrize("path", sorted(PACK_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_current_pack_is_archived(path):
    version = version_of(read_document(path))
    assert (ARCHIVE_DIR / path.stem / f"{version}.toml").is_file(), (
        f"{path.name} changed: run 'python -m lifecycle.policies.freeze' and commit the archive"
    )
    assert read_document(path).get("pack_format") == FORMAT, "current packs use today's format"


def test_format_1_packs_upgrade_to_the_deadlines_format_2_declares():
    """The archived format-1 qingdao pack (before deadlines were declared) means what the
    format-2 pack says: the same deadlines, states, counts and effects."""
    old = validate_document(
        read_document(ARCHIVE_DIR / "qingdao-2024" / "c1a8a3de4e56f762.toml"), "v1"
    )
    new = load_pack("qingdao-2024")

    def meaning(pack):
        return {
            d.name: (
                d.rule,
                d.working_days,
                d.anchor,
                tuple(d.states),
                d.on_pass.action,
                d.on_pass.overdue,
            )
            for d in pack.deadlines
        }

    assert meaning(old) == meaning(new)
    admission = {t.trigger for t in old.transitions}
    assert [t.conditions for t in old.transitions] == [
        t.conditions for t in new.transitions if t.trigger in admission
    ], "the listed phase added actions; the admission ones mean what they meant"


def test_a_pack_a_case_carried_inline_names_its_archived_version():
    """Cases started before versions existed carried the whole pack (format 1, as the model
    dumped it); the registry finds the archived version with the same rules."""
    history = json.loads((REPLAY / "qingdao_failed_preliminary.json").read_text("utf-8"))
    start = history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
    inline = json.loads(__import__("base64").b64decode(start["data"]))["pack"]
    assert "pack_format" not in inline and "public_notice" in inline["admission"]
    pack = validate_document(inline, "inline")
    assert REGISTRY.match(pack) == PackRef(id="qingdao-2024", version="c1a8a3de4e56f762")


def test_a_new_version_leaves_the_old_one_as_it_was(tmp_path):
    registry = PackRegistry()
    before = registry.current("wenzhou-2021")
    doc = read_document(PACK_DIR / "wenzhou-2021.toml")
    notice = next(d for d in doc["deadlines"] if d["name"] == "public_notice")
    notice["working_days"] = 7  # the bureau lengthens the public notice
    after = registry.add(doc, current=True)
    assert after != before and registry.current("wenzhou-2021") == after
    assert registry.get(before).deadline("public_notice").working_days == 5
    assert registry.get(after).deadline("public_notice").working_days == 7
    assert {before, after} <= set(registry.versions("wenzhou-2021"))


def test_a_version_tried_is_current_only_while_it_is_tried():
    """A rehearsal makes its pack current in its own process while it runs; afterwards the
    process lists the programmes it listed before (a new programme is gone, an amended one is
    back at its version), and the version tried still loads for a case that names it."""
    registry = PackRegistry(bureau=Path("/nonexistent/bureau"))
    shipped = registry.current("wenzhou-2021")
    doc = read_document(PACK_DIR / "wenzhou-2021.toml")
    next(d for d in doc["deadlines"] if d["name"] == "public_notice")["working_days"] = 7
    with registry.trying(doc) as tried:
        assert tried != shipped and registry.current("wenzhou-2021") == tried
    assert (
        registry.current("wenzhou-2021") == shipped and registry.shipped("wenzhou-2021") == shipped
    )
    assert registry.get(tried).deadline("public_notice").working_days == 7
    own = read_document(Path("examples/example-2027/pack.toml"))
    with pytest.raises(RuntimeError), registry.trying(own) as tried:
        assert "example-2027" in registry.ids()
        raise RuntimeError("the rehearsal failed")  # and the pack is withdrawn all the same
    assert "example-2027" not in registry.ids() and registry.shipped("example-2027") is None


def test_an_unknown_version_is_refused_in_one_sentence():
    with pytest.raises(UnknownVersion, match="rules qingdao-2024@0000000000000000 are not known"):
        REGISTRY.get(PackRef(id="qingdao-2024", version="0" * 16))


def test_a_misnamed_archive_file_is_refused(tmp_path):
    archive = tmp_path / "archive" / "wuhan-2021"
    archive.mkdir(parents=True)
    shutil.copy(PACK_DIR / "wuhan-2021.toml", archive / "0123456789abcdef.toml")
    with pytest.raises(PackError, match="holds wuhan-2021@.*named ID/VERSION.toml"):
        PackRegistry(PACK_DIR, tmp_path / "archive").load(everything=True)  # as a worker starts


def test_upgrade_leaves_its_input_alone():
    doc = read_document(ARCHIVE_DIR / "wuhan-2021" / "b94666fc416be786.toml")
    before = json.dumps(doc, sort_keys=True, default=str)
    upgraded = upgrade(doc)
    assert json.dumps(doc, sort_keys=True, default=str) == before
    assert upgraded["pack_format"] == FORMAT


def test_the_bureaus_folder_is_read_again_when_it_changes_and_a_broken_one_is_named(tmp_path):
    """An installed version becomes current for the process that reads the folder next; a
    folder that does not read is refused in one sentence at first, and a process that read it
    before goes on with what it read."""
    bureau = tmp_path / "packs"
    registry = PackRegistry(PACK_DIR, ARCHIVE_DIR, bureau)
    shipped = registry.current("wuhan-2021")
    text = (
        (PACK_DIR / "wuhan-2021.toml")
        .read_text("utf-8")
        .replace('title = "武汉市', 'title = "(修订) 武汉市', 1)
    )
    doc = tomllib.loads(text)
    version = version_of(doc)
    (bureau / "archive" / "wuhan-2021").mkdir(parents=True)
    (bureau / "archive" / "wuhan-2021" / f"{version}.toml").write_text(text, "utf-8")
    (bureau / "current.json").write_text(json.dumps({"wuhan-2021": version}), "utf-8")
    assert registry.current("wuhan-2021").version == version
    assert registry.has(shipped)  # the shipped version stays for the cases opened under it
    (bureau / "current.json").write_text("{not json", "utf-8")
    assert registry.current("wuhan-2021").version == version  # goes on with what it read
    fresh = PackRegistry(PACK_DIR, ARCHIVE_DIR, bureau)
    with pytest.raises(PackError, match="current.json: not a JSON object"):
        fresh.current("wuhan-2021")
