"""Admin fixtures: malformed values reach the wire, records vanish, appear, repeat, change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulators.catalog import World, at, isbn13_is_valid

from .conftest import TODAY

pytestmark = pytest.mark.integration


def live_spec(world: World, n: int):
    return [
        s
        for s in (world.spec(i) for i in range(world.works_created_by(TODAY)))
        if len([p for p in s.products if p.created_on <= TODAY]) >= 2
    ][n]


PRODUCT_Q = """query($id: Int) { product(productSearch: {idEq: $id}) {
  id isbn { isbn13 isbn10 isbnWithDashes } publicationDate publicationDateString(directives: "%Y")
  onixPublishingStatusCode onixPublishingStatus { code description value }
  forSaleCountryCodes notForSaleCountryCodes isForSaleWorldwide salesRightsDescription
  prices { amount currencyCode onixPriceTypeCode amountWithCurrencyCode } } }"""


def test_malformed_values_reach_both_apis_unchanged(emu, world):
    spec = live_spec(world, 0)
    product = spec.products[1]
    answer = emu.fixtures(
        {
            "products": [
                {
                    "id": product.id,
                    "overrides": {
                        "isbn13": "9781900000001",
                        "publicationDate": "2999-02-30",
                        "onixPublishingStatusCode": "_99",
                        "forSaleCountryCodes": ["XX"],
                        "prices": [{"amount": -5, "currencyCode": "GBP"}],
                    },
                }
            ],
            "works": [{"id": spec.id, "overrides": {"title": ""}}],
        }
    )
    assert answer == {
        "ok": True,
        "on": TODAY.isoformat(),
        "works": [spec.id],
        "products": [product.id],
    }
    got = emu.data(PRODUCT_Q, {"id": product.id})["product"]
    assert got == {
        "id": product.id,
        "isbn": {"isbn13": "9781900000001", "isbn10": None, "isbnWithDashes": "9781900000001"},
        "publicationDate": "2999-02-30",
        "publicationDateString": "2999-02-30",
        "onixPublishingStatusCode": "_99",
        "onixPublishingStatus": {"code": "99", "description": None, "value": "_99"},
        "forSaleCountryCodes": ["XX"],
        "notForSaleCountryCodes": list(at(product.rights, TODAY).not_for_sale),
        "isForSaleWorldwide": False,
        "salesRightsDescription": "XX"
        + (
            " excluding " + ", ".join(at(product.rights, TODAY).not_for_sale)
            if at(product.rights, TODAY).not_for_sale
            else ""
        ),
        "prices": [
            {
                "amount": -5.0,
                "currencyCode": "GBP",
                "onixPriceTypeCode": "_02",
                "amountWithCurrencyCode": "GBP -5.00",
            }
        ],
    }
    rec = emu.rest({"q[id_eq]": product.id}).json()["products"][0]
    assert (rec["isbn"], rec["pub_date"], rec["publishing_status"], rec["full_title"]) == (
        "9781900000001",
        "2999-02-30",
        "99",
        "",
    )
    assert rec["prices"] == [
        {
            "id": 10 * product.id,
            "currency_code": "GBP",
            "price_type": "02",
            "price_qualifier": "05",
            "price_amount": -5,
        }
    ]
    titles = emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { title titlePrefix products { fullTitle } } }",
        {"id": spec.id},
    )["work"]
    assert titles == {
        "title": "",
        "titlePrefix": None,
        "products": [{"fullTitle": ""}] * len([p for p in spec.products if p.created_on <= TODAY]),
    }


def test_a_null_in_a_non_null_field_is_the_graphql_error_a_server_would_give(emu, world):
    product = live_spec(world, 1).products[0]
    emu.fixtures({"products": [{"id": product.id, "overrides": {"isForSaleWorldwide": None}}]})
    body = emu.gql(
        "query($id: Int) { product(productSearch: {idEq: $id}) { id isForSaleWorldwide } }",
        {"id": product.id},
    )
    assert body["data"] == {"product": None}
    assert [(e["message"], e["path"]) for e in body["errors"]] == [
        (
            f"Cannot return null for non-nullable field {product.form.typename}.isForSaleWorldwide.",
            ["product", "isForSaleWorldwide"],
        )
    ]
    # fields that are not selected do not fail
    assert emu.data(
        "query($id: Int) { product(productSearch: {idEq: $id}) { id } }", {"id": product.id}
    ) == {"product": {"id": product.id}}


def test_removed_records_disappear(emu, world):
    gone_work = live_spec(world, 2)
    keep = live_spec(world, 3)
    gone_product = keep.products[0]
    emu.fixtures(
        {
            "works": [{"id": gone_work.id, "remove": True}],
            "products": [{"id": gone_product.id, "remove": True}],
        }
    )
    assert emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { id } }", {"id": gone_work.id}
    ) == {"work": None}
    ids = [w["id"] for w in emu.all_pages("works", "id")]
    assert gone_work.id not in ids and len(ids) == world.works_created_by(TODAY) - 1
    products = emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { products { id } } }", {"id": keep.id}
    )["work"]["products"]
    assert [p["id"] for p in products] == [
        p.id for p in keep.products if p.created_on <= TODAY and p.id != gone_product.id
    ]
    assert emu.rest({"q[id_eq]": gone_product.id}).json()["products"] == []


def test_new_records_are_copies_with_fresh_ids_and_isbns(emu, world):
    source = live_spec(world, 4)
    host = live_spec(world, 5)
    answer = emu.fixtures(
        {
            "works": [{"copyOf": source.id, "overrides": {"title": "A Brand New Work"}}],
            "products": [
                {
                    "copyOf": source.products[0].id,
                    "workId": host.id,
                    "id": 950000001,
                    "isbn13": "9781700000017",
                }
            ],
        }
    )
    new_work = answer["works"][0]
    new_products = answer["products"]
    assert new_work > 900_000_000 and new_products[-1] == 950000001
    live_source = [p for p in source.products if p.created_on <= TODAY]
    assert len(new_products) == len(live_source) + 1
    got = emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { id title imprint { id } contributions { contributor { name } } products { id fullTitle isbn { isbn13 } onix21ProductFormCode } } }",
        {"id": new_work},
    )["work"]
    assert (got["id"], got["title"], got["imprint"]["id"]) == (
        new_work,
        "A Brand New Work",
        source.imprint.id,
    )
    assert [c["contributor"]["name"] for c in got["contributions"]] == [
        c.person_name for c in at(source.contributions, TODAY)
    ]
    assert [p["id"] for p in got["products"]] == new_products[:-1]
    assert [p["onix21ProductFormCode"] for p in got["products"]] == [
        p.form.code for p in live_source
    ]
    assert all(p["fullTitle"] == "A Brand New Work" for p in got["products"])
    isbns = [p["isbn"]["isbn13"] for p in got["products"]]
    assert all(isbn.startswith("97817") and isbn13_is_valid(isbn) for isbn in isbns) and len(
        set(isbns)
    ) == len(isbns)
    # the new work pages last; the new products page after every catalogue product
    works = emu.all_pages("works", "id")
    assert works[-1] == {"id": new_work}
    products = emu.all_pages("products", "id workId isbn { isbn13 }")
    assert [p["id"] for p in products[-len(new_products) :]] == sorted(new_products)
    assert products[-1] == {"id": 950000001, "workId": host.id, "isbn": {"isbn13": "9781700000017"}}
    assert emu.data('{ product(productSearch: {isbn13Eq: "9781700000017"}) { id } }') == {
        "product": {"id": 950000001}
    }


def test_duplicates_appear_twice_in_lists(emu, world):
    spec = live_spec(world, 6)
    product = spec.products[0]
    emu.fixtures({"duplicates": {"works": [spec.id], "products": [product.id]}})
    works = [w["id"] for w in emu.all_pages("works", "id")]
    assert works.count(spec.id) == 2 and len(works) == world.works_created_by(TODAY) + 1
    assert works[works.index(spec.id) + 1] == spec.id
    products = [p["id"] for p in emu.all_pages("products", "id")]
    assert products.count(product.id) == 2
    rest = emu.rest({"q[work_id_eq]": spec.id}).json()["products"]
    assert [p["id"] for p in rest].count(product.id) == 2


def test_simulated_rights_change_and_withdrawal(emu, world):
    spec = live_spec(world, 7)
    a, b = spec.products[0], spec.products[1]
    day = TODAY + timedelta(days=5)
    emu.set_today(day)
    emu.fixtures(
        {
            "products": [
                {
                    "id": a.id,
                    "overrides": {
                        "forSaleCountryCodes": [],
                        "notForSaleCountryCodes": ["US", "CA"],
                    },
                },
                {"id": b.id, "overrides": {"onixPublishingStatusCode": "11"}},
            ]
        }
    )
    q = "query($w: Int) { work(workSearch: {idEq: $w}) { products { id onixPublishingStatusCode forSaleCountryCodes notForSaleCountryCodes salesRightsDescription } } }"
    now = {p["id"]: p for p in emu.data(q, {"w": spec.id})["work"]["products"]}
    assert (
        now[a.id]["notForSaleCountryCodes"] == ["US", "CA"]
        and now[a.id]["forSaleCountryCodes"] == []
    )
    assert now[a.id]["salesRightsDescription"] == "World excluding US, CA"
    assert now[b.id]["onixPublishingStatusCode"] == "_11"
    changed = [w["id"] for w in emu.all_pages("works", "id", f'changedSince: "{day}"')]
    assert spec.id in changed
    rest = {p["id"]: p for p in emu.rest({"q[work_id_eq]": spec.id}).json()["products"]}
    assert (
        rest[a.id]["rights_not_available_countries"] == ["US", "CA"]
        and rest[b.id]["publishing_status"] == "11"
    )
    emu.set_today(day - timedelta(days=1))
    before = {p["id"]: p for p in emu.data(q, {"w": spec.id})["work"]["products"]}
    assert before[b.id]["onixPublishingStatusCode"] == "_" + at(b.status, day - timedelta(days=1))
    assert before[a.id]["notForSaleCountryCodes"] == list(
        at(a.rights, day - timedelta(days=1)).not_for_sale
    )


def test_objects_inside_a_work_can_be_overridden_or_removed(emu, world):
    spec = next(
        s
        for s in (world.spec(i) for i in range(world.works_created_by(TODAY)))
        if s.web_links and s.web_links[0].created_on <= TODAY
    )
    link, text = spec.web_links[0], spec.marketing_texts[1]
    emu.fixtures(
        {
            "webLinks": [{"id": link.id, "overrides": {"link": "not a url", "role": "_77"}}],
            "marketingTexts": [{"id": text.id, "remove": True}],
        }
    )
    got = emu.data(
        "query($w: Int) { work(workSearch: {idEq: $w}) { marketingTexts { id } products { webLinks { id link role } } } }",
        {"w": spec.id},
    )["work"]
    assert text.id not in [t["id"] for t in got["marketingTexts"]]
    links = [x for p in got["products"] for x in p["webLinks"] if x["id"] == link.id]
    assert links == [{"id": link.id, "link": "not a url", "role": "_77"}]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"works": [{"id": 5, "overrides": {"title": "x"}}]},
            "bad fixture: works[0]: work 5 does not exist on 2026-06-01",
        ),
        (
            {"products": [{"id": 100000, "overrides": {"_secret": 1}}]},
            "bad fixture: products[0]: override keys are API field names",
        ),
        (
            {"widgets": []},
            "bad fixture: unknown section(s) ['widgets']; expected some of ['works', 'products', 'webLinks', 'marketingTexts', 'supportingResources', 'duplicates']",
        ),
        (
            {"works": [{"copyOf": 1}]},
            "bad fixture: works[0]: copyOf must name a catalogue work existing on 2026-06-01",
        ),
        (
            {"duplicates": {"works": [4]}},
            "bad fixture: duplicates.works: work 4 does not exist on 2026-06-01",
        ),
    ],
)
def test_bad_fixtures_are_refused_whole(emu, world, payload, message):
    valid = {"id": world.work_id(0), "overrides": {"subtitle": "Should not apply"}}
    body = {**payload, "works": [valid, *payload.get("works", [])]}
    r = emu.http.post(f"{emu.url}/_emulator/fixtures", json=body, timeout=10)
    assert r.status_code == 400
    assert r.json() == {"error": message.replace("works[0]", "works[1]")}
    got = emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { subtitle } }", {"id": world.work_id(0)}
    )
    assert got == {"work": {"subtitle": at(world.spec(0).subtitle, TODAY)}}


def test_reset_removes_fixtures(emu, world):
    spec = live_spec(world, 8)
    emu.fixtures({"works": [{"id": spec.id, "overrides": {"subtitle": "Temporary"}}]})
    assert emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { subtitle } }", {"id": spec.id}
    ) == {"work": {"subtitle": "Temporary"}}
    emu.admin("POST", "reset")
    assert emu.data(
        "query($id: Int) { work(workSearch: {idEq: $id}) { subtitle } }", {"id": spec.id}
    ) == {"work": {"subtitle": at(spec.subtitle, TODAY)}}
