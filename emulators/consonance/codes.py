"""ONIX code lists the emulated API exposes, and the ``ONIXCode`` objects built from them.

Consonance serves ONIX codes twice: as an enum value (``onixPublishingStatusCode: _04``, digits
prefixed with ``_``, letters bare) and as an ``ONIXCode`` object
(``onixPublishingStatus { code description notes isDeprecated value }``). The descriptions are
EDItEUR's (code lists issue 47 era). Lists marked *subset* hold the codes this catalogue can emit
plus their common neighbours; an enum value outside a list fails input validation, exactly as
the real schema's enums do.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from emulators.catalog import COUNTRY_CODES


def _parse(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.strip().splitlines():
        code, _, description = line.strip().partition(" ")
        out[code] = description.strip()
    return out


#: ONIX list 64, publishing status (complete).
LIST_64 = _parse(
    """
    00 Unspecified
    01 Cancelled
    02 Forthcoming
    03 Postponed indefinitely
    04 Active
    05 No longer our product
    06 Out of stock indefinitely
    07 Out of print
    08 Inactive
    09 Unknown
    10 Remaindered
    11 Withdrawn from sale
    12 Recalled
    13 Active, but not sold separately
    15 Recalled
    16 Temporarily withdrawn from sale
    17 Permanently withdrawn from sale
    """
)
DEPRECATED_64 = {"12"}

#: ONIX 2.1 list 7, product form (subset: audio, book, digital and the common others).
LIST_7 = _parse(
    """
    00 Undefined
    AA Audio
    AB Audio cassette
    AC CD-Audio
    AD DAT
    AE Audio disc
    AF Audio tape
    AG MiniDisc
    AH CD-Extra
    AI DVD Audio
    AJ Downloadable audio file
    AK Pre-recorded digital audio player
    AL Pre-recorded SD card
    AZ Other audio format
    BA Book
    BB Hardback
    BC Paperback / softback
    BD Loose-leaf
    BE Spiral bound
    BF Pamphlet
    BG Leather / fine binding
    BH Board book
    BI Rag book
    BJ Bath book
    BK Novelty book
    BL Slide bound
    BM Big book
    BN Part-work (fascículo)
    BO Fold-out book or chart
    BP Foam book
    BZ Other book format
    CA Sheet map
    CZ Other cartographic
    DA Digital
    DB CD-ROM
    DC CD-I
    DE Game cartridge
    DF Diskette
    DG Electronic book text
    DH Online resource
    DI DVD-ROM
    DZ Other digital
    PA Miscellaneous print
    PC Calendar
    PD Cards
    PZ Other printed item
    VA Video
    VI DVD video
    VZ Other video format
    WW Mixed media product
    ZA General merchandise
    ZZ Other merchandise
    """
)

#: ONIX list 17, contributor role (complete).
LIST_17 = _parse(
    """
    A01 By (author)
    A02 With
    A03 Screenplay by
    A04 Libretto by
    A05 Lyrics by
    A06 By (composer)
    A07 By (artist)
    A08 By (photographer)
    A09 Created by
    A10 From an idea by
    A11 Designed by
    A12 Illustrated by
    A13 Photographs by
    A14 Text by
    A15 Preface by
    A16 Prologue by
    A17 Summary by
    A18 Supplement by
    A19 Afterword by
    A20 Notes by
    A21 Commentaries by
    A22 Epilogue by
    A23 Foreword by
    A24 Introduction by
    A25 Footnotes by
    A26 Memoir by
    A27 Experiments by
    A29 Introduction and notes by
    A30 Software written by
    A31 Book and lyrics by
    A32 Contributions by
    A33 Appendix by
    A34 Index by
    A35 Drawings by
    A36 Cover design or artwork by
    A37 Preliminary work by
    A38 Original author
    A39 Maps by
    A40 Inked or colored by
    A41 Paper engineering by
    A42 Continued by
    A43 Interviewer
    A44 Interviewee
    A45 Comic script by
    A46 Inker
    A47 Colorist
    A48 Letterer
    A51 Research by
    A99 Other primary creator
    B01 Edited by
    B02 Revised by
    B03 Retold by
    B04 Abridged by
    B05 Adapted by
    B06 Translated by
    B07 As told by
    B08 Translated with commentary by
    B09 Series edited by
    B10 Edited and translated by
    B11 Editor-in-chief
    B12 Guest editor
    B13 Volume editor
    B14 Editorial board member
    B15 Editorial coordination by
    B16 Managing editor
    B17 Founded by
    B18 Prepared for publication by
    B19 Associate editor
    B20 Consultant editor
    B21 General editor
    B22 Dramatized by
    B23 General rapporteur
    B24 Literary editor
    B25 Arranged by (music)
    B26 Technical editor
    B27 Thesis advisor or supervisor
    B28 Thesis examiner
    B29 Scientific editor
    B30 Historical advisor
    B31 Original editor
    B99 Other adaptation by
    C01 Compiled by
    C02 Selected by
    C03 Non-text material selected by
    C04 Curated by
    C99 Other compilation by
    D01 Producer
    D02 Director
    D03 Conductor
    D04 Choreographer
    D99 Other direction by
    E01 Actor
    E02 Dancer
    E03 Narrator
    E04 Commentator
    E05 Vocal soloist
    E06 Instrumental soloist
    E07 Read by
    E08 Performed by (orchestra, band, ensemble)
    E09 Speaker
    E10 Presenter
    E99 Performed by
    F01 Filmed/photographed by
    F02 Editor (film or video)
    F99 Other recording by
    Z01 Assisted by
    Z02 Honored/dedicated to
    Z98 (Various roles)
    Z99 Other
    """
)

#: ONIX list 58, price type (complete).
LIST_58 = _parse(
    """
    01 RRP excluding tax
    02 RRP including tax
    03 FRP excluding tax
    04 FRP including tax
    05 Supplier's Net price excluding tax
    06 Supplier's Net price excluding tax: rental goods
    07 Supplier's Net price including tax
    08 Supplier's alternative Net price excluding tax
    09 Supplier's alternative net price including tax
    11 Special sale RRP excluding tax
    12 Special sale RRP including tax
    13 Special sale fixed retail price excluding tax
    14 Special sale fixed retail price including tax
    15 Supplier's net price for special sale excluding tax
    17 Supplier's net price for special sale including tax
    21 Pre-publication RRP excluding tax
    22 Pre-publication RRP including tax
    23 Pre-publication fixed retail price excluding tax
    24 Pre-publication fixed retail price including tax
    25 Supplier's pre-publication net price excluding tax
    27 Supplier's pre-publication net price including tax
    31 Freight-pass-through RRP excluding tax
    32 Freight-pass-through billing price excluding tax
    33 Importer's Fixed retail price excluding tax
    34 Importer's Fixed retail price including tax
    41 Publishers retail price excluding tax
    42 Publishers retail price including tax
    """
)

#: ONIX list 59, price type qualifier (complete).
LIST_59 = _parse(
    """
    00 Unqualified price
    01 Member/subscriber price
    02 Export price
    03 Reduced price applicable when the item is purchased as part of a set (or series, or collection)
    04 Voucher price
    05 Consumer price
    06 Corporate / Library / Education price
    07 Reservation order price
    08 Promotional offer price
    09 Linked price
    10 Library price
    11 Education price
    12 Corporate price
    13 Subscription service price
    14 School library price
    15 Academic library price
    16 Public library price
    """
)

#: ONIX list 73, website role (complete).
LIST_73 = _parse(
    """
    00 Unspecified, see website description
    01 Publisher's corporate website
    02 Publisher's website for a specified work
    03 Online hosting service home page
    04 Journal home page
    05 Online resource 'available content' page
    06 Contributor's own website
    07 Publisher's website relating to specified contributor
    08 Other publisher's website relating to specified contributor
    09 Third-party website relating to specified contributor
    10 Contributor's own website for specified work
    11 Other publisher's website relating to specified work
    12 Third-party website relating to specified work
    13 Contributor's own website for group or series of works
    14 Publisher's website relating to group or series of works
    15 Other publisher's website relating to group or series of works
    16 Third-party website relating to group or series of works (eg a fan site)
    17 Publisher's B2B website
    18 Publisher's B2C website
    23 Author blog
    24 Web page for author presentation / commentary
    25 Web page for author interview
    26 Web page for author reading
    27 Web page for cover material
    28 Web page for sample content
    29 Web page for full content
    30 Web page for other commentary / discussion
    31 Transfer-URL
    32 DOI Website Link
    33 Supplier's corporate website
    34 Supplier's B2B website
    35 Supplier's B2C website
    36 Supplier's website for a specified work
    37 Supplier's B2B website for a specified work
    38 Supplier's B2C website for a specified work
    39 Supplier's website for a group or series of works
    40 URL of full metadata description
    41 Social networking URL for specific work or product
    42 Author's social networking URL
    43 Publisher's social networking URL
    44 Social networking URL for specific article, chapter or content item
    45 Publisher's or third party website for permissions requests
    46 Publisher's or third party website for privacy statement
    """
)

#: ONIX list 154, content audience (complete).
LIST_154 = _parse(
    """
    00 Unrestricted
    01 Restricted
    02 Booktrade
    03 End-customers
    04 Librarians
    05 Teachers
    06 Students
    07 Press
    08 Shopping comparison service
    09 Search engine index
    """
)

#: ONIX list 21, edition type (complete).
LIST_21 = _parse(
    """
    ABR Abridged edition
    ACT Acting edition
    ADP Adapted edition
    ALT Alternate
    ANN Annotated edition
    BLL Bilingual edition
    BLP Bilingual 'facing page' edition
    BRL Braille edition
    CMB Combined volume
    CRI Critical edition
    CSP Coursepack
    DGO Digital original
    ENH Enhanced edition
    ENL Enlarged edition
    EXP Expurgated edition
    FAC Facsimile edition
    FST Festschrift
    HRE High readability edition
    ILL Illustrated edition
    INT International edition
    LTE Large type / large print edition
    MCP Microprint edition
    MDT Media tie-in
    MLL Multilingual edition
    NED New edition
    NUM Edition with numbered copies
    PRB Prebound edition
    REV Revised edition
    SCH School edition
    SIG Signed edition
    SMP Simplified language edition
    SPE Special edition
    STU Student edition
    TCH Teacher's edition
    UBR Unabridged edition
    ULP Ultra large print edition
    UNN Edition with unnumbered copies
    UXP Unexpurgated edition
    VAR Variorum edition
    """
)

#: ONIX list 74, language (subset).
LIST_74 = _parse(
    """
    eng English
    fre French
    ger German
    spa Spanish
    ita Italian
    por Portuguese
    dut Dutch
    swe Swedish
    nor Norwegian
    dan Danish
    fin Finnish
    pol Polish
    jpn Japanese
    kor Korean
    chi Chinese
    ara Arabic
    heb Hebrew
    wel Welsh
    gle Irish
    """
)

#: ONIX list 49 regions used as territories (subset) plus the catalogue's countries (list 91).
LIST_49 = {"WORLD": "World", "ROW": "Rest of world", "ECZ": "Eurozone"}

LISTS: dict[str, dict[str, str]] = {
    "7": LIST_7,
    "17": LIST_17,
    "21": LIST_21,
    "58": LIST_58,
    "59": LIST_59,
    "64": LIST_64,
    "73": LIST_73,
    "74": LIST_74,
    "154": LIST_154,
}


def enum_name(code: str) -> str:
    """ONIX code -> GraphQL enum value name: a leading digit gets an underscore (``04`` -> ``_04``)."""
    return "_" + code if code[:1].isdigit() else code


def code_of(name: str) -> str:
    """GraphQL enum value name -> ONIX code (``_04`` -> ``04``); other strings pass through."""
    return name[1:] if name.startswith("_") and name[1:2].isdigit() else name


@cache
def onix_code(list_no: str, code: str | None) -> dict[str, Any] | None:
    """The ``ONIXCode`` object for ``code`` in list ``list_no``; unknown codes keep a null description.

    The returned dicts are shared: callers must not mutate them.
    """
    if code is None:
        return None
    code = code_of(code)
    known = LISTS[list_no]
    return {
        "code": code,
        "description": known.get(code),
        "notes": None,
        "isDeprecated": list_no == "64" and code in DEPRECATED_64,
        "value": enum_name(code),
    }


def enum_values(list_no: str) -> list[str]:
    return [enum_name(c) for c in LISTS[list_no]]


TERRITORY_CODES: tuple[str, ...] = (*COUNTRY_CODES, *LIST_49)
