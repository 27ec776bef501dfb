"""The markdown generator as plain functions: no MCP, no Attio."""

from __future__ import annotations

import json
import re

import pytest

from attio_mcp.attio import AttioObject, WorkspaceMember
from attio_mcp.skills._collect import WorkspaceSnapshot, singular_nouns
from attio_mcp.skills._export import ExportError, front_matter
from attio_mcp.skills._links import MCP_LINKS, Links, safe_file_stem
from attio_mcp.skills._render import OPTION_LIMIT, render_index, render_lists, render_object
from attio_mcp.skills._text import patterns_source
from attio_mcp.workspace.schema import AttrInfo, TargetSchema
from tests.skills.helpers import table_rows


def obj(slug: str, *attrs: AttrInfo) -> TargetSchema:
    return TargetSchema(
        kind="object", slug=slug, id=f"{slug}-id", name=slug.title(), attributes={a.slug: a for a in attrs}
    )


def test_long_option_lists_are_cut_with_a_pointer_to_attribute_options() -> None:
    options = tuple(f"Option {i}" for i in range(OPTION_LIMIT + 15))
    text = render_object(
        obj("things", AttrInfo(slug="kind", id="k", title="Kind", type="select", options=options)), MCP_LINKS
    )
    line = next(ln for ln in text.splitlines() if ln.startswith("- `kind` (select)"))
    assert f"Option {OPTION_LIMIT - 1} … and 15 more" in line and f"Option {OPTION_LIMIT}" not in line
    call = re.search(r"`attribute_options (\{.*?\})`", line)
    assert call and json.loads(call[1]) == {"resource_type": "things", "attribute": "kind"}


def test_table_cells_are_escaped_and_awkward_options_quoted() -> None:
    attr = AttrInfo(
        slug="size", id="s", title="Size | bucket", type="select", options=("Small, medium", "Large")
    )
    text = render_object(obj("things", attr), MCP_LINKS)
    rows = table_rows(text)
    assert rows[0][0] == "Size | bucket" and rows[0][1] == "`size`"
    assert '- `size` (select): "Small, medium", Large' in text


def test_archived_attributes_are_left_out() -> None:
    live = AttrInfo(slug="name", id="n", title="Name", type="text")
    gone = AttrInfo(slug="old", id="o", title="Old", type="text", archived=True)
    text = render_object(obj("things", live, gone), MCP_LINKS)
    assert "`name`" in text and "`old`" not in text


def test_index_members_and_limits() -> None:
    members = tuple(
        WorkspaceMember(
            id={"workspace_member_id": f"m{i}"},
            first_name="Ann",
            last_name=str(i),
            email_address=f"a{i}@x.io",
        )
        for i in range(55)
    )
    lst = TargetSchema(
        kind="list", slug="pipeline", id="list-uuid", name="Pipeline", parent_objects=("deals",)
    )
    text = render_index(WorkspaceSnapshot(objects=(obj("deals"),), lists=(lst,), members=members), MCP_LINKS)
    assert "| Pipeline | `pipeline` | `list-uuid` | `deals` |" in text
    assert "| Ann 0 | a0@x.io | `m0` |" in text and "`m54`" not in text
    assert "and 5 more (members_list)" in text
    assert render_lists([], MCP_LINKS).count("no lists") == 1


def test_safe_file_stem() -> None:
    assert safe_file_stem("companies") == "companies" and safe_file_stem("my_obj-2") == "my_obj-2"
    for hostile in ("../x", "..", "/etc/passwd", "a/b", "", "CON", "x" * 300):
        stem = safe_file_stem(hostile)
        assert re.fullmatch(r"[a-z0-9_-]+", stem) and len(stem) <= 64
    assert safe_file_stem("../x") != safe_file_stem("..-x") != safe_file_stem("x")


def test_links_expand_known_references_only() -> None:
    links = Links(schema="S", lists="L", patterns="P", object_link=lambda s: f"O/{s}")
    assert links.expand("[[schema]] [[lists]] [[patterns]] [[deals-attributes]] [[other]]") == (
        "`S` `L` `P` `O/deals` [[other]]"
    )
    refs = set(re.findall(r"\[\[([^\]]+)\]\]", patterns_source()))
    assert refs and all(r in ("schema", "lists", "patterns") or r.endswith("-attributes") for r in refs)


def test_front_matter_limits() -> None:
    assert front_matter("attio-x", "Does x.") == '---\nname: attio-x\ndescription: "Does x."\n---\n\n'
    for name, description in (("Attio", "d"), ("a" * 65, "d"), ("a--b", "d"), ("ok", ""), ("ok", "d" * 201)):
        with pytest.raises(ExportError):
            front_matter(name, description)


def test_singular_nouns_skip_objects_without_one() -> None:
    objects = [
        AttioObject(id={"object_id": "o1"}, api_slug="deals", singular_noun="Deal"),
        AttioObject(id={"object_id": "o2"}, api_slug="things", singular_noun=None),
    ]
    assert singular_nouns(objects) == {"deals": "Deal"}
    assert "(one: things)" not in render_object(obj("things"), MCP_LINKS, singular=None)
