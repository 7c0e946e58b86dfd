"""A faithful stand-in for Consonance (consonance.app), the title-management system.

Run it with ``python -m emulators.consonance --port 8081 [--api-key KEY] [--seed N] [--works N]
[--today YYYY-MM-DD] [--faults none|flaky|chaos]``, or in-process::

    state, app = create_app(works=2000, today=date(2026, 6, 1))
    with ServerThread(app) as server: ...   # server.url

It serves the catalogue of ``emulators.catalog`` (the same world the ByteNite emulator sees) as
it stands on the clock's date, with everything written through the API or loaded as fixtures
on top. What it models follows Consonance's published schema and examples (see the README's
fidelity section); every name the public
material does not show is marked ``# guess:`` in ``schema.graphql``.

GraphQL — ``POST /graphql``
    ``Authorization: Bearer <key>``, or the Rails token forms REST takes (``Token <key>``,
    ``Token token=<key>``, quoted or not; Consonance's own demo app sends ``Token``); 401
    ``{"errors": [{"message": ...}]}`` without a valid key.
    Body ``{query, variables, operationName}``; introspection on. Root fields ``works``, ``work``,
    ``products``, ``product`` with ``WorkSearchAttributes`` / ``ProductSearchAttributes`` /
    ``PriceSearchAttributes`` (see ``schema.graphql``) and the guessed helpers ``imprints``,
    ``seasons``, ``projectStages``, ``marketingTiers``.

    * Lists are plain arrays ordered by id ascending, **at most 100 a call** (``PAGE_CAP``); page
      with ``after: <last id>`` in the search input until a call returns fewer than 100.
    * Only records created on or before the clock's date exist.
    * ``changedSince: D`` keeps works that changed on a date in [D, today]: the work, its
      products (dates, status, rights, prices), contributors, marketing texts, cover and web
      links, plus any mutation or fixture that touched it. A product's ``changedSince`` is its
      work's (as the real docs say, sibling changes trigger it). Day granularity: windows overlap,
      so clients dedupe by id.
    * An empty list in a search input or list argument (``isbn13In: []``, ``imprintIdIn: []``,
      ``variantIn: []``...) is no filter, as Ransack drops a blank condition.
    * Malformed documents, unknown fields and bad enum values get standard top-level GraphQL
      ``errors`` (HTTP 200, no ``data``); never a stack trace.

Mutations (Relay classic: ``name(input: NameInput!) { <object> errors { field message }
clientMutationId }``)
    ``createWebLink`` (one of ``productId`` / ``workId`` / ``contactId``), ``updateWebLink``,
    ``deleteWebLink``, ``createMarketingText`` (``externalTextMarkdown`` required, use
    ``internalTextMarkdown`` for internal notes), ``deleteMarketingText``,
    ``createSupportingResource`` (``imageRemoteUrl`` ending in .jpg, or ``resourceFileName``: the
    payload's ``uploadUrl`` then takes a PUT), ``deleteSupportingResource``, ``updateProduct``,
    ``updateWork``. Unknown ids, products outside the work, ``productIds`` with
    ``linkToAllProducts``, invalid URLs, ISBNs or codes come back as payload ``errors`` (HTTP 200)
    with a null object, and nothing changes. Writes take effect from the clock's date, show in
    every later read (both APIs) and in ``changedSince``. Every call, accepted or refused, is in
    ``GET /_emulator/writes`` (``operation`` = the mutation's name, ``target`` = the id written
    to: ``input.id`` for updates and deletes, the product/work/contact a create attaches to,
    ``payload`` = the input, ``outcome`` ok/error). New objects get ids above 900,000,000.

REST v4 — ``GET /api/v4/products.json`` (alias ``/api/products.json``)
    ``Authorization: Token token=<key>`` (also ``Token token="<key>"``, ``Token <key>`` and
    ``Bearer <key>``, as Rails accepts; otherwise 401 ``HTTP Token: Access denied.``). Envelope
    ``{current_page, per_page, total_pages, url, products}``; ``page`` (1-based), ``per_page``
    (default 50, at most 100). Ransack filters ``q[<attr>_<pred>]`` with predicates eq, not_eq,
    cont, start, in, gt, lt, gteq, lteq on id, work_id, isbn, full_title, work_title, subtitle,
    pub_date, publishing_status, product_form, imprint_id, imprint_name, season_name,
    project_stage_name, marketing_tier_name, shops_id (the catalogue has no shops). Emulator
    extension, not evidenced for the real API: ``q[updated_at_gt]=YYYY-MM-DD`` (changed after
    that day) and ``q[updated_at_gteq]``. Unknown conditions are ignored, as Ransack does, and
    named in the ``X-Emulator-Ignored-Params`` header.

Admin — ``/_emulator/...`` (not part of Consonance): ``health``, ``reset`` (forget writes,
fixtures and the write log), ``clock``, ``faults``, ``writes``, ``stats``, ``fixtures`` and
``PUT uploads/<id>`` (the target of ``uploadUrl``).

Performance — the catalogue is lazy: 100,000 works start in well under a second. Records are
built on demand and cached per date (about 1 ms of server CPU per work for a typical extraction
page: roughly equal parts generating the catalogue entry, building the record, and GraphQL
execution plus JSON); paging 50,000 works of a 100,000-work catalogue took 44 s over HTTP on a
busy two-core machine, with the server at ~150 MB. The change index behind ``changedSince``
fills as records are built; a first ``changedSince`` pass over a catalogue never read before
generates every entry once (≈10-15 s at 100,000 works), later passes take milliseconds plus the
matching records. The cyclic GC is paused for the duration of each request
(``graphql_api.gc_paused``).

Faults — ``none`` (default), ``flaky``, ``chaos`` (see ``emulators.common.PROFILES``): failed
requests answer 500 or 429 (``Retry-After``) with a JSON ``errors`` body, 502/503 with nginx's
HTML page, or are slow, dropped mid-body or truncated. Decisions are deterministic by seed and
request; a request is never failed more than three times in a row.

Fixtures — ``POST /_emulator/fixtures`` with any of these sections (all optional)::

    {
      "works": [
        {"id": 1005, "overrides": {"title": "", "subtitle": null, "imprintId": 99}},
        {"id": 1006, "remove": true},
        {"copyOf": 1007, "id": 900000101, "overrides": {"title": "New Title"}}
      ],
      "products": [
        {"id": 100051, "overrides": {"isbn13": "9781900000001", "publicationDate": "2999-02-30",
                                     "onixPublishingStatusCode": "_99",
                                     "forSaleCountryCodes": ["XX"],
                                     "prices": [{"amount": -5, "currencyCode": "GBP"}]}},
        {"id": 100052, "remove": true},
        {"copyOf": 100053, "workId": 1005, "isbn13": "9781700000017", "overrides": {}}
      ],
      "webLinks": [{"id": 850000, "overrides": {"link": "not a url"}}],
      "marketingTexts": [{"id": 705001, "remove": true}],
      "supportingResources": [{"id": 600500, "overrides": {"url": null}}],
      "duplicates": {"works": [1005], "products": [100051]}
    }

* ``overrides`` set fields of an existing record *as the API serves them* (GraphQL field names;
  REST is derived from the same record). Values go to the wire unchecked, so a client sees
  genuinely malformed data: enums and the date/URL scalars pass any string through; a null in
  a non-null field produces the GraphQL error a real server would. Derived fields follow: a
  product's ``isbn13`` sets the whole ``isbn`` object, ``onixPublishingStatusCode`` (``"_11"``
  or ``"11"``) sets ``onixPublishingStatus``, the country lists set ``isForSaleWorldwide`` and
  ``salesRightsDescription``, ``prices`` entries are completed from defaults; a work's
  ``title`` sets its prefix fields and its products' titles, ``seasonId`` / ``projectStageId``
  / ``marketingTierId`` set the display names, ``imprintId`` the imprint.
* ``remove: true`` makes the record disappear (as if deleted in Consonance).
* ``copyOf`` adds a record: a copy of a catalogue work (its products get new ids and ISBN-13s
  97817…, no texts or links) or a catalogue product attached to ``workId``; ids come from the
  answer (or give ``id`` >= 900,000,000).
* ``duplicates`` make records appear twice in list results (works: a list or ``{"works"}``).
* Everything takes effect from the clock's date when loaded and counts as a change of the work
  on that date (``changedSince`` sees it). The answer lists the affected ids; a bad entry is a
  400 and nothing is applied. ``POST /_emulator/reset`` removes all fixtures.

  To simulate a **rights change**: override ``forSaleCountryCodes`` / ``notForSaleCountryCodes``
  of a product; a **withdrawal**: ``{"onixPublishingStatusCode": "_11"}`` (or ``_01``, ``_15``,
  ``_16``, ``_17``); move the clock forward first if the change should happen on a later day.
"""

from __future__ import annotations

from .app import DEFAULT_API_KEY, create_app, error_body
from .store import PAGE_CAP, ConsonanceState

__all__ = ["DEFAULT_API_KEY", "PAGE_CAP", "ConsonanceState", "create_app", "error_body"]
