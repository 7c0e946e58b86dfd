"""GraphQL reads over HTTP: paging, lookups, filters, time, field values, errors and auth.

Expectations come from the catalogue module (``emulators.catalog``) read directly, never from
the emulator's own record-building or search code.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emulators.catalog import World, at, hyphenate, season_of
from emulators.consonance.app import DEFAULT_API_KEY

from .conftest import BEARER, TODAY

pytestmark = pytest.mark.integration


def existing_works(world: World, on: date) -> list[int]:
    return [world.work_id(i) for i in range(world.n_works) if world.spec(i).created_on <= on]


def existing_products(world: World, on: date) -> list[int]:
    return [
        p.id
        for i in range(world.n_works)
        if world.spec(i).created_on <= on
        for p in world.spec(i).products
        if p.created_on <= on
    ]


#: ONIX 2.1 list 7 descriptions of the catalogue's forms
FORM_DESCRIPTIONS = {
    "BB": "Hardback",
    "BC": "Paperback / softback",
    "DG": "Electronic book text",
    "AJ": "Downloadable audio file",
    "AC": "CD-Audio",
}


def isbn10(isbn13: str) -> str:
    core = isbn13[3:12]
    check = (11 - sum((10 - n) * int(d) for n, d in enumerate(core)) % 11) % 11
    return core + ("X" if check == 10 else str(check))


def find_work(world: World, predicate) -> int:
    return next(i for i in range(world.n_works) if predicate(world.spec(i)))


# ------------------------------------------------------------------------------------------------
# Paging
# ------------------------------------------------------------------------------------------------


def test_paging_works_by_after_returns_every_existing_work_exactly_once(emu, world):
    works = emu.all_pages("works", "id")
    ids = [w["id"] for w in works]
    expected = existing_works(world, TODAY)
    assert len(expected) == world.works_created_by(TODAY)
    assert ids == expected  # every work once, in id order


def test_paging_products_by_after_returns_every_existing_product_exactly_once(emu, world):
    ids = [p["id"] for p in emu.all_pages("products", "id")]
    assert ids == existing_products(world, TODAY)


def test_root_lists_are_capped_at_100_and_start_after_the_given_id(emu, world):
    page = emu.data("{ works(workSearch: {after: 900}) { id } }")["works"]
    assert [w["id"] for w in page] == [w for w in existing_works(world, TODAY) if w > 900][:100]
    assert len(page) == 100
    page = emu.data("{ products { id } }")["products"]
    assert [p["id"] for p in page] == existing_products(world, TODAY)[:100]


def test_records_created_after_the_clock_date_do_not_exist(emu, world):
    i = find_work(world, lambda s: s.created_on > TODAY)
    spec = world.spec(i)
    query = "query($id: Int) { work(workSearch: {idEq: $id}) { id title } }"
    assert emu.data(query, {"id": spec.id}) == {"work": None}
    emu.set_today(spec.created_on)
    prefix, bare = at(spec.title, spec.created_on)
    assert emu.data(query, {"id": spec.id}) == {
        "work": {"id": spec.id, "title": f"{prefix} {bare}" if prefix else bare}
    }


# ------------------------------------------------------------------------------------------------
# Field values
# ------------------------------------------------------------------------------------------------

WORK_FIELDS = """
  id title titlePrefix titleWithoutPrefix subtitle season seasonId projectStage projectStageId
  marketingTier marketingTierId imprint { id name } bisacs themas bics
  contributions { id sequenceNumber onixContributorRoleCode onixContributorRole { code description }
    productIds workId contributor { __typename id name ... on Person { keyNames namesBeforeKey personNameInverted } } }
  products { __typename id workId isbn { isbn13 isbn10 isbnWithDashes isbnWithSpaces } fullTitle
    onix21ProductFormCode onix21ProductForm { code description value isDeprecated notes }
    onixPublishingStatusCode onixPublishingStatus { code description value }
    publicationDate plannedPublicationDate forSaleCountryCodes notForSaleCountryCodes
    isForSaleWorldwide salesRightsDescription
    prices { id amount currencyCode onixPriceTypeCode onixPriceTypeQualifierCode amountWithCurrencyCode }
    inHouseFormat { name } inHouseEdition { name } }
