"""The emulator's fast executor answers exactly as graphql-core's own executor, errors included.

In-process (no HTTP): the same documents run through ``FastExecutor`` and through graphql-core's
stock executor over the same state, including records a fixture made malformed so that values
fail coercion and nulls land in non-null fields at several depths.
"""

from __future__ import annotations

from datetime import date

import pytest
from graphql import parse
from graphql.execution import execute
from graphql.execution.executor_throwing_on_incremental import ExecutorThrowingOnIncremental

from emulators.consonance.executor import FastExecutor
from emulators.consonance.graphql_api import Context, GraphQLService

pytestmark = pytest.mark.unit

TODAY = date(2026, 6, 1)

DOCUMENTS = [
    """{ works(workSearch: {after: 1010}) { __typename id title season imprint { id name } bisacs
         contributions { id contributor { __typename id name ... on Person { keyNames } } productIds work { id } }
         subjectCodes(mainOnly: true) { __typename code ... on Thema { parentCode } }
         products { __typename id isbn { isbn13 isbn10 } onixPublishingStatusCode onixPublishingStatus { code description }
           prices(priceSearch: {currencyCodeIn: [GBP, USD]}) { id amount currency label onixPriceTypeQualifier { code } }
           ... on PhysicalBookProduct { productHeight(unit: CM) wordCount }
           ... on ElectronicAudioProduct { runningTime }
           marketingTexts { id externalText(stripHtml: true) productIds } webLinks { id link role } work { id } } } }""",
    """{ products(productSearch: {after: 100200}) { id fullTitle isForSaleWorldwide forSaleCountryCodes
         publicationDate publicationDateString(directives: "%d/%m/%Y") plannedPublicationDate
         inHouseFormat { name productsCount inHouseEditions { code } } supportingResources { id createdAt url } } }""",
    """{ a: work(workSearch: {idEq: 1004}) { id products { id prices { amount currencyCode } } }
         b: work(workSearch: {idEq: 1005}) { id products { id isForSaleWorldwide } }
         c: product(productSearch: {idEq: 100050}) { id onixPublishingStatusCode onix21ProductFormCode }
         d: works(workSearch: {idEq: 1007}) { id products { id isbn { isbn13 } } }
         e: seasons { id name startDate } }""",
]

BROKEN = {
    "works": [{"id": 1004, "overrides": {"imprint": {"id": None, "name": "No id"}}}],
    "products": [
        {
            "id": 100030,
            "overrides": {
                "prices": [
                    {"amount": "abc", "currencyCode": "GBP"},
                    {"amount": 5, "currencyCode": "USD"},
                ]
            },
        },
        {"id": 100040, "overrides": {"isForSaleWorldwide": None}},
        {
            "id": 100050,
            "overrides": {"onixPublishingStatusCode": 7, "onix21ProductFormCode": "_99"},
        },
        {"id": 100060, "overrides": {"isbn": {"isbn13": ["9781"]}}},
        {
            "id": 100201,
            "overrides": {"forSaleCountryCodes": ["GB", None], "publicationDate": "someday"},
        },
        {"id": 100202, "overrides": {"__typename": "Magazine"}},
    ],
}


def run(service: GraphQLService, document: str, executor: type) -> dict:
    ctx = Context(service.state, TODAY, "http://emulator")
    return execute(
        service.schema, parse(document), context_value=ctx, executor_class=executor
    ).formatted


@pytest.fixture(scope="module")
def service() -> GraphQLService:
    from emulators.consonance.store import ConsonanceState

    return GraphQLService(ConsonanceState(works=300, today=TODAY, api_keys=("k",)))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_same_answers_on_clean_records(service, document):
    fast = run(service, document, FastExecutor)
    assert "errors" not in fast
    assert fast == run(service, document, ExecutorThrowingOnIncremental)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_same_answers_and_errors_on_malformed_records(service, document):
    service.state.reset()
    service.state.load_fixtures(BROKEN)
    try:
        fast = run(service, document, FastExecutor)
        stock = run(service, document, ExecutorThrowingOnIncremental)
    finally:
        service.state.reset()
    assert fast == stock
    assert fast["errors"]  # the malformed records do reach these documents


def test_malformed_records_fail_the_way_graphql_specifies(service):
    service.state.load_fixtures(BROKEN)
    try:
        got = run(service, DOCUMENTS[2], FastExecutor)
    finally:
        service.state.reset()
    messages = {tuple(e["path"]): e["message"] for e in got["errors"]}
    assert messages == {
        (
            "a",
            "products",
            0,
            "prices",
            0,
            "amount",
        ): "Float cannot represent non numeric value: 'abc'",
        (
            "b",
            "products",
            0,
            "isForSaleWorldwide",
        ): "Cannot return null for non-nullable field PhysicalBookProduct.isForSaleWorldwide.",
        (
            "c",
            "onixPublishingStatusCode",
        ): "Enum 'ONIXPublishingStatusCode' cannot represent value: 7",
        ("d", 0, "products", 0, "isbn", "isbn13"): "String cannot represent value: ['9781']",
    }
    # a null in a non-null field nulls the nearest nullable parent: here the whole work
    assert got["data"]["a"] is None and got["data"]["b"] is None
    assert got["data"]["c"] == {
        "id": 100050,
        "onixPublishingStatusCode": None,
        "onix21ProductFormCode": "_99",
    }
    assert got["data"]["d"][0]["products"][0]["isbn"] == {"isbn13": None}
