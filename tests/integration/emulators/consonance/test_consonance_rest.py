"""The REST v4 read view: envelope, paging, Ransack filters, the record, auth."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from emulators.catalog import COUNTRY_CODES, World, at, hyphenate

from .conftest import TODAY, TOKEN
from .test_consonance_changed_since import expected_changed

pytestmark = pytest.mark.integration


def live_products(world: World, on: date = TODAY):
    return [
        (s, p)
        for s in (world.spec(i) for i in range(world.n_works))
        if s.created_on <= on
        for p in s.products
        if p.created_on <= on
    ]


def test_envelope_and_paging_cover_every_product_once(emu, world):
    live = live_products(world)
    r = emu.rest()
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert {k: body[k] for k in ("current_page", "per_page", "total_pages", "url")} == {
        "current_page": 1,
        "per_page": 50,
        "total_pages": math.ceil(len(live) / 50),
        "url": f"{emu.url}/api/v4/products.json",
    }
    assert [p["id"] for p in body["products"]] == [p.id for _, p in live[:50]]
    ids = []
    for page in range(1, math.ceil(len(live) / 100) + 1):
        body = emu.rest({"page": page, "per_page": 100}).json()
        assert (body["current_page"], body["per_page"]) == (page, 100)
        ids.extend(p["id"] for p in body["products"])
    assert ids == [p.id for _, p in live]
    past_end = emu.rest({"page": 999}).json()
    assert (past_end["current_page"], past_end["products"]) == (999, [])
    assert emu.rest({"per_page": 500}).json()["per_page"] == 100
    alias = emu.rest({"per_page": 3}, path="/api/products.json").json()
    assert alias["url"] == f"{emu.url}/api/products.json" and [
        p["id"] for p in alias["products"]
    ] == [p.id for _, p in live[:3]]


def test_ransack_filters(emu, world):
    live = live_products(world)

    def ids(params):
        body = emu.rest({"per_page": 100, **params}).json()
        assert body["total_pages"] <= 1, params
        return [p["id"] for p in body["products"]]

    s, p = live[700]
    assert ids({"q[id_eq]": p.id}) == [p.id]
    assert ids({"q[isbn_eq]": hyphenate(p.isbn13)}) == [p.id]
    assert ids({"q[id_in][]": [live[3][1].id, live[9][1].id, 1]}) == [live[3][1].id, live[9][1].id]
    pub = at(p.pub_date, TODAY)
    assert ids({"q[pub_date_eq]": pub.isoformat()}) == [
        q.id for _, q in live if at(q.pub_date, TODAY) == pub
    ]
    first, last = date(2026, 4, 1), date(2026, 4, 30)
    assert ids({"q[pub_date_gteq]": first.isoformat(), "q[pub_date_lteq]": last.isoformat()}) == [
        q.id for _, q in live if first <= at(q.pub_date, TODAY) <= last
    ]
    assert ids({"q[product_form_eq]": "AC"}) == [q.id for _, q in live if q.form.code == "AC"]
    title = "lantern"

    def work_title(spec):
        prefix, bare = at(spec.title, TODAY)
        return f"{prefix} {bare}" if prefix else bare

    body = emu.rest(
        {"per_page": 100, "q[work_title_cont]": title.upper(), "q[publishing_status_eq]": "02"}
    ).json()
    expected = [
        q.id for sp, q in live if title in work_title(sp).lower() and at(q.status, TODAY) == "02"
    ]
    assert [x["id"] for x in body["products"]] == expected[:100]
    assert ids({"q[shops_id_eq]": 3}) == []


def test_updated_at_extension_and_ignored_params(emu, world):
    since = TODAY - timedelta(days=2)
    r = emu.rest(
        {
            "per_page": 100,
            "q[updated_at_gt]": (since - timedelta(days=1)).isoformat(),
            "q[colour_eq]": "red",
            "id_eq": 5,
        }
    )
    works = expected_changed(world, since, TODAY)
    expected = [p.id for s, p in live_products(world) if s.id in works]
    assert r.headers["X-Emulator-Ignored-Params"] == "id_eq, q[colour_eq]"
    ids = [p["id"] for p in r.json()["products"]]
    pages = r.json()["total_pages"]
    for page in range(2, pages + 1):
        ids.extend(
            p["id"]
            for p in emu.rest(
                {
                    "per_page": 100,
                    "page": page,
                    "q[updated_at_gt]": (since - timedelta(days=1)).isoformat(),
                }
            ).json()["products"]
        )
    assert ids == expected


def test_record_matches_the_catalogue_and_the_graphql_view(emu, world):
    live = live_products(world)
    excluded = next(
        (s, p)
        for s, p in live
        if at(p.rights, TODAY).not_for_sale
        and not at(p.rights, TODAY).for_sale
        and p.form.code == "BB"
    )
    listed = next((s, p) for s, p in live if at(p.rights, TODAY).for_sale)
    for spec, product in (excluded, listed):
        rec = emu.rest({"q[id_eq]": product.id}).json()["products"][0]
        rights = at(product.rights, TODAY)
        prefix, bare = at(spec.title, TODAY)
        assert rec["id"] == product.id and rec["work_id"] == spec.id
        assert rec["full_title"] == (f"{prefix} {bare}" if prefix else bare)
        assert (rec["isbn"], rec["product_form"], rec["publishing_status"], rec["pub_date"]) == (
            product.isbn13,
            product.form.code,
            at(product.status, TODAY),
            at(product.pub_date, TODAY).isoformat(),
        )
        assert (
            rec["imprint"] == spec.imprint.name
            and rec["project_stage_name"] == at(spec.stage, TODAY).name
            and rec["marketing_tier_name"] == at(spec.tier, TODAY).name
        )
        assert rec["prices"] == [
            {
                "id": x.id,
                "currency_code": x.currency,
                "price_type": x.price_type,
                "price_qualifier": x.qualifier,
                "price_amount": x.amount,
            }
            for x in at(product.prices, TODAY)
        ]
        if rights.for_sale:
            assert rec["rights_not_available_countries"] == [
                c for c in COUNTRY_CODES if c not in rights.for_sale
            ]
        else:
            assert rec["rights_not_available_countries"] == list(rights.not_for_sale)
        siblings = [q for q in spec.products if q.created_on <= TODAY and q.id != product.id]
        assert rec["all_related_products"] == [
            {"relation_code": "06", "id": q.id, "isbn": q.isbn13, "product_form": q.form.code}
            for q in siblings
        ]
        texts = [t for t in spec.marketing_texts if t.created_on <= TODAY]
        codes = {"SHORT_DESCRIPTION": "02", "DESCRIPTION": "01", "REVIEW_QUOTE": "08"}
        assert rec["marketingtexts"] == [
            {"id": t.id, "code": codes[t.variant], "external_text": t.text_on(TODAY)} for t in texts
        ]
        cover = f"https://images.consonance.example/covers/{spec.id}/front"
        assert rec["supportingresources"] == [
            {
                "id": 600_000 + world.work_index(spec.id),
                "caption": "Front cover",
                "style_urls": [
                    {"style": "original", "url": f"{cover}.jpg"},
                    {"style": "jpg_rgb_0050w", "url": f"{cover}_jpg_rgb_0050w.jpg"},
                    {"style": "jpg_rgb_0650h", "url": f"{cover}_jpg_rgb_0650h.jpg"},
                ],
            }
        ]
    rec = emu.rest({"q[id_eq]": excluded[1].id}).json()["products"][0]
    assert rec["measurements"]["product_dimensions_mm"] == f"234 × 153 × {excluded[1].thickness_mm}"
    assert rec["extents"]["page_count"] == excluded[1].page_count
    gql = emu.data(
        "query($id: Int) { product(productSearch: {idEq: $id}) { fullTitle subtitle authorshipDescription inHouseFormat { name } inHouseEdition { name } work { season } } }",
        {"id": excluded[1].id},
    )["product"]
    assert (
        rec["full_title"],
        rec["subtitle"],
        rec["in_house_format"],
        rec["in_house_edition"],
        rec["season_name"],
    ) == (
        gql["fullTitle"],
        gql["subtitle"],
        gql["inHouseFormat"]["name"],
        gql["inHouseEdition"]["name"],
        gql["work"]["season"],
    )


@pytest.mark.parametrize(
    "template", ["Token token={k}", 'Token token="{k}"', "Token {k}", "Bearer {k}"]
)
def test_rest_accepts_the_token_forms_rails_accepts(emu, template):
    key = TOKEN["Authorization"].removeprefix("Token token=")
    r = emu.rest({"per_page": 1}, headers={"Authorization": template.format(k=key)})
    assert r.status_code == 200 and len(r.json()["products"]) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Token token=00000000000000000000000000000000"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_rest_without_a_valid_token_is_401(emu, headers):
    r = emu.rest(headers=headers)
    assert (r.status_code, r.text, r.headers["WWW-Authenticate"]) == (
        401,
        "HTTP Token: Access denied.\n",
        'Token realm="Application"',
    )
