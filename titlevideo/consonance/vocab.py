"""Consonance's vocabulary: its record contracts, its marketing tiers and how it spells codes.

The GraphQL documents are in :mod:`titlevideo.consonance.queries`; the ONIX and ISO code lists
that Consonance's values are checked against are in :mod:`titlevideo.codes`.
"""

from __future__ import annotations

from titlevideo.contract import F

#: Consonance's marketing tiers (``Work.marketingTier``), which the business rules key on.
TIERS = ("Lead", "Key", "Core")


def role_enum(code: str) -> str:
    """An ONIX code as Consonance's GraphQL enums spell it: ``"30"`` -> ``"_30"`` (an enum value
    cannot start with a digit); the inverse is :func:`titlevideo.codes.strip_enum_underscore`."""
    return f"_{code}" if code[:1].isdigit() else code


# ---- record contracts (what the API sends; see titlevideo.contract) ----------------------------

WORK_CONTRACT = (
    F("id", "int", nullable=False),
    F("title", "str"),
    F("subtitle", "str"),
    F("imprint", "dict"),
    F("season", "str"),
    F("projectStage", "str"),
    F("marketingTier", "str"),
    F("authorshipDescription", "str"),
    F("contributions", "list"),
    F("subjectCodes", "list"),
    F("marketingTexts", "list"),
    F("supportingResources", "list"),
    F("products", "list"),
)
PRODUCT_CONTRACT = (
    F("__typename", "str"),
    F("id", "int", nullable=False),
    F("isbn", "dict"),
    F("fullTitle", "str"),
    F("subtitle", "str"),
    F("onix21ProductFormCode", "str"),
    F("onixPublishingStatusCode", "str"),
    F("publicationDate", "str"),
    F("plannedPublicationDate", "str"),
    F("salesEmbargoDate", "str"),
    F("outOfPrintDate", "str"),
    F("forSaleCountryCodes", "list"),
    F("notForSaleCountryCodes", "list"),
    F("isForSaleWorldwide", "bool"),
    F("salesRightsDescription", "str"),
    F("prices", "list"),
    F("webLinks", "list"),
)
TEXT_CONTRACT = (
    F("id", "int", nullable=False),
    F("variant", "str"),
    F("externalText", "str"),
    F("internalTextMarkdown", "str"),
    F("productIds", "list"),
)
LINK_CONTRACT = (
    F("id", "int", nullable=False),
    F("link", "str"),
    F("role", "str"),
    F("description", "str"),
    F("includeInOnix", "bool"),
)