"""


@pytest.mark.parametrize("index", [0, 3, 180, 777, 1030])
def test_work_fields_match_the_catalogue_state_on_the_clock_date(emu, world, index):
    spec = world.spec(index)
    on = TODAY
    got = emu.data(
        f"query($id: Int) {{ work(workSearch: {{idEq: $id}}) {{ {WORK_FIELDS} }} }}",
        {"id": spec.id},
    )["work"]
    prefix, bare = at(spec.title, on)
    stage, tier = at(spec.stage, on), at(spec.tier, on)
    products = [p for p in spec.products if p.created_on <= on]
    first_pub = min((at(p.pub_date, on) for p in products), default=spec.first_pub_date)
    contributions = at(spec.contributions, on)
    pids = [p.id for p in products]
    audio = [p.id for p in products if p.form.audio]
    assert got["id"] == spec.id
    assert (got["title"], got["titlePrefix"], got["titleWithoutPrefix"]) == (
        f"{prefix} {bare}" if prefix else bare,
        prefix,
        bare,
    )
    assert got["subtitle"] == at(spec.subtitle, on)
    assert (got["season"], got["seasonId"]) == (season_of(first_pub).name, season_of(first_pub).id)
    assert (
        got["projectStage"],
        got["projectStageId"],
        got["marketingTier"],
        got["marketingTierId"],
    ) == (stage.name, stage.id, tier.name, tier.id)
    assert got["imprint"] == {"id": spec.imprint.id, "name": spec.imprint.name}
    assert (
        got["bisacs"] == [g.bisac for g in spec.genres]
        and got["themas"] == [g.thema for g in spec.genres]
        and got["bics"] == []
    )
    assert [
        (
            c["id"],
            c["sequenceNumber"],
            c["onixContributorRoleCode"],
            c["contributor"]["id"],
            c["contributor"]["name"],
        )
        for c in got["contributions"]
    ] == [(c.id, c.sequence, c.role, c.contact_id, c.person_name) for c in contributions]
    for c, want in zip(got["contributions"], contributions, strict=True):
        assert c["productIds"] == (audio if want.audio_only else pids)
        assert c["workId"] == spec.id
        assert c["contributor"] == {
            "__typename": "Person",
            "id": want.contact_id,
            "name": want.person_name,
            "keyNames": want.last_name,
            "namesBeforeKey": want.first_name,
            "personNameInverted": f"{want.last_name}, {want.first_name}",
        }
    assert [p["id"] for p in got["products"]] == pids
    for p, want in zip(got["products"], products, strict=True):
        status, rights = at(want.status, on), at(want.rights, on)
        assert p["__typename"] == want.form.typename
        assert p["workId"] == spec.id
        assert p["isbn"] == {
            "isbn13": want.isbn13,
            "isbn10": isbn10(want.isbn13),
            "isbnWithDashes": hyphenate(want.isbn13),
            "isbnWithSpaces": hyphenate(want.isbn13, " "),
        }
        assert p["fullTitle"] == got["title"]
        assert p["onix21ProductFormCode"] == want.form.code
        assert p["onix21ProductForm"] == {
            "code": want.form.code,
            "description": FORM_DESCRIPTIONS[want.form.code],
            "value": want.form.code,
            "isDeprecated": False,
            "notes": None,
        }
        assert p["onixPublishingStatusCode"] == "_" + status
        assert p["onixPublishingStatus"]["code"] == status
        assert p["publicationDate"] == at(want.pub_date, on).isoformat()
        assert p["plannedPublicationDate"] == want.pub_date[0][1].isoformat()
        assert (p["forSaleCountryCodes"], p["notForSaleCountryCodes"]) == (
            list(rights.for_sale),
            list(rights.not_for_sale),
        )
        assert (p["isForSaleWorldwide"], p["salesRightsDescription"]) == (
            rights.worldwide,
            rights.description,
        )
        assert [
            (
                x["id"],
                x["amount"],
                x["currencyCode"],
                x["onixPriceTypeCode"],
                x["onixPriceTypeQualifierCode"],
            )
            for x in p["prices"]
        ] == [
            (x.id, x.amount, x.currency, "_" + x.price_type, "_" + x.qualifier)
            for x in at(want.prices, on)
        ]
        assert p["inHouseFormat"] == {"name": want.form.in_house_format} and p[
            "inHouseEdition"
        ] == {"name": want.form.in_house_edition}


def test_isbn10_check_digits_are_valid(emu):
    products = emu.data("{ products { isbn { isbn10 } } }")["products"]
    assert len(products) == 100
    for p in products:
        isbn10 = p["isbn"]["isbn10"]
        total = sum((10 - n) * (10 if d == "X" else int(d)) for n, d in enumerate(isbn10))
        assert total % 11 == 0, isbn10


def test_status_turns_from_forthcoming_to_active_on_the_publication_date(emu, world):
    i = find_work(world, lambda s: s.created_on > date(2025, 1, 1) and s.fate == "normal")
    product = world.spec(i).products[0]
    pub = at(product.pub_date, date.max)
    assert [code for _, code in product.status][:2] == ["02", "04"]
    query = "query($id: Int) { product(productSearch: {idEq: $id}) { onixPublishingStatusCode publicationDate } }"
    emu.set_today(pub - timedelta(days=1))
    assert emu.data(query, {"id": product.id})["product"] == {
        "onixPublishingStatusCode": "_02",
        "publicationDate": pub.isoformat(),
    }
    emu.set_today(pub)
    assert emu.data(query, {"id": product.id})["product"] == {
        "onixPublishingStatusCode": "_04",
        "publicationDate": pub.isoformat(),
    }


def test_rights_change_on_their_date(emu, world):
    i = find_work(world, lambda s: s.fate == "rights_change" and len(s.products[0].rights) == 2)
    product = world.spec(i).products[0]
    (_, before), (when, after) = product.rights
    query = "query($id: Int) { product(productSearch: {idEq: $id}) { forSaleCountryCodes notForSaleCountryCodes isForSaleWorldwide } }"
    emu.set_today(when - timedelta(days=1))
    assert emu.data(query, {"id": product.id})["product"] == {
        "forSaleCountryCodes": list(before.for_sale),
        "notForSaleCountryCodes": list(before.not_for_sale),
        "isForSaleWorldwide": before.worldwide,
    }
    emu.set_today(when)
    assert emu.data(query, {"id": product.id})["product"] == {
        "forSaleCountryCodes": list(after.for_sale),
        "notForSaleCountryCodes": list(after.not_for_sale),
        "isForSaleWorldwide": after.worldwide,
    }


def test_field_arguments_format_and_filter(emu, world):
    i = find_work(
        world,
        lambda s: (
            s.created_on < TODAY
            and s.products
            and s.products[0].form.code == "BB"
            and len(s.genres) == 2
            and s.products[0].created_on <= TODAY
        ),
    )
    spec = world.spec(i)
    bb = spec.products[0]
    pub = at(bb.pub_date, TODAY)
    q = """query($id: Int, $product: Int) { work(workSearch: {idEq: $id}) {
      main: subjectCodes(mainOnly: true) { __typename code main }
      thema: subjectCodes(schemesIn: [THEMA]) { __typename code description main ... on Thema { parentCode } }
      bic: subjectCodes(schemesIn: [BIC]) { code }
      ebooks: products(productSearch: {onix21ProductFormCodeIn: [DG]}) { onix21ProductFormCode }
      products(productSearch: {idEq: $product}) { id
        publicationDateString(directives: "%-d %B %Y") year: publicationDateString(directives: "%Y") iso: publicationDateString
        gbp: prices(priceSearch: {currencyCodeIn: [GBP]}) { currencyCode }
        usRrp: prices(priceSearch: {onixPriceTypeCodeIn: [_01], amountGteq: 0}) { currencyCode }
        ... on PhysicalBookProduct { mm: productHeight cm: productHeight(unit: CM) inches: productHeight(unit: IN) width: productWidth(unit: IN) }
      }
      short: marketingTexts(variantIn: [SHORT_DESCRIPTION]) { variant externalText(stripHtml: true) }
    } }"""
    got = emu.data(q, {"id": spec.id, "product": bb.id})["work"]
    main, second = spec.genres
    assert got["main"] == [
        {"__typename": "BISAC", "code": main.bisac, "main": True},
        {"__typename": "Thema", "code": main.thema, "main": True},
    ]
    assert got["thema"] == [
        {
            "__typename": "Thema",
            "code": main.thema,
            "description": main.thema_description,
            "main": True,
            "parentCode": main.thema_parent,
        },
        {
            "__typename": "Thema",
            "code": second.thema,
            "description": second.thema_description,
            "main": False,
            "parentCode": second.thema_parent,
        },
    ]
    assert got["bic"] == []
    assert got["ebooks"] == [
        {"onix21ProductFormCode": "DG"}
        for p in spec.products
        if p.form.code == "DG" and p.created_on <= TODAY
    ]
    assert got["products"] == [
        {
            "id": bb.id,
            "publicationDateString": f"{pub.day} {pub.strftime('%B')} {pub.year}",
            "year": str(pub.year),
            "iso": pub.isoformat(),
            "gbp": [{"currencyCode": "GBP"}],
            "usRrp": [{"currencyCode": "USD"}, {"currencyCode": "CAD"}],
            "mm": 234.0,
            "cm": 23.4,
            "inches": 9.25,  # 234 mm = 9.21 in, shown rounded up to the sixteenth
            "width": 6.0625,  # 153 mm = 6.02 in
        }
    ]
    short = spec.marketing_texts[0]
    assert short.variant == "SHORT_DESCRIPTION"
    assert got["short"] == [
        {
            "variant": "SHORT_DESCRIPTION",
            "externalText": short.text_on(TODAY).removeprefix("<p>").removesuffix("</p>"),
        }
    ]


# ------------------------------------------------------------------------------------------------
# Search filters
# ------------------------------------------------------------------------------------------------


def test_publication_date_window_returns_exactly_the_products_published_in_it(emu, world):
    first, last = date(2026, 3, 1), date(2026, 5, 31)
    got = emu.all_pages(
        "products",
        "id publicationDate",
        f'publicationDateGteq: "{first}" publicationDateLteq: "{last}"',
    )
    expected = [
        p.id
        for i in range(world.n_works)
        for p in world.spec(i).products
        if world.spec(i).created_on <= TODAY
        and p.created_on <= TODAY
        and first <= at(p.pub_date, TODAY) <= last
    ]
    assert [p["id"] for p in got] == expected
    assert len(expected) > 20


def test_product_filters(emu, world):
    on = TODAY
    live = [
        (i, p)
        for i in range(world.n_works)
        if world.spec(i).created_on <= on
        for p in world.spec(i).products
        if p.created_on <= on
    ]
    audio = [p.id for _, p in live if p.form.code in ("AJ", "AC")]
    got = emu.all_pages("products", "id", "onix21ProductFormCodeIn: [AJ, AC]")
    assert [p["id"] for p in got] == audio
    got = emu.all_pages("products", "id", "productTypes: [ElectronicAudioProduct]")
    assert [p["id"] for p in got] == [
        p.id for _, p in live if p.form.typename == "ElectronicAudioProduct"
    ]
    got = emu.all_pages("products", "id", "productTypes: []")
    assert len(got) == len(live)
    some = [live[5][1], live[300][1], live[900][1]]
    isbns = [some[0].isbn13, hyphenate(some[1].isbn13), some[2].isbn13, "9781234567897"]
    got = emu.data(
        "query($isbns: [String!]) { products(productSearch: {isbn13In: $isbns}) { id } }",
        {"isbns": isbns},
    )
    assert [p["id"] for p in got["products"]] == [p.id for p in some]
    assert emu.data("{ products(productSearch: {isbn13Assigned: false}) { id } }") == {
        "products": []
    }
    by_isbn = "query($isbn: String) { product(productSearch: {isbn13Eq: $isbn}) { id } }"
    assert emu.data(by_isbn, {"isbn": hyphenate(some[1].isbn13)}) == {"product": {"id": some[1].id}}
    assert emu.data('{ product(productSearch: {isbn13Eq: "9781234567897"}) { id } }') == {
        "product": None
    }


def test_work_filters_and_works_filtered_by_products(emu, world):
    on = TODAY
    specs = [world.spec(i) for i in range(world.works_created_by(on))]

    def title(s):
        p, b = at(s.title, on)
        return f"{p} {b}" if p else b

    got = emu.all_pages("works", "id", 'titleCont: "harbour"')
    assert [w["id"] for w in got] == [s.id for s in specs if "harbour" in title(s).lower()]
    got = emu.all_pages("works", "id", "imprintIdIn: [2, 7]")
    assert [w["id"] for w in got] == [s.id for s in specs if s.imprint.id in (2, 7)]
    got = emu.all_pages("works", "id", "subtitlePresent: true")
    assert [w["id"] for w in got] == [s.id for s in specs if at(s.subtitle, on)]
    target = specs[400]
    by_title = "query($t: String, $id: Int) { works(workSearch: {titleEq: $t, idEq: $id}) { id } }"
    assert emu.data(by_title, {"t": title(target), "id": target.id}) == {
        "works": [{"id": target.id}]
    }
    assert emu.data("{ works(workSearch: {contractIdEq: 5}) { id } }") == {"works": []}
    # works(productSearch:) keeps works having a matching product
    q = "query($after: Int) { works(workSearch: {after: $after}, productSearch: {onix21ProductFormCodeIn: [AC]}) { id products(productSearch: {onix21ProductFormCodeIn: [AC]}) { id } } }"
    page = emu.data(q, {"after": None})["works"]
    expected = [
        s for s in specs if any(p.form.code == "AC" and p.created_on <= on for p in s.products)
    ]
    assert [w["id"] for w in page] == [s.id for s in expected][:100]
    assert all(len(w["products"]) == 1 for w in page)


def test_price_search_on_products_keeps_products_with_a_matching_price(emu, world):
    cheap = emu.data(
        "{ products(productSearch: {onix21ProductFormCodeIn: [DG]}, priceSearch: {amountLteq: 5.5, currencyCodeIn: [GBP]}) { id prices(priceSearch: {currencyCodeIn: [GBP]}) { amount } } }"
    )["products"]
    expected = []
    for i in range(world.n_works):
        for p in world.spec(i).products:
            if world.spec(i).created_on <= TODAY and p.created_on <= TODAY and p.form.code == "DG":
                gbp = [x.amount for x in at(p.prices, TODAY) if x.currency == "GBP"]
                if gbp[0] <= 5.5:
                    expected.append({"id": p.id, "prices": [{"amount": gbp[0]}]})
    assert cheap == expected[:100]
    assert len(expected) > 0


def test_reference_lists(emu):
    got = emu.data(
        "{ imprints { id name } projectStages { id name } marketingTiers { id name } seasons { id name startDate endDate } }"
    )
    assert got["imprints"][0] == {"id": 1, "name": "Harbour Press"} and len(got["imprints"]) == 8
    assert [s["name"] for s in got["projectStages"]][4:6] == ["Launch readiness", "Pre-launch"]
    assert got["marketingTiers"] == [
        {"id": 1, "name": "Lead"},
        {"id": 2, "name": "Key"},
        {"id": 3, "name": "Core"},
    ]
    spring = next(s for s in got["seasons"] if s["name"] == "Spring 2026")
    assert spring == {
        "id": 20261,
        "name": "Spring 2026",
        "startDate": "2026-03-01",
        "endDate": "2026-05-31",
    }
    assert (
        got["seasons"][0]["name"] == "Spring 2000" and got["seasons"][-1]["name"] == "Winter 2027"
    )  # to the end of next year


# ------------------------------------------------------------------------------------------------
# Errors and auth
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ works { id foo } }", "Cannot query field 'foo' on type 'Work'."),
        (
            "{ products(productSearch: {onix21ProductFormCodeIn: [XX]}) { id } }",
            "Value 'XX' does not exist in 'ONIX21ProductFormCode' enum.",
        ),
        (
            '{ works(workSearch: {after: "x"}) { id } }',
            'Int cannot represent non-integer value: "x"',
        ),
        ("{ works { id ", "Syntax Error: Expected Name, found <EOF>."),
        (
            '{ works(workSearch: {changedSince: "2026-13-01"}) { id } }',
            'ISO8601Date must be a date string YYYY-MM-DD; got "2026-13-01"',
        ),
        (
            "{ product { isbn } }",
            "Field 'isbn' of type 'ISBN' must have a selection of subfields. Did you mean 'isbn { ... }'?",
        ),
        ("{ works(search: {}) { id } }", "Unknown argument 'search' on field 'Query.works'."),
    ],
)
def test_malformed_documents_get_top_level_errors_and_no_data(emu, query, message):
    body = emu.gql(query)
    assert "data" not in body
    assert body["errors"][0]["message"] == message


def test_bad_variables_and_bodies(emu):
    body = emu.gql(
        "query($d: ISO8601Date) { works(workSearch: {changedSince: $d}) { id } }",
        {"d": "2026-02-30"},
    )
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Variable '$d' has invalid value: ISO8601Date must be a date string YYYY-MM-DD; got \"2026-02-30\"",
                "locations": [{"line": 1, "column": 7}],
            }
        ],
    }
    r = emu.http.post(
        f"{emu.url}/graphql",
        data="{not json",
        headers={**BEARER, "Content-Type": "application/json"},
        timeout=10,
    )
    assert (r.status_code, r.json()) == (
        400,
        {"errors": [{"message": "Request body is not valid JSON"}]},
    )
    r = emu.http.post(f"{emu.url}/graphql", json={"variables": {}}, headers=BEARER, timeout=10)
    assert (r.status_code, r.json()) == (
        200,
        {"errors": [{"message": "No query string was present"}]},
    )
    r = emu.http.get(f"{emu.url}/graphql", headers=BEARER, timeout=10)
    assert r.status_code == 405


def test_graphql_auth(emu):
    query = "{ works { id } }"
    r = emu.post_graphql(query, headers={})
    assert (r.status_code, r.json()) == (
        401,
        {
            "errors": [
                {
                    "message": "Authentication required: send Authorization: Bearer <API key>"
                    " (or Token <API key>)"
                }
            ]
        },
    )
    r = emu.post_graphql(
        query, headers={"Authorization": "Bearer 0123456789abcdef0123456789abcdef"}
    )
    assert (r.status_code, r.json()) == (401, {"errors": [{"message": "Invalid API key"}]})
    r = emu.post_graphql(query, headers={"Authorization": "Token 0123456789abcdef0123456789abcdef"})
    assert (r.status_code, r.json()) == (401, {"errors": [{"message": "Invalid API key"}]})
    r = emu.post_graphql(query, headers={"Authorization": "Basic " + DEFAULT_API_KEY})
    assert r.status_code == 401


@pytest.mark.parametrize(
    "template",
    # Bearer as the GraphQL docs say; Token as Consonance's demo app sends it; the REST forms
    ["Bearer {k}", "bearer {k}", "Token {k}", "Token token={k}", 'Token token="{k}"'],
)
def test_graphql_accepts_bearer_and_the_token_forms(emu, template):
    r = emu.post_graphql(
        "{ works { id } }", headers={"Authorization": template.format(k=DEFAULT_API_KEY)}
    )
    assert r.status_code == 200 and len(r.json()["data"]["works"]) == 100


def test_introspection_describes_the_product_family(emu):
    got = emu.data(
        '{ __type(name: "Product") { kind possibleTypes { name } } status: __type(name: "ONIXPublishingStatusCode") { enumValues { name } } }'
    )
    assert got["__type"]["kind"] == "INTERFACE"
    assert sorted(t["name"] for t in got["__type"]["possibleTypes"]) == sorted(
        [
            "PhysicalBookProduct",
            "ElectronicBookProduct",
            "PhysicalAudioProduct",
            "ElectronicAudioProduct",
            "PhysicalProduct",
            "ElectronicProduct",
            "GenericProduct",
        ]
    )
    assert [v["name"] for v in got["status"]["enumValues"]][:5] == [
        "_00",
        "_01",
        "_02",
        "_03",
        "_04",
    ]


def test_isbn_display_forms_follow_the_range_message(emu):
    # the ISBN agency's range message puts registrant 900000 (6 digits) in group 1: the issue's
    # example, where a fixed 3-digit registrant gave 978-1-900-00000-0
    got = emu.data(
        '{ product(productSearch: {isbn13Eq: "9781900000000"}) '
        "{ isbn { isbn13 isbn10 isbnWithDashes isbnWithSpaces } } }"
    )
    assert got == {
        "product": {
            "isbn": {
                "isbn13": "9781900000000",
                "isbn10": "1900000008",
                "isbnWithDashes": "978-1-900000-00-0",
                "isbnWithSpaces": "978 1 900000 00 0",
            }
        }
    }
