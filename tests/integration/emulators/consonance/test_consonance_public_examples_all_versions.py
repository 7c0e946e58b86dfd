"""Every version of every public example of Consonance's GraphQL docs against the emulator.

``tests/fixtures/consonance_examples/`` holds each distinct GraphQL document found in any commit
of any branch of GeneralProducts/consonance-graphql (``<example>.graphql`` for the ones the
detailed tests in ``test_consonance_public_examples.py`` use, ``<example>@<first commit>.graphql``
for the other versions). Each is sent to the emulator with its placeholders filled in. Either it
answers without errors and with data, or every error names something the README lists as not
modelled, or the document is invalid as published (a syntax error, a variable of the wrong type
for the published schema, an unmerged draft); then the test names the reason. So a public
operation that fails, fails on something the README lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulators.catalog import World

from .conftest import TODAY

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[4]
EXAMPLES = ROOT / "tests" / "fixtures" / "consonance_examples"
README = ROOT / "README.md"

#: (type, field) the emulator does not model; each is named in the README's Consonance
#: "Not modelled" list.
NOT_MODELLED = {
    ("Query", "contract"),
    ("Query", "contacts"),
    ("Query", "person"),
    ("Query", "organisation"),
    ("Work", "prizes"),
    ("Work", "seriesMemberships"),
    ("Work", "similarProducts"),
    ("Work", "audience"),
    ("Work", "productionRuns"),
}

#: Documents the real schema refuses as published, and the error that shows why.
INVALID_AS_PUBLISHED = {
    # a stray `{` before the selection
    "products_filtered_by_price_and_format": "Syntax Error: Expected Name, found '{'.",
    # the code block stops before the closing braces
    "works_and_marketing_material@5d26233": "Syntax Error: Expected Name, found <EOF>.",
    "works_and_marketing_material@12ce94d": "Syntax Error: Expected Name, found <EOF>.",
    # unresolved git merge-conflict markers
    "works_and_product_production_run_details": "Syntax Error: Unexpected '='.",
    # `$workId: String!` for the Int `idEq`
    "works_and_marketing_material": "Variable '$workId' of type 'String!' used in position"
    " expecting type 'Int'.",
    # the Apps Script puts its id inside quotes: a String for the Int `idEq`
    "sample_production_request_form@281a3f3": 'Int cannot represent non-integer value: "',
    # unmerged WIP drafts (branch `mutations`) that contradict the published types
    "update_product_pub_date": "Cannot query field 'title' on type 'Product'.",
    "update_product_pub_status": "Cannot query field 'title' on type 'Product'.",
    "update_product_add_isbn": "Unknown type 'ID'.",
    "update_prices": "Unknown type 'ID'.",
}

_UNQUERYABLE = re.compile(r"^Cannot query field '(\w+)' on type '(\w+)'\.")


def examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.graphql"))


def live_ids(world: World) -> tuple[int, str]:
    """A work that exists on TODAY and the ISBN-13 of one of its products."""
    for i in range(world.works_created_by(TODAY)):
        spec = world.spec(i)
        product = next((p for p in spec.products if p.created_on <= TODAY), None)
        if product is not None:
            return spec.id, product.isbn13
    raise AssertionError("no live work")


def filled(text: str, work_id: int, isbn: str) -> str:
    for placeholder in ("YOUR_WORK_ID", "WORKID", "[WORK_ID]", "${id}"):
        text = text.replace(placeholder, str(work_id))
    return text.replace("${isbn}", isbn)


def test_every_version_is_stored_with_its_source():
    names = examples()
    assert len(names) == 58  # 57 distinct documents, plus the conflict-marker text kept whole
    for name in names:
        head = (EXAMPLES / f"{name}.graphql").read_text(encoding="utf-8").splitlines()[:2]
        assert (
            head[0] == "# Public example from https://github.com/GeneralProducts/consonance-graphql"
        )
        assert head[1].startswith("# Source: ")


@pytest.mark.parametrize("name", examples())
def test_public_example_runs_or_fails_on_something_listed(emu, world, name):
    work_id, isbn = live_ids(world)
    text = filled((EXAMPLES / f"{name}.graphql").read_text(encoding="utf-8"), work_id, isbn)
    variables = {
        "workId": work_id,
        "contractId": 1,
        "personId": 1,
        "organisationId": 1,
        "organisationName": "Name here",
        "input": {"id": 1},
        "id": "1",
        "isbn": isbn,
        "pricingScope": "01-05-02-05",
    }
    body = emu.gql(text, variables)
    messages = [e["message"] for e in body.get("errors", [])]
    if name in INVALID_AS_PUBLISHED:
        assert any(m.startswith(INVALID_AS_PUBLISHED[name]) for m in messages), messages
        return
    unmodelled = {
        (m.group(2), m.group(1)) for m in map(_UNQUERYABLE.match, messages) if m is not None
    }
    if messages:
        # every error is a field the emulator does not model, and each is listed
        assert all(_UNQUERYABLE.match(m) for m in messages), messages
        assert unmodelled <= NOT_MODELLED, messages
    else:
        # a list may be empty (a filter example whose condition no title meets, such as
        # e-books at 0.99 or less); a single work or product, asked for by a live id, is found
        (root,) = body["data"].values()
        assert isinstance(root, list) or root is not None, f"{name}: no data"


def test_the_readme_lists_everything_not_modelled():
    text = README.read_text(encoding="utf-8")
    consonance = text[text.index("* **Consonance** (`emulators/consonance/`") :]
    listed = consonance[consonance.index("Not modelled:") : consonance.index("* **ByteNite**")]
    for _, field in sorted(NOT_MODELLED):
        assert f"`{field}`" in listed, field
