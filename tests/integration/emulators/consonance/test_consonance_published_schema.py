"""The emulator's types against Consonance's published schema (its schema site's pages), for the
fields where the two differed (issue 16, defects 3 and 4). Expectations are the published types,
written out here; the emulator is asked by introspection and by use."""

from __future__ import annotations

import pytest

from emulators.catalog import World, at

from .conftest import TODAY

pytestmark = pytest.mark.integration

FIELD_TYPE = """
query($name: String!) {
  __type(name: $name) {
    fields { name type { ...T } }
    inputFields { name type { ...T } }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""


def render(t: dict) -> str:
    """An introspected type as SDL: ``[String!]``, ``Boolean`` ..."""
    if t["kind"] == "NON_NULL":
        return render(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + render(t["ofType"]) + "]"
    return t["name"]


def fields_of(emu, type_name: str) -> dict[str, str]:
    got = emu.data(FIELD_TYPE, {"name": type_name})["__type"]
    return {f["name"]: render(f["type"]) for f in (got["fields"] or got["inputFields"] or [])}


@pytest.mark.parametrize(
    "type_name, field, published",
    [
        ("Work", "alternativeTitles", "String"),
        ("Work", "bics", "[String!]"),
        ("Work", "bisacs", "[String!]"),
        ("MarketingText", "htmlCharsCount", "String"),
        ("MarketingText", "approvalStatus", "ApprovalStatus"),
        ("MarketingText", "approvalStatusName", "String"),
        ("MarketingText", "formatDescription", "String"),
        ("CreateMarketingTextInput", "reviewUrl", "String"),
        ("WebLink", "includeInOnix", "Boolean"),
        ("WebLink", "link", "URL!"),
        ("WebLink", "role", "ONIXWebsiteRoleCode!"),
        ("DeleteWebLinkPayload", "webLink", "WebLink"),
        ("SupportingResource", "aspectRatio", "Float"),
        ("SupportingResource", "fileSize", "Int"),
        ("SupportingResource", "height", "Int"),
    ],
)
def test_field_types_are_the_published_ones(emu, type_name, field, published):
    assert fields_of(emu, type_name)[field] == published


def a_live_work(world: World):
    return next(
        s
        for s in (world.spec(i) for i in range(world.works_created_by(TODAY)))
        if any(p.created_on <= TODAY for p in s.products)
    )


def test_a_review_url_sent_as_a_string_variable_is_accepted(emu, world):
    spec = a_live_work(world)
    body = emu.data(
        """mutation($work: Int, $url: String) {
          createMarketingText(input: {workId: $work, externalTextMarkdown: "Fine *prose*.",
            variant: REVIEW_QUOTE, reviewUrl: $url, approvalStatus: FOR_APPROVAL}) {
            marketingText { reviewUrl htmlCharsCount approvalStatus approvalStatusName
                            formatDescription externalText }
            errors { field message } } }""",
        {"work": spec.id, "url": "https://reviews.example/fine-prose"},
    )["createMarketingText"]
    assert body["errors"] == []
    text = body["marketingText"]
    assert text["externalText"] == "<p>Fine <em>prose</em>.</p>"
    assert text == {
        "reviewUrl": "https://reviews.example/fine-prose",
        "htmlCharsCount": str(len("<p>Fine <em>prose</em>.</p>")),
        "approvalStatus": "FOR_APPROVAL",
        "approvalStatusName": "For approval",
        "formatDescription": "HTML",
        "externalText": "<p>Fine <em>prose</em>.</p>",
    }


def test_delete_web_link_payload_carries_the_deleted_link(emu, world):
    spec = a_live_work(world)
    pid = next(p.id for p in spec.products if p.created_on <= TODAY)
    created = emu.data(
        """mutation($p: Int) { createWebLink(input: {productId: $p,
             link: "https://media.example/v/9.mp4", role: _24}) { webLink { id } } }""",
        {"p": pid},
    )["createWebLink"]["webLink"]
    deleted = emu.data(
        """mutation($id: Int!) { deleteWebLink(input: {id: $id}) {
             webLink { id link role includeInOnix } errors { message } } }""",
        {"id": created["id"]},
    )
    assert deleted == {
        "deleteWebLink": {
            "webLink": {
                "id": created["id"],
                "link": "https://media.example/v/9.mp4",
                "role": "_24",
                "includeInOnix": False,
            },
            "errors": [],
        }
    }
    again = emu.data(
        "mutation($id: Int!) { deleteWebLink(input: {id: $id}) { webLink { id } } }",
        {"id": created["id"]},
    )
    assert again == {"deleteWebLink": {"webLink": None}}


def test_alternative_titles_go_in_as_a_list_and_come_back_as_a_string(emu, world):
    spec = a_live_work(world)
    q = "query($id: Int) { work(workSearch: {idEq: $id}) { alternativeTitles } }"
    assert emu.data(q, {"id": spec.id}) == {"work": {"alternativeTitles": None}}
    updated = emu.data(
        """mutation($id: Int!) { updateWork(input: {id: $id,
             alternativeTitles: ["Salt", "The Salt Book"]}) {
             work { alternativeTitles } errors { message } } }""",
        {"id": spec.id},
    )
    assert updated == {
        "updateWork": {"work": {"alternativeTitles": "Salt; The Salt Book"}, "errors": []}
    }
    prefix, bare = at(spec.title, TODAY)  # the rest of the work is untouched
    assert emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { title } }", {"id": spec.id}
    ) == {"work": {"title": f"{prefix} {bare}" if prefix else bare}}
