"""Mutations over HTTP: effects in later reads (both APIs), payload errors, the write log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from emulators.catalog import World, at, hyphenate, isbn13_check_digit

from .conftest import TODAY

pytestmark = pytest.mark.integration

LINK_FIELDS = (
    "id link role roleDescription description includeInOnix type note productId workId contactId"
)


def a_work(world: World, n: int = 0, audio: bool = False):
    """The n-th work that exists on TODAY with at least two products (one audio if asked)."""
    found = [
        s
        for s in (world.spec(i) for i in range(world.works_created_by(TODAY)))
        if len([p for p in s.products if p.created_on <= TODAY]) >= 2
        and (not audio or any(p.form.audio and p.created_on <= TODAY for p in s.products))
    ]
    return found[n]


def product_links(emu, product_id: int) -> list[dict]:
    q = f"query($id: Int) {{ product(productSearch: {{idEq: $id}}) {{ webLinks {{ {LINK_FIELDS} }} }} }}"
    return emu.data(q, {"id": product_id})["product"]["webLinks"]


def test_web_link_lifecycle_shows_in_reads_and_the_write_log(emu, world):
    spec = a_work(world)
    pid = spec.products[0].id
    before = product_links(emu, pid)
    created = emu.data(
        f"""mutation($p: Int) {{ createWebLink(input: {{clientMutationId: "c-1", productId: $p, link: "https://media.example/v/1.mp4",
           role: _25, description: "Author interview", includeInOnix: false, type: VIDEO}}) {{
           webLink {{ {LINK_FIELDS} }} errors {{ field message }} clientMutationId }} }}""",
        {"p": pid},
    )["createWebLink"]
    link = created["webLink"]
    assert created["errors"] == [] and created["clientMutationId"] == "c-1"
    assert link["id"] > 900_000_000
    assert link == {
        "id": link["id"],
        "link": "https://media.example/v/1.mp4",
        "role": "_25",
        "roleDescription": "Web page for author interview",
        "description": "Author interview",
        "includeInOnix": False,
        "type": "VIDEO",
        "note": None,
        "productId": pid,
        "workId": spec.id,
        "contactId": None,
    }
    assert product_links(emu, pid) == [*before, link]
    rest = emu.rest({"q[id_eq]": pid}).json()["products"][0]["weblinks"]
    assert rest[-1] == {
        "id": link["id"],
        "url": "https://media.example/v/1.mp4",
        "website_role": "25",
        "description": "Author interview",
        "include_in_onix": False,
    }

    updated = emu.data(
        'mutation($id: Int!) { updateWebLink(input: {id: $id, role: _30, description: "Trailer"}) { webLink { id role description link } errors { field message } } }',
        {"id": link["id"]},
    )["updateWebLink"]
    assert updated == {
        "webLink": {
            "id": link["id"],
            "role": "_30",
            "description": "Trailer",
            "link": "https://media.example/v/1.mp4",
        },
        "errors": [],
    }
    assert product_links(emu, pid)[-1]["role"] == "_30"

    deleted = emu.data(
        "mutation($id: Int!) { deleteWebLink(input: {id: $id}) { success errors { field message } } }",
        {"id": link["id"]},
    )
    assert deleted == {"deleteWebLink": {"success": True, "errors": []}}
    assert product_links(emu, pid) == before
    again = emu.data(
        "mutation($id: Int!) { deleteWebLink(input: {id: $id}) { success errors { field message } } }",
        {"id": link["id"]},
    )
    assert again == {
        "deleteWebLink": {
            "success": False,
            "errors": [{"field": "id", "message": f"web link {link['id']} not found"}],
        }
    }

    log = emu.writes()
    assert [(e["operation"], e["target"], e["outcome"], e["today"]) for e in log] == [
        ("createWebLink", pid, "ok", TODAY.isoformat()),
        ("updateWebLink", link["id"], "ok", TODAY.isoformat()),
        ("deleteWebLink", link["id"], "ok", TODAY.isoformat()),
        ("deleteWebLink", link["id"], "error", TODAY.isoformat()),
    ]
    assert log[0]["payload"] == {
        "clientMutationId": "c-1",
        "productId": pid,
        "link": "https://media.example/v/1.mp4",
        "role": "_25",
        "description": "Author interview",
        "includeInOnix": False,
        "type": "VIDEO",
    }
    assert log[3]["error"] == f"id: web link {link['id']} not found"


def test_catalogue_web_links_can_be_updated_and_deleted(emu, world):
    spec = next(
        world.spec(i)
        for i in range(world.works_created_by(TODAY))
        if world.spec(i).web_links and world.spec(i).web_links[0].created_on <= TODAY
    )
    lk = spec.web_links[0]
    pid = spec.products[lk.product_k].id
    assert [x["id"] for x in product_links(emu, pid)][0] == lk.id
    update = 'mutation($id: Int!) { updateWebLink(input: {id: $id, link: "https://example.org/new"}) { webLink { link } errors { message } } }'
    assert emu.data(update, {"id": lk.id}) == {
        "updateWebLink": {"webLink": {"link": "https://example.org/new"}, "errors": []}
    }
    delete = "mutation($id: Int!) { deleteWebLink(input: {id: $id}) { success } }"
    assert emu.data(delete, {"id": lk.id}) == {"deleteWebLink": {"success": True}}
    assert lk.id not in [x["id"] for x in product_links(emu, pid)]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            'productId: 99, link: "https://a.example/x"',
            [{"field": "productId", "message": "product 99 not found"}],
        ),
        (
            'link: "https://a.example/x"',
            [
                {
                    "field": None,
                    "message": "exactly one of productId, workId or contactId must be given",
                }
            ],
        ),
        (
            'productId: %(p)d, workId: %(w)d, link: "https://a.example/x"',
            [
                {
                    "field": None,
                    "message": "exactly one of productId, workId or contactId must be given",
                }
            ],
        ),
        (
            'productId: %(p)d, link: "not a url"',
            [{"field": "link", "message": "is not a valid URL"}],
        ),
        (
            'productId: %(p)d, link: "ftp://a.example/x"',
            [{"field": "link", "message": "is not a valid URL"}],
        ),
        (
            'workId: 5, link: "https://"',
            [
                {"field": "workId", "message": "work 5 not found"},
                {"field": "link", "message": "is not a valid URL"},
            ],
        ),
        (
            'contactId: 12, link: "https://a.example/x"',
            [{"field": "contactId", "message": "contact 12 not found"}],
        ),
    ],
)
def test_create_web_link_payload_errors_change_nothing(emu, world, fields, errors):
    spec = a_work(world)
    pid = spec.products[0].id
    before = product_links(emu, pid)
    body = emu.gql(
        "mutation { createWebLink(input: {%s, role: _24}) { webLink { id } errors { field message } } }"
        % (fields % {"p": pid, "w": spec.id})
    )
    assert body == {"data": {"createWebLink": {"webLink": None, "errors": errors}}}
    assert product_links(emu, pid) == before
    assert [(e["operation"], e["outcome"]) for e in emu.writes()] == [("createWebLink", "error")]


def test_web_links_on_works_and_contacts(emu, world):
    spec = a_work(world)
    author = at(spec.contributions, TODAY)[0]
    made = emu.data(
        """mutation($w: Int, $c: Int) {
          a: createWebLink(input: {workId: $w, link: "https://www.example.com/trailer", role: _02}) { webLink { id workId productId } errors { message } }
          b: createWebLink(input: {contactId: $c, link: "https://author.example.com", role: _06}) { webLink { id contactId workId } errors { message } }
        }""",
        {"w": spec.id, "c": author.contact_id},
    )
    wl, cl = made["a"]["webLink"], made["b"]["webLink"]
    assert (made["a"]["errors"], made["b"]["errors"]) == ([], [])
    assert (wl["workId"], wl["productId"], cl["contactId"], cl["workId"]) == (
        spec.id,
        None,
        author.contact_id,
        None,
    )
    assert cl["id"] == wl["id"] + 1  # executed in document order
    got = emu.data(
        "query($w: Int) { work(workSearch: {idEq: $w}) { webLinks { id } contributions { contributor { id webLinks { id link } } } products { webLinks { id } } } }",
        {"w": spec.id},
    )["work"]
    assert got["webLinks"] == [{"id": wl["id"]}]
    assert got["contributions"][0]["contributor"] == {
        "id": author.contact_id,
        "webLinks": [{"id": cl["id"], "link": "https://author.example.com"}],
    }
    assert all(wl["id"] not in [x["id"] for x in p["webLinks"]] for p in got["products"])


def test_marketing_texts(emu, world):
    spec = a_work(world, 1)
    pids = [p.id for p in spec.products if p.created_on <= TODAY]
    q_texts = "query($w: Int) { work(workSearch: {idEq: $w}) { marketingTexts { id } products { id marketingTexts { id } } } }"
    before = emu.data(q_texts, {"w": spec.id})["work"]
    created = emu.data(
        """mutation($w: Int, $p: [Int!]) { createMarketingText(input: {workId: $w, productIds: $p, variant: INTERNAL_NOTE,
             externalTextMarkdown: "", internalTextMarkdown: "**Video performance**\\n\\n[video-summary] 1,234 views", fromDate: "2026-06-01"}) {
           marketingText { id workId variant externalText externalTextMarkdown internalText internalTextMarkdown internalTextNumberOfCharacters
             internalTextPlain: internalText(stripHtml: true) productIds fromDate onixContentAudienceCodes }
           errors { field message } } }""",
        {"w": spec.id, "p": pids[:1]},
    )["createMarketingText"]
    text = created["marketingText"]
    assert created["errors"] == []
    assert text == {
        "id": text["id"],
        "workId": spec.id,
        "variant": "INTERNAL_NOTE",
        "externalText": "",
        "externalTextMarkdown": "",
        "internalText": "<p><strong>Video performance</strong></p><p>[video-summary] 1,234 views</p>",
        "internalTextMarkdown": "**Video performance**\n\n[video-summary] 1,234 views",
        "internalTextNumberOfCharacters": len("Video performance\n\n[video-summary] 1,234 views"),
        "internalTextPlain": "Video performance\n\n[video-summary] 1,234 views",
        "productIds": pids[:1],
        "fromDate": "2026-06-01",
        "onixContentAudienceCodes": ["_00"],
    }
    after = emu.data(q_texts, {"w": spec.id})["work"]
    assert after["marketingTexts"] == [*before["marketingTexts"], {"id": text["id"]}]
    assert after["products"][0]["marketingTexts"] == [
        *before["products"][0]["marketingTexts"],
        {"id": text["id"]},
    ]
    assert after["products"][1]["marketingTexts"] == before["products"][1]["marketingTexts"]

    all_products = emu.data(
        'mutation($w: Int) { createMarketingText(input: {workId: $w, linkToAllProducts: true, externalTextMarkdown: "*New* copy"}) { marketingText { productIds externalText } errors { message } } }',
        {"w": spec.id},
    )["createMarketingText"]
    assert all_products == {
        "marketingText": {"productIds": pids, "externalText": "<p><em>New</em> copy</p>"},
        "errors": [],
    }

    by_products = emu.data(
        'mutation($p: [Int!]) { createMarketingText(input: {productIds: $p, externalTextMarkdown: "x"}) { marketingText { workId productIds } } }',
        {"p": pids},
    )
    assert by_products == {
        "createMarketingText": {"marketingText": {"workId": spec.id, "productIds": pids}}
    }

    catalogue_text = spec.marketing_texts[0].id
    delete = "mutation($id: Int!) { deleteMarketingText(input: {id: $id}) { success errors { message } } }"
    assert emu.data(delete, {"id": catalogue_text}) == {
        "deleteMarketingText": {"success": True, "errors": []}
    }
    assert emu.data(delete, {"id": text["id"]}) == {
        "deleteMarketingText": {"success": True, "errors": []}
    }
    assert emu.data(delete, {"id": text["id"]}) == {  # deleted already
        "deleteMarketingText": {
            "success": False,
            "errors": [{"message": f"marketing text {text['id']} not found"}],
        }
    }
    ids = [t["id"] for t in emu.data(q_texts, {"w": spec.id})["work"]["marketingTexts"]]
    assert (
        catalogue_text not in ids
        and text["id"] not in ids
        and len(ids) == len(before["marketingTexts"]) - 1 + 2
    )


def test_marketing_text_payload_errors(emu, world):
    spec, other = a_work(world, 2), a_work(world, 3)
    mine, theirs = spec.products[0].id, other.products[0].id
    cases = [
        (
            {"workId": spec.id, "productIds": [theirs]},
            [
                {
                    "field": "productIds",
                    "message": f"product(s) {theirs} do not belong to work {spec.id}",
                }
            ],
        ),
        (
            {"workId": spec.id, "productIds": [mine], "linkToAllProducts": True},
            [{"field": "linkToAllProducts", "message": "cannot be combined with productIds"}],
        ),
        (
            {"productIds": [mine, theirs]},
            [{"field": "productIds", "message": "products must all belong to one work"}],
        ),
        ({"workId": 77}, [{"field": "workId", "message": "work 77 not found"}]),
        ({}, [{"field": "workId", "message": "can't be blank when no productIds are given"}]),
        (
            {"workId": spec.id, "reviewUrl": "nope"},
            [{"field": "reviewUrl", "message": "is not a valid URL"}],
        ),
        (
            {"workId": spec.id, "fromDate": "2026-02-01", "untilDate": "2026-01-01"},
            [{"field": "untilDate", "message": "must be on or after fromDate"}],
        ),
    ]
    create = "mutation($i: CreateMarketingTextInput!) { createMarketingText(input: $i) { marketingText { id } errors { field message } } }"
    for fields, errors in cases:
        body = emu.gql(create, {"i": {**fields, "externalTextMarkdown": "x"}})
        assert body == {
            "data": {"createMarketingText": {"marketingText": None, "errors": errors}}
        }, fields
    assert len(emu.writes()) == len(cases) and {e["outcome"] for e in emu.writes()} == {"error"}


def test_supporting_resources(emu, world):
    spec = a_work(world, 4)
    pids = [p.id for p in spec.products if p.created_on <= TODAY]
    cover_id = 600_000 + world.work_index(spec.id)
    q = "query($w: Int) { work(workSearch: {idEq: $w}) { supportingResources { id productIds resourceVariant isProcessing url } } }"
    assert emu.data(q, {"w": spec.id})["work"]["supportingResources"] == [
        {
            "id": cover_id,
            "productIds": pids,
            "resourceVariant": "FRONT_COVER",
            "isProcessing": False,
            "url": f"https://images.consonance.example/covers/{spec.id}/front.jpg",
        }
    ]
    remote = emu.data(
        """mutation($w: Int!, $p: [Int!]) { createSupportingResource(input: {workId: $w, productIds: $p, imageRemoteUrl: "https://media.example/poster.JPG",
            resourceVariant: FRONT_COVER, unlinkPrevious: true, caption: "Poster"}) {
            supportingResource { id url caption productIds isProcessing status imageRemoteUrl } uploadUrl errors { field message } } }""",
        {"w": spec.id, "p": pids[:1]},
    )["createSupportingResource"]
    res = remote["supportingResource"]
    assert remote["errors"] == [] and remote["uploadUrl"] is None
    assert res == {
        "id": res["id"],
        "url": "https://media.example/poster.JPG",
        "caption": "Poster",
        "productIds": pids[:1],
        "isProcessing": False,
        "status": "DRAFT",
        "imageRemoteUrl": "https://media.example/poster.JPG",
    }
    listed = emu.data(q, {"w": spec.id})["work"]["supportingResources"]
    assert [(r["id"], r["productIds"]) for r in listed] == [
        (cover_id, pids[1:]),
        (res["id"], pids[:1]),
    ]  # unlinkPrevious

    upload = emu.data(
        'mutation($w: Int!) { createSupportingResource(input: {workId: $w, resourceFileName: "thumb.jpg", linkToAllProducts: true}) { supportingResource { id isProcessing productIds } uploadUrl errors { message } } }',
        {"w": spec.id},
    )["createSupportingResource"]
    uploaded = upload["supportingResource"]
    assert (uploaded["isProcessing"], uploaded["productIds"], upload["errors"]) == (True, pids, [])
    assert upload["uploadUrl"].startswith(
        f"{emu.url}/_emulator/uploads/{uploaded['id']}?X-Amz-Expires=900&X-Amz-Signature="
    )
    assert (
        requests.put(upload["uploadUrl"], data=b"\xff\xd8jpeg-bytes", timeout=10).status_code == 200
    )
    assert emu.data(q, {"w": spec.id})["work"]["supportingResources"][-1]["isProcessing"] is False

    errors = [
        (
            {"workId": spec.id, "imageRemoteUrl": "https://media.example/a.png"},
            [{"field": "imageRemoteUrl", "message": "must be a JPG"}],
        ),
        (
            {"workId": spec.id},
            [{"field": None, "message": "either imageRemoteUrl or resourceFileName must be given"}],
        ),
        (
            {
                "workId": spec.id,
                "imageRemoteUrl": "https://m.example/a.jpg",
                "resourceFileName": "a.jpg",
            },
            [{"field": "resourceFileName", "message": "cannot be combined with imageRemoteUrl"}],
        ),
        (
            {"workId": 3, "imageRemoteUrl": "https://m.example/a.jpg"},
            [{"field": "workId", "message": "work 3 not found"}],
        ),
    ]
    create = "mutation($i: CreateSupportingResourceInput!) { createSupportingResource(input: $i) { supportingResource { id } errors { field message } } }"
    for fields, want in errors:
        assert emu.data(create, {"i": fields}) == {
            "createSupportingResource": {"supportingResource": None, "errors": want}
        }, fields
    delete = "mutation($id: Int!) { deleteSupportingResource(input: {id: $id}) { success } }"
    assert emu.data(delete, {"id": cover_id}) == {"deleteSupportingResource": {"success": True}}
    again = "mutation($id: Int!) { deleteSupportingResource(input: {id: $id}) { success errors { field message } } }"
    assert emu.data(again, {"id": cover_id}) == {
        "deleteSupportingResource": {
            "success": False,
            "errors": [{"field": "id", "message": f"supporting resource {cover_id} not found"}],
        }
    }
    assert cover_id not in [
        r["id"] for r in emu.data(q, {"w": spec.id})["work"]["supportingResources"]
    ]


def test_update_product_changes_reads_in_both_apis(emu, world):
    spec = a_work(world, 5)
    product = spec.products[0]
    new_isbn12 = "978190999999"
    new_isbn = new_isbn12 + isbn13_check_digit(new_isbn12)
    got = emu.data(
        """mutation($id: Int!, $isbn: String) { updateProduct(input: {id: $id, publicationDate: "2027-03-04", onixPublishingStatusCode: _11, isbn: $isbn}) {
            product { id publicationDate onixPublishingStatusCode onixPublishingStatus { description } isbn { isbn13 isbnWithDashes } } errors { field message } } }""",
        {"id": product.id, "isbn": hyphenate(new_isbn)},
    )["updateProduct"]
    assert got == {
        "product": {
            "id": product.id,
            "publicationDate": "2027-03-04",
            "onixPublishingStatusCode": "_11",
            "onixPublishingStatus": {"description": "Withdrawn from sale"},
            "isbn": {"isbn13": new_isbn, "isbnWithDashes": hyphenate(new_isbn)},
        },
        "errors": [],
    }
    by_isbn = "query($isbn: String) { product(productSearch: {isbn13Eq: $isbn}) { id } }"
    assert emu.data(by_isbn, {"isbn": new_isbn}) == {"product": {"id": product.id}}
    assert emu.data(by_isbn, {"isbn": product.isbn13}) == {"product": None}
    rest = emu.rest({"q[id_eq]": product.id}).json()["products"][0]
    assert (rest["pub_date"], rest["publishing_status"], rest["isbn"]) == (
        "2027-03-04",
        "11",
        new_isbn,
    )
    window = emu.data(
        'query($id: Int) { products(productSearch: {publicationDateEq: "2027-03-04", idEq: $id}) { id } }',
        {"id": product.id},
    )
    assert window == {"products": [{"id": product.id}]}

    other = spec.products[1]
    cases = [
        (
            {"id": other.id, "isbn": "9781900000001"},
            [{"field": "isbn", "message": "is not a valid ISBN-13"}],
        ),
        (
            {"id": other.id, "isbn": new_isbn},
            [{"field": "isbn", "message": "has already been taken"}],
        ),
        (
            {"id": other.id, "isbn": world.isbn13(0, 0)},
            [{"field": "isbn", "message": "has already been taken"}],
        ),
        (
            {"id": 42, "onixPublishingStatusCode": "_04"},
            [{"field": "id", "message": "product 42 not found"}],
        ),
    ]
    update = "mutation($i: UpdateProductInput!) { updateProduct(input: $i) { product { id } errors { field message } } }"
    for fields, want in cases:
        assert emu.data(update, {"i": fields}) == {
            "updateProduct": {"product": None, "errors": want}
        }


def test_update_work_is_all_or_nothing(emu, world):
    spec = a_work(world, 6)
    pids = [p.id for p in spec.products if p.created_on <= TODAY]
    q = "query($w: Int) { work(workSearch: {idEq: $w}) { title titlePrefix titleWithoutPrefix season seasonId projectStage marketingTier themas products { id fullTitle publicationDate } } }"
    before = emu.data(q, {"w": spec.id})["work"]
    refused = emu.data(
        'mutation($w: Int!) { updateWork(input: {id: $w, title: "The New Title", marketingTierId: 9, seasonId: 20265, bisacs: ["FIC000000", "bad"]}) { work { id } errors { field message } } }',
        {"w": spec.id},
    )["updateWork"]
    assert refused == {
        "work": None,
        "errors": [
            {"field": "seasonId", "message": "season 20265 not found"},
            {"field": "marketingTierId", "message": "marketing tier 9 not found"},
            {"field": "bisacs", "message": "invalid code(s): bad"},
        ],
    }
    assert emu.data(q, {"w": spec.id})["work"] == before
    fields = "title titlePrefix titleWithoutPrefix season seasonId projectStage marketingTier themas products { id fullTitle publicationDate }"
    done = emu.data(
        f"""mutation($w: Int!, $p: Int!) {{ updateWork(input: {{clientMutationId: "x", id: $w, title: "The New Title", seasonId: 20273,
             projectStageId: 5, marketingTierId: 1, themas: ["FM", "FBA"], products: [{{id: $p, publicationDate: "2027-09-09"}}]}}) {{
           work {{ {fields} }} errors {{ field message }} clientMutationId }} }}""",
        {"w": spec.id, "p": pids[0]},
    )["updateWork"]
    assert done["errors"] == [] and done["clientMutationId"] == "x"
    work = done["work"]
    assert (work["title"], work["titlePrefix"], work["titleWithoutPrefix"]) == (
        "The New Title",
        "The",
        "New Title",
    )
    assert (
        work["season"],
        work["seasonId"],
        work["projectStage"],
        work["marketingTier"],
        work["themas"],
    ) == ("Autumn 2027", 20273, "Launch readiness", "Lead", ["FM", "FBA"])
    assert [p["fullTitle"] for p in work["products"]] == ["The New Title"] * len(pids)
    assert work["products"][0]["publicationDate"] == "2027-09-09"
    assert work == emu.data(q, {"w": spec.id})["work"]
    wrong = emu.data(
        "mutation($w: Int!) { updateWork(input: {id: $w, products: [{id: 100001}]}) { errors { field message } } }",
        {"w": spec.id},
    )
    assert wrong == {
        "updateWork": {
            "errors": [
                {
                    "field": "products[0].id",
                    "message": f"product 100001 does not belong to work {spec.id}",
                }
            ]
        }
    }


def test_writes_take_effect_from_the_clock_date(emu, world):
    spec = a_work(world, 7)
    q = "query($w: Int) { work(workSearch: {idEq: $w}) { subtitle } }"
    subtitle = at(spec.subtitle, TODAY)
    day = TODAY + timedelta(days=10)
    emu.set_today(day)
    later = 'mutation($w: Int!) { updateWork(input: {id: $w, subtitle: "Later"}) { errors { message } } }'
    assert emu.data(later, {"w": spec.id}) == {"updateWork": {"errors": []}}
    assert emu.data(q, {"w": spec.id}) == {"work": {"subtitle": "Later"}}
    emu.set_today(day - timedelta(days=1))
    assert emu.data(q, {"w": spec.id}) == {"work": {"subtitle": subtitle}}
    emu.set_today(date(2030, 1, 1))
    assert emu.data(q, {"w": spec.id}) == {"work": {"subtitle": "Later"}}
    emu.admin("POST", "reset")
    assert emu.data(q, {"w": spec.id}) == {
        "work": {"subtitle": at(spec.subtitle, date(2030, 1, 1))}
    }
    assert emu.writes() == []


def test_malformed_mutations_get_top_level_errors_and_are_logged_as_refused(emu, world):
    spec = a_work(world)
    body = emu.gql(
        'mutation($p: Int) { createWebLink(input: {productId: $p, link: "https://a.example", role: _99}) { webLink { id } } }',
        {"p": spec.products[0].id},
    )
    assert "data" not in body
    assert body["errors"][0]["message"].startswith(
        "Value '_99' does not exist in 'ONIXWebsiteRoleCode' enum."
    )
    body = emu.gql("mutation { updateProduct(input: {id: 1, colour: RED}) { product { id } } }")
    assert (
        body["errors"][0]["message"]
        == "Expected value of type 'UpdateProductInput' not to include unknown field 'colour', found: { id: 1, colour: RED }."
    )
    body = emu.gql(
        "mutation($i: CreateMarketingTextInput!) { createMarketingText(input: $i) { errors { message } } }",
        {"i": {"workId": spec.id}},
    )
    assert body["data"] is None
    assert body["errors"][0]["message"] == (
        "Variable '$i' has invalid value: Expected value of type 'CreateMarketingTextInput' to include required field "
        f"'externalTextMarkdown', found: {{'workId': {spec.id}}}."
    )
    assert [(e["operation"], e["outcome"]) for e in emu.writes()] == [
        ("createWebLink", "error"),
        ("updateProduct", "error"),
        ("createMarketingText", "error"),
    ]
    expected = [lk.id for lk in spec.web_links if lk.product_k == 0 and lk.created_on <= TODAY]
    assert [x["id"] for x in product_links(emu, spec.products[0].id)] == expected
