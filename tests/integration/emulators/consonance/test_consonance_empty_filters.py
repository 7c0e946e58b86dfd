"""An empty list filter is no filter, in every list argument of both APIs (issue 16, defect 6):
Consonance's search inputs are Ransack conditions, and Ransack drops a blank one (its docs say
so for ``productTypes``); the REST view's ``q[..._in][]=`` likewise."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "root, args, baseline",
    [
        ("works", "workSearch: {imprintIdIn: []}", "workSearch: {}"),
        # a productSearch keeps the works that have a product: compared with an empty one
        (
            "works",
            "productSearch: {isbn13In: [], onix21ProductFormCodeIn: [], productTypes: []}",
            "productSearch: {}",
        ),
        ("products", "productSearch: {isbn13In: []}", "productSearch: {}"),
        (
            "products",
            "productSearch: {onix21ProductFormCodeIn: [], productTypes: []}",
            "productSearch: {}",
        ),
        ("products", "workSearch: {imprintIdIn: []}", "workSearch: {}"),
        (
            "products",
            "priceSearch: {currencyCodeIn: [], onixPriceTypeCodeIn: [],"
            " onixPriceTypeQualifierCodeIn: []}",
            "priceSearch: {}",
        ),
    ],
)
def test_empty_root_filters_are_no_filter(emu, root, args, baseline):
    unfiltered = emu.data(f"{{ {root}({baseline}) {{ id }} }}")[root]
    assert len(unfiltered) == 100
    assert emu.data(f"{{ {root}({args}) {{ id }} }}")[root] == unfiltered


def test_empty_nested_filters_are_no_filter(emu):
    query = """{ works(workSearch: {after: 0}) { id
      marketingTexts%s { id }
      subjectCodes%s { code }
      products%s { id prices%s { id } } } }"""
    plain = emu.data(query % ("", "", "", ""))["works"]
    empty = emu.data(
        query
        % (
            "(variantIn: [])",
            "(schemesIn: [])",
            "(productSearch: {isbn13In: []})",
            "(priceSearch: {currencyCodeIn: []})",
        )
    )["works"]
    assert empty == plain
    # the comparison means something: the page has texts, subjects, products and prices
    assert all(w["marketingTexts"] and w["subjectCodes"] and w["products"] for w in plain[:5])


def test_rest_blank_in_condition_is_no_filter(emu):
    plain = emu.rest({"per_page": 100}).json()
    blank = emu.rest({"per_page": 100, "q[id_in][]": ""}).json()
    assert [p["id"] for p in blank["products"]] == [p["id"] for p in plain["products"]]
    assert blank["total_pages"] == plain["total_pages"]
