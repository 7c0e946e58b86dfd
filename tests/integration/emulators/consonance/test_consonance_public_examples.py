"""The public example queries of Consonance's GraphQL docs (GeneralProducts/consonance-graphql,
folder ``examples/``), stored under ``tests/fixtures/consonance_examples/``, in detail (every
version of every example, ``legal/`` and ``people/`` included, is run by
``test_consonance_public_examples_all_versions.py``).

In scope — run as published and must answer without errors and with data:
    products, products_and_their_works, filtered_products_and_their_work,
    products_filtered_by_work_attributes (a fixture gives a work a title containing "phys"),
    sample_ai and sample_production_request_form (their ``${isbn}`` placeholder filled),
    sample_dashboard, works_and_their_products, works_filtered_by_product,
    works_filtered_by_product_and_filtered_products, update_work_title (its ``[WORK_ID]``
    placeholder filled).

Out of scope — each is rejected the way a GraphQL server rejects it, and the test says so:
    * products_filtered_by_price_and_format: the published text has a stray ``{`` and does not
      parse (a syntax error); with that brace removed it runs and is in scope.
    * sample_custom_report, works_and_their_marketing_material: select ``prizes``,
      ``seriesMemberships``, ``similarProducts`` (and ``audience``) on Work, which the emulator
      does not model (the catalogue has no prizes, series, comparable titles or audiences).
    * works_and_marketing_material: as above, and it declares ``$workId: String!`` for the Int
      ``idEq`` (invalid against the real schema too).
    * works_and_product_production_run_details: the published block contains unresolved git
      merge-conflict markers (a syntax error); production runs are not modelled either.
    * update_product_pub_date, update_product_pub_status, update_product_add_isbn, update_prices:
      unmerged WIP drafts (branch ``mutations``) that contradict the published types: ``isbn``
      selected without subfields, ``title`` on Product, ``errors { messages }`` /
      ``{ attribute }``, ``ID`` variables for Int ids, a non-Relay ``updateWork(id:, scope:)``.
    * diagram.md holds a Mermaid diagram, not GraphQL; it is not stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulators.catalog import World, at

from .conftest import TODAY

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "consonance_examples"


def example(name: str) -> str:
    text = (EXAMPLES / f"{name}.graphql").read_text(encoding="utf-8")
    assert text.startswith(
        "# Public example from https://github.com/GeneralProducts/consonance-graphql\n# Source: "
    )
    return text


def test_every_stored_example_is_classified():
    # the current version of each example; older versions (<name>@<commit>) are run by
    # test_consonance_public_examples_all_versions.py
    stored = sorted(p.stem for p in EXAMPLES.glob("*.graphql") if "@" not in p.stem)
    assert stored == sorted(
        [
            *IN_SCOPE_AS_PUBLISHED,
            *PLACEHOLDERS,
            "products_filtered_by_work_attributes",
            *OUT_OF_SCOPE,
            "products_filtered_by_price_and_format",
        ]
    )


IN_SCOPE_AS_PUBLISHED = [
    "products",
    "products_and_their_works",
    "filtered_products_and_their_work",
    "sample_dashboard",
    "works_and_their_products",
    "works_filtered_by_product",
    "works_filtered_by_product_and_filtered_products",
]


@pytest.mark.parametrize("name", IN_SCOPE_AS_PUBLISHED)
def test_in_scope_examples_run_as_published(emu, name):
    body = emu.gql(example(name))
    assert "errors" not in body, body.get("errors")
    (root,) = body["data"].values()
    assert isinstance(root, list) and len(root) == 100  # a full first page


def live_spec(world: World, predicate):
    return next(
        s for s in (world.spec(i) for i in range(world.works_created_by(TODAY))) if predicate(s)
    )


PLACEHOLDERS = ["sample_ai", "sample_production_request_form", "update_work_title"]


@pytest.mark.parametrize("name", PLACEHOLDERS[:2])
def test_apps_script_examples_with_their_isbn_placeholder_filled(emu, world, name):
    spec = live_spec(
        world, lambda s: any(p.form.audio and p.created_on <= TODAY for p in s.products)
    )
    audio = next(p for p in spec.products if p.form.audio)
    body = emu.gql(example(name).replace("${isbn}", audio.isbn13))
    assert "errors" not in body, body.get("errors")
    product = body["data"]["product"]
    assert product["id"] == audio.id and product["isbn"]["isbn13"] == audio.isbn13
    narrator = at(spec.contributions, TODAY)[-1]
    assert narrator.role == "E07"
    assert product["contributions"][-1]["contributor"]["name"] == narrator.person_name
    assert product["inHouseEdition"]["inHouseFormats"] == [
        {"code": {"AJ": "DAUD", "AC": "CD"}[audio.form.code]}
    ]
    assert product["supportingResources"][0]["caption"] == "Front cover"


def test_update_work_title_example_with_its_id_placeholder_filled(emu, world):
    spec = live_spec(world, lambda s: True)
    body = emu.gql(example("update_work_title").replace("[WORK_ID]", str(spec.id)))
    assert body == {"data": {"updateWork": {"work": {"id": spec.id, "title": "Your New Title"}}}}


def test_filtered_by_work_attributes_finds_the_physical_products_of_a_phys_title(emu, world):
    spec = live_spec(
        world,
        lambda s: (
            sum(p.form.code in ("BB", "BC") and p.created_on <= TODAY for p in s.products) >= 1
        ),
    )
    emu.fixtures({"works": [{"id": spec.id, "overrides": {"title": "The Physics of Salt"}}]})
    body = emu.gql(example("products_filtered_by_work_attributes"))
    assert body == {
        "data": {
            "products": [
                {
                    "id": p.id,
                    "onix21ProductFormCode": p.form.code,
                    "onix21ProductForm": {
                        "code": p.form.code,
                        "description": {"BB": "Hardback", "BC": "Paperback / softback"}[
                            p.form.code
                        ],
                    },
                    "work": {"title": "The Physics of Salt"},
                }
                for p in spec.products
                if p.form.code in ("BB", "BC") and p.created_on <= TODAY
            ]
        }
    }


def test_price_and_format_example_is_a_syntax_error_as_published_and_runs_when_fixed(emu, world):
    published = example("products_filtered_by_price_and_format")
    body = emu.gql(published)
    assert body == {
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found '{'.",
                "locations": [{"line": 6, "column": 2}],
            }
        ]
    }
    fixed = published.replace("{\n {\n", "{\n", 1)
    assert emu.gql(fixed) == {"data": {"products": []}}  # no e-book costs 0.99 or less
    spec = live_spec(
        world, lambda s: any(p.form.code == "DG" and p.created_on <= TODAY for p in s.products)
    )
    ebook = next(p for p in spec.products if p.form.code == "DG")
    emu.fixtures(
        {
            "products": [
                {"id": ebook.id, "overrides": {"prices": [{"amount": 0.49, "currencyCode": "GBP"}]}}
            ]
        }
    )
    prefix, bare = at(spec.title, TODAY)
    assert emu.gql(fixed) == {
        "data": {
            "products": [
                {
                    "id": ebook.id,
                    "isbn": {"isbn13": ebook.isbn13},
                    "onix21ProductFormCode": "DG",
                    "onix21ProductForm": {"code": "DG", "description": "Electronic book text"},
                    "onixPublishingStatusCode": "_" + at(ebook.status, TODAY),
                    "onixPublishingStatus": {
                        "code": at(ebook.status, TODAY),
                        "description": {"02": "Forthcoming", "04": "Active"}[
                            at(ebook.status, TODAY)
                        ],
                    },
                    "work": {"title": f"{prefix} {bare}" if prefix else bare},
                }
            ]
        }
    }


UNMODELLED_WORK_FIELDS = [
    "Cannot query field 'prizes' on type 'Work'.",
    "Cannot query field 'seriesMemberships' on type 'Work'.",
    "Cannot query field 'similarProducts' on type 'Work'. Did you mean 'products'?",
]
WIP_UPDATE_PRODUCT = [
    "Cannot query field 'messages' on type 'MutationError'. Did you mean 'message'?",
    "Cannot query field 'title' on type 'Product'. Did you mean 'subtitle'?",
    "Field 'isbn' of type 'ISBN' must have a selection of subfields. Did you mean 'isbn { ... }'?",
]
OUT_OF_SCOPE = {
    "sample_custom_report": [
        "Cannot query field 'audience' on type 'Work'.",
        *UNMODELLED_WORK_FIELDS,
    ],
    "works_and_their_marketing_material": UNMODELLED_WORK_FIELDS,
    "works_and_marketing_material": [
        *UNMODELLED_WORK_FIELDS,
        "Variable '$workId' of type 'String!' used in position expecting type 'Int'.",
    ],
    "works_and_product_production_run_details": ["Syntax Error: Unexpected '='."],
    "update_product_pub_date": WIP_UPDATE_PRODUCT,
    "update_product_pub_status": WIP_UPDATE_PRODUCT,
    "update_product_add_isbn": [
        "Cannot query field 'attribute' on type 'MutationError'.",
        "Field 'isbn' of type 'ISBN' must have a selection of subfields. Did you mean 'isbn { ... }'?",
        "Unknown type 'ID'.",  # ids are Int; the schema has no ID type at all
    ],
    "update_prices": [
        "Argument 'Mutation.updateWork(input:)' of type 'UpdateWorkInput!' is required, but it was not provided.",
        "Cannot query field 'prices' on type 'Work'. Did you mean 'bics'?",
        "Unknown argument 'id' on field 'Mutation.updateWork'.",
        "Unknown argument 'productInputs' on field 'Mutation.updateWork'.",
        "Unknown argument 'scope' on field 'Mutation.updateWork'.",
        "Unknown type 'ID'.",
    ],
}


@pytest.mark.parametrize("name", sorted(OUT_OF_SCOPE))
def test_out_of_scope_examples_are_rejected_with_errors_naming_the_cause(emu, name):
    body = emu.gql(example(name))
    assert "data" not in body
    assert sorted(e["message"] for e in body["errors"]) == sorted(OUT_OF_SCOPE[name])
    # refused mutation documents are logged as refused write calls; queries write nothing
    expected = (
        []
        if not name.startswith("update_")
        else [("updateWork" if name == "update_prices" else "updateProduct", "error")]
    )
    assert [(e["operation"], e["outcome"]) for e in emu.writes()] == expected
