"""Every GraphQL document this project sends to Consonance, one module-level constant each.

Extraction, the write-back and the season backfill all take their documents from here, so a
preflight can validate the whole set against the schema: :data:`DOCUMENTS` holds each one by
its constant's name.
"""

from __future__ import annotations

# ---- extraction (titlevideo.extract.consonance) ------------------------------------------------

WORKS_QUERY = """
query ExtractWorks($workSearch: WorkSearchAttributes, $productSearch: ProductSearchAttributes) {
  works(workSearch: $workSearch, productSearch: $productSearch) {
    id
    title
    subtitle
    imprint { id name }
    season
    projectStage
    marketingTier
    authorshipDescription
    contributions {
      id
      sequenceNumber
      onixContributorRoleCode
      productIds
      contributor { id name }
    }
    subjectCodes(schemesIn: [BISAC, THEMA]) {
      __typename
      code
      description
      main
      ... on Thema { parentCode }
    }
    marketingTexts {
      id
      variant
      externalText
      internalTextMarkdown
      productIds
    }
    supportingResources {
      id
      resourceVariant
      url
      filename
      imageContentType
      status
      isProcessing
      productIds
    }
    products {
      __typename
      id
      isbn { isbn13 }
      fullTitle
      subtitle
      onix21ProductFormCode
      onixPublishingStatusCode
      publicationDate
      plannedPublicationDate
      salesEmbargoDate
      outOfPrintDate
      forSaleCountryCodes
      notForSaleCountryCodes
      isForSaleWorldwide
      salesRightsDescription
      prices { id amount currencyCode onixPriceTypeCode onixPriceTypeQualifierCode }
      webLinks { id link role description includeInOnix }
    }
  }
}
"""

# ---- write-back (titlevideo.reverse.targets.consonance): mutations, and the reads that verify them --------

CREATE_WEB_LINK = """
mutation CreateWebLink($input: CreateWebLinkInput!) {
  createWebLink(input: $input) { webLink { id link role description } errors { field message } clientMutationId }
}"""
UPDATE_WEB_LINK = """
mutation UpdateWebLink($input: UpdateWebLinkInput!) {
  updateWebLink(input: $input) { webLink { id link role description } errors { field message } clientMutationId }
}"""
DELETE_WEB_LINK = """
mutation DeleteWebLink($input: DeleteWebLinkInput!) {
  deleteWebLink(input: $input) { webLink { id } errors { field message } clientMutationId }
}"""
CREATE_MARKETING_TEXT = """
mutation CreateMarketingText($input: CreateMarketingTextInput!) {
  createMarketingText(input: $input) { marketingText { id } errors { field message } clientMutationId }
}"""
DELETE_MARKETING_TEXT = """
mutation DeleteMarketingText($input: DeleteMarketingTextInput!) {
  deleteMarketingText(input: $input) { errors { field message } clientMutationId }
}"""
CREATE_SUPPORTING_RESOURCE = """
mutation CreateSupportingResource($input: CreateSupportingResourceInput!) {
  createSupportingResource(input: $input) {
    supportingResource { id url imageRemoteUrl caption } errors { field message } clientMutationId
  }
}"""
DELETE_SUPPORTING_RESOURCE = """
mutation DeleteSupportingResource($input: DeleteSupportingResourceInput!) {
  deleteSupportingResource(input: $input) { errors { field message } clientMutationId }
}"""
WORK_RESOURCES = """
query WorkResources($search: WorkSearchAttributes) {
  work(workSearch: $search) { id supportingResources { id url imageRemoteUrl caption } }
}"""
PRODUCT_LINKS = """
query ProductLinks($search: ProductSearchAttributes) {
  product(productSearch: $search) { id webLinks { id link role description } }
}"""
WORK_TEXTS = """
query WorkTexts($search: WorkSearchAttributes) {
  work(workSearch: $search) { id marketingTexts { id internalTextMarkdown } }
}"""

# ---- the season backfill (titlevideo.local.backfill) -------------------------------------------

SEASONS_QUERY = "query Seasons { seasons { id name startDate endDate } }"
SEASON_WORKS_QUERY = """
query SeasonWorks($workSearch: WorkSearchAttributes) {
  works(workSearch: $workSearch) { id season products { id publicationDate } }
}
"""

#: every document above, by its constant's name
DOCUMENTS: dict[str, str] = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper()
    and isinstance(value, str)
    and value.lstrip().startswith(("query", "mutation"))
}
