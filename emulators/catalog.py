"""One deterministic publishing world shared by both emulators.

The world is a pure function of ``(seed, n_works)`` and a date ``T``: every work, product,
contributor, rights change and legacy video asset is derived from a per-work PRNG, so nothing is
stored up front and a 100,000-work catalogue starts instantly. Time-varying facts are *timelines*
(sorted ``(effective_date, value)`` pairs); the state at ``T`` takes the last entry on or before
``T``, and the set of effective dates is what ``changedSince`` sees.

Identifiers are arithmetic so lookups need no index:

* work id ``1001 + i`` for work index ``i`` (ids follow creation order, as in a real system);
* product id ``100000 + 10 * i + k`` and ISBN-13 ``97819`` + ``7 digits (10*i + k)`` + check digit,
  for the ``k``-th product of work ``i``;
* contact ids ``300000 + author index`` (an author may write several works);
* legacy ByteNite asset ids are UUID-5s of ``(seed, work id, deliverable, n)``.

Both emulators import this module: the same seed and size give the same titles, ISBN-13s and
legacy video history on both sides.
"""

from __future__ import annotations

import bisect
import functools
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stdnum import ean as stdnum_ean
from stdnum import isbn as stdnum_isbn

# --------------------------------------------------------------------------------------------
# Fixed vocabularies
# --------------------------------------------------------------------------------------------

#: The day the publisher moved onto Consonance: the backlist was imported then.
CONSONANCE_START = date(2015, 6, 1)
#: Frontlist works are created (acquired) between CONSONANCE_START and this date.
LAST_CREATED = date(2028, 1, 1)
#: Default date from which ByteNite video is requested by the integration rather than made by
#: hand: assets whose master was ready before it are seeded history ("legacy"). This fixed date is
#: the default of worlds built in code (tests, benchmarks); the emulators' command line
#: (``--go-live``) defaults to the emulated date they start on instead.
DEFAULT_GO_LIVE = date(2026, 9, 1)
BACKLIST_SHARE = 0.15
#: In the year before go-live the video team made a social cut-down by hand for every title,
#: Core titles included (before that, for about a third of them): the launches just before the
#: integration goes live all have video history.
HAND_MADE_FOR_ALL = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Imprint:
    id: int
    name: str
    slug: str


IMPRINTS: tuple[Imprint, ...] = (
    Imprint(1, "Harbour Press", "harbourpress"),
    Imprint(2, "Northlight Books", "northlight"),
    Imprint(3, "Kestrel", "kestrel"),
    Imprint(4, "Blue Lantern", "bluelantern"),
    Imprint(5, "Fieldnote", "fieldnote"),
    Imprint(6, "Saltmarsh Crime", "saltmarsh"),
    Imprint(7, "Orchard Children's", "orchardchildrens"),
    Imprint(8, "Meridian Audio", "meridianaudio"),
)


@dataclass(frozen=True, slots=True)
class Stage:
    id: int
    name: str
    launch_ready: bool
    offset_days: int | None  # relative to first publication date; None = event-driven


#: Project stages, in order. "Launch readiness" and "Pre-launch" are the launch-ready stages.
STAGES: tuple[Stage, ...] = (
    Stage(1, "Proposal", False, None),
    Stage(2, "Acquired", False, -540),
    Stage(3, "Editorial", False, -365),
    Stage(4, "Production", False, -240),
    Stage(5, "Launch readiness", True, -150),
    Stage(6, "Pre-launch", True, -60),
    Stage(7, "Published", False, 0),
    Stage(8, "Backlist", False, 540),
    Stage(9, "Cancelled", False, None),
)
STAGE_BY_ID = {s.id: s for s in STAGES}


@dataclass(frozen=True, slots=True)
class Tier:
    id: int
    name: str


TIERS: tuple[Tier, ...] = (Tier(1, "Lead"), Tier(2, "Key"), Tier(3, "Core"))
TIER_BY_ID = {t.id: t for t in TIERS}


@dataclass(frozen=True, slots=True)
class Genre:
    bisac: str
    bisac_description: str
    thema: str
    thema_description: str
    thema_parent: str | None


GENRES: tuple[Genre, ...] = (
    Genre("FIC000000", "FICTION / General", "FB", "Fiction: general & literary", "F"),
    Genre("FIC019000", "FICTION / Literary", "FBA", "Modern & contemporary fiction", "FB"),
    Genre(
        "FIC022000", "FICTION / Mystery & Detective / General", "FF", "Crime & mystery fiction", "F"
    ),
    Genre("FIC031000", "FICTION / Thrillers / General", "FH", "Thriller / suspense fiction", "F"),
    Genre("FIC014000", "FICTION / Historical / General", "FV", "Historical fiction", "F"),
    Genre("FIC027000", "FICTION / Romance / General", "FR", "Romance", "F"),
    Genre("FIC028000", "FICTION / Science Fiction / General", "FL", "Science fiction", "F"),
    Genre("FIC009000", "FICTION / Fantasy / General", "FM", "Fantasy", "F"),
    Genre(
        "JUV000000",
        "JUVENILE FICTION / General",
        "YFB",
        "Children's / Teenage general fiction",
        "YF",
    ),
    Genre(
        "YAF000000",
        "YOUNG ADULT FICTION / General",
        "YFA",
        "Children's / Teenage classic fiction",
        "YF",
    ),
    Genre("BIO000000", "BIOGRAPHY & AUTOBIOGRAPHY / General", "DNB", "Biography: general", "DN"),
    Genre("HIS000000", "HISTORY / General", "NHB", "General & world history", "NH"),
    Genre("SCI000000", "SCIENCE / General", "PD", "Science: general issues", "P"),
    Genre("NAT000000", "NATURE / General", "WN", "Natural history", "W"),
    Genre("CKB000000", "COOKING / General", "WBA", "General cookery & recipes", "WB"),
    Genre("TRV000000", "TRAVEL / General", "WT", "Travel & holiday", "W"),
    Genre(
        "SEL000000",
        "SELF-HELP / General",
        "VS",
        "Self-help, personal development & practical advice",
        "V",
    ),
    Genre("BUS000000", "BUSINESS & ECONOMICS / General", "KJ", "Business & Management", "K"),
    Genre("POE000000", "POETRY / General", "DC", "Poetry", "D"),
    Genre("HUM000000", "HUMOR / General", "WH", "Humour", "W"),
)

#: Countries the world trades in (ISO 3166-1 alpha-2), with a relative audience weight used by the
#: ByteNite analytics. "ZZ" (unknown) is added by the analytics, never by rights.
COUNTRIES: tuple[tuple[str, float], ...] = (
    ("GB", 10.0),
    ("US", 14.0),
    ("IE", 1.2),
    ("CA", 2.5),
    ("AU", 2.8),
    ("NZ", 0.8),
    ("ZA", 1.0),
    ("IN", 3.0),
    ("SG", 0.6),
    ("MY", 0.5),
    ("NG", 0.7),
    ("KE", 0.4),
    ("DE", 2.2),
    ("FR", 1.8),
    ("NL", 1.0),
    ("BE", 0.5),
    ("ES", 1.2),
    ("IT", 1.1),
    ("SE", 0.7),
    ("NO", 0.5),
    ("DK", 0.5),
    ("FI", 0.4),
    ("PL", 0.6),
    ("PT", 0.4),
    ("AT", 0.4),
    ("CH", 0.5),
    ("JP", 0.9),
    ("KR", 0.5),
    ("CN", 0.6),
    ("HK", 0.4),
    ("BR", 1.0),
    ("MX", 0.8),
    ("AR", 0.4),
    ("AE", 0.5),
    ("SA", 0.3),
    ("IL", 0.3),
    ("PH", 0.9),
    ("ID", 0.6),
    ("TH", 0.4),
    ("VN", 0.3),
)
COUNTRY_CODES: tuple[str, ...] = tuple(c for c, _ in COUNTRIES)

_COMMONWEALTH = ("GB", "IE", "AU", "NZ", "ZA", "IN", "SG", "MY", "NG", "KE")
_EUROPE = (
    "GB",
    "IE",
    "DE",
    "FR",
    "NL",
    "BE",
    "ES",
    "IT",
    "SE",
    "NO",
    "DK",
    "FI",
    "PL",
    "PT",
    "AT",
    "CH",
)


@dataclass(frozen=True, slots=True)
class Rights:
    """A resolved sales-rights view, as Consonance's GraphQL exposes it.

    ``for_sale`` empty means "world" (less ``not_for_sale``); otherwise only the listed countries
    (less ``not_for_sale``). This mirrors ``forSaleCountryCodes`` / ``notForSaleCountryCodes``.
    """

    for_sale: tuple[str, ...]
    not_for_sale: tuple[str, ...]

    @property
    def worldwide(self) -> bool:
        return not self.for_sale and not self.not_for_sale

    def allows(self, country: str) -> bool:
        if country in self.not_for_sale:
            return False
        return not self.for_sale or country in self.for_sale

    def allowed_countries(self) -> tuple[str, ...]:
        return tuple(c for c in COUNTRY_CODES if self.allows(c))

    @property
    def description(self) -> str:
        if self.worldwide:
            return "World"
        if not self.for_sale:
            return "World excluding " + ", ".join(self.not_for_sale)
        text = ", ".join(self.for_sale)
        if self.not_for_sale:
            text += " excluding " + ", ".join(self.not_for_sale)
        return text


WORLD = Rights((), ())
RIGHTS_TEMPLATES: tuple[tuple[float, Rights], ...] = (
    (0.55, WORLD),
    (0.15, Rights((), ("US", "CA", "PH"))),
    (0.05, Rights((), ("US", "PH"))),
    (0.15, Rights(_COMMONWEALTH, ())),
    (0.05, Rights(_EUROPE, ())),
    (0.05, Rights(_COMMONWEALTH + ("CA",), ())),
)


@dataclass(frozen=True, slots=True)
class ProductForm:
    code: str  # ONIX 2.1 list 7
    description: str
    typename: str  # GraphQL implementation of the Product interface
    in_house_format: str
    in_house_edition: str
    price_range: tuple[float, float]
    audio: bool


FORMS: dict[str, ProductForm] = {
    "BB": ProductForm(
        "BB", "Hardback", "PhysicalBookProduct", "Royal", "Hardback", (16.99, 25.0), False
    ),
    "BC": ProductForm(
        "BC", "Paperback", "PhysicalBookProduct", "B format", "Paperback", (8.99, 10.99), False
    ),
    "DG": ProductForm(
        "DG", "Electronic book text", "ElectronicBookProduct", "EPUB", "E-book", (4.99, 9.99), False
    ),
    "AJ": ProductForm(
        "AJ",
        "Downloadable audio file",
        "ElectronicAudioProduct",
        "Digital audio",
        "Audio download",
        (14.99, 25.99),
        True,
    ),
    "AC": ProductForm(
        "AC", "CD-Audio", "PhysicalAudioProduct", "CD", "Audio CD", (19.99, 35.0), True
    ),
}

#: (currency, ONIX 58 price type, ONIX 59 qualifier, exchange factor from GBP)
CURRENCIES: tuple[tuple[str, str, str, float], ...] = (
    ("GBP", "02", "05", 1.0),
    ("USD", "01", "05", 1.3),
    ("EUR", "02", "05", 1.17),
    ("AUD", "02", "05", 1.95),
    ("CAD", "01", "05", 1.75),
)

#: ONIX list 64 publishing status codes used by the world.
STATUS = {
    "01": "Cancelled",
    "02": "Forthcoming",
    "03": "Postponed indefinitely",
    "04": "Active",
    "07": "Out of print",
    "11": "Withdrawn from sale",
    "15": "Recalled",
    "16": "Temporarily withdrawn from sale",
    "17": "Permanently withdrawn from sale",
}

#: Deliverable types of the ByteNite extension.
DELIVERABLES = (
    "TRAILER",
    "AUTHOR_INTERVIEW",
    "TEASER",
    "SOCIAL_CUTDOWN",
    "AUDIOBOOK_SAMPLE",
    "NARRATED_EXCERPT",
    "EVENT_RECORDING",
    "BEHIND_THE_SCENES",
)
AUDIO_DELIVERABLES = ("AUDIOBOOK_SAMPLE", "NARRATED_EXCERPT")

#: Channels the legacy (hand-made) video history placed each deliverable on.
LEGACY_CHANNELS: dict[str, tuple[str, ...]] = {
    "TRAILER": ("WEBSITE", "RETAILER", "YOUTUBE"),
    "AUTHOR_INTERVIEW": ("WEBSITE", "YOUTUBE"),
    "TEASER": ("INSTAGRAM", "TIKTOK", "FACEBOOK"),
    "SOCIAL_CUTDOWN": ("TIKTOK", "INSTAGRAM"),
    "AUDIOBOOK_SAMPLE": ("WEBSITE", "RETAILER"),
    "NARRATED_EXCERPT": ("WEBSITE", "YOUTUBE"),
    "EVENT_RECORDING": ("YOUTUBE",),
    "BEHIND_THE_SCENES": ("INSTAGRAM", "YOUTUBE"),
}
_DURATIONS = {
    "TRAILER": (60, 150),
    "AUTHOR_INTERVIEW": (600, 1800),
    "TEASER": (15, 30),
    "SOCIAL_CUTDOWN": (15, 60),
    "AUDIOBOOK_SAMPLE": (120, 300),
    "NARRATED_EXCERPT": (300, 900),
    "EVENT_RECORDING": (1800, 3600),
    "BEHIND_THE_SCENES": (120, 600),
}
_VERTICAL = {"TEASER", "SOCIAL_CUTDOWN"}
#: What a person typed as the web-link role when linking legacy video by hand (ONIX list 73).
LEGACY_LINK_ROLE = {
    "TRAILER": "30",
    "AUTHOR_INTERVIEW": "25",
    "TEASER": "30",
    "SOCIAL_CUTDOWN": "30",
    "AUDIOBOOK_SAMPLE": "28",
    "NARRATED_EXCERPT": "28",
    "EVENT_RECORDING": "24",
    "BEHIND_THE_SCENES": "30",
}

ASSET_URL_BASE = "https://media.bytenite.example/v1/assets"
COVER_URL_BASE = "https://images.consonance.example/covers"

_ADJ = (
    "Salt",
    "Silent",
    "Hidden",
    "Last",
    "Burning",
    "Glass",
    "Winter",
    "Paper",
    "Iron",
    "Lost",
    "Golden",
    "Quiet",
    "Broken",
    "Wild",
    "Secret",
    "Northern",
    "Distant",
    "Crimson",
    "Little",
    "Long",
    "Midnight",
    "Bright",
    "Drowned",
    "Forgotten",
    "Hollow",
    "Painted",
    "Restless",
    "Velvet",
)
_NOUN = (
    "Orchard",
    "Harbour",
    "Garden",
    "Kingdom",
    "River",
    "House",
    "Island",
    "Letters",
    "Summer",
    "Lantern",
    "Atlas",
    "Tide",
    "Forest",
    "Daughter",
    "Machine",
    "Hours",
    "Map",
    "Shore",
    "Fire",
    "Archive",
    "Circus",
    "Weather",
    "Bridge",
    "Signal",
    "Voyage",
    "Mountain",
    "Choir",
    "Meadow",
)
_SUBTITLES = (
    "A Novel",
    "A Memoir",
    "A History",
    "Stories",
    "A Mystery",
    "A Thriller",
    "Poems",
    "A Year in the Life",
    "Recipes and Rituals",
    "Notes from the Field",
    "An Investigation",
)
_FIRST = (
    "Ada",
    "Ben",
    "Clara",
    "Daniel",
    "Esme",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Joanna",
    "Kwame",
    "Lena",
    "Marcus",
    "Nadia",
    "Owen",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "William",
    "Xiomara",
    "Yusuf",
    "Zoe",
    "Amelia",
    "Rhys",
    "Ines",
    "Tomasz",
    "Mei",
)
_LAST = (
    "Adeyemi",
    "Blackwood",
    "Carver",
    "Dunmore",
    "Ellison",
    "Fairweather",
    "Garside",
    "Hollis",
    "Iqbal",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Pemberton",
    "Quinlan",
    "Ravensworth",
    "Sorensen",
    "Thackeray",
    "Underwood",
    "Valdez",
    "Whitlock",
    "Xu",
    "Yardley",
    "Zielinski",
    "Ashdown",
    "Brennan",
    "Castellano",
    "Devereux",
    "Eastwood",
    "Fenwick",
)
_NARRATORS = (
    "Juliet Ashby",
    "Rupert Vance",
    "Nia Okoro",
    "Felix Hart",
    "Maya Lindon",
    "Theo Grant",
)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

Timeline = list[tuple[date, Any]]


def at(timeline: Timeline, when: date) -> Any:
    """Value of ``timeline`` on ``when`` (the last entry effective on or before it), else None."""
    idx = bisect.bisect_right(timeline, when, key=lambda e: e[0]) - 1
    return timeline[idx][1] if idx >= 0 else None


def isbn13_check_digit(first12: str) -> str:
    return stdnum_ean.calc_check_digit(first12)


def isbn13_is_valid(isbn: str) -> bool:
    return len(isbn) == 13 and isbn.isdigit() and stdnum_isbn.is_valid(isbn)


def isbn13_to_isbn10(isbn13: str) -> str | None:
    return stdnum_isbn.to_isbn10(isbn13) if isbn13.startswith("978") else None


def hyphenate(isbn13: str, sep: str = "-") -> str:
    """prefix-group-registrant-publication-check, split by the ISBN agency's range message
    (python-stdnum carries it), e.g. ``978-1-900000-00-0``."""
    return stdnum_isbn.format(isbn13, separator=sep)


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join([str(seed), *map(str, parts)]))


def _pick(rng: random.Random, weighted: tuple[tuple[float, Any], ...]) -> Any:
    roll = rng.random()
    acc = 0.0
    for weight, value in weighted:
        acc += weight
        if roll < acc:
            return value
    return weighted[-1][1]


# --------------------------------------------------------------------------------------------
# Specs: the time-invariant description of a work, with its timelines
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Contribution:
    id: int
    contact_id: int
    first_name: str
    last_name: str
    role: str  # ONIX list 17
    sequence: int
    audio_only: bool = False

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class Price:
    id: int
    currency: str
    price_type: str  # ONIX 58, two digits
    qualifier: str  # ONIX 59, two digits
    amount: float


@dataclass(slots=True)
class ProductSpec:
    id: int
    work_index: int
    k: int
    isbn13: str
    form: ProductForm
    created_on: date
    pub_date: Timeline  # planned/actual publication date
    status: Timeline  # ONIX 64 code
    rights: Timeline  # Rights
    prices: Timeline  # list[Price]
    page_count: int | None
    duration_minutes: int | None
    width_mm: int | None
    height_mm: int | None
    thickness_mm: int | None

    def change_dates(self) -> list[date]:
        dates = {self.created_on}
        for tl in (self.pub_date, self.status, self.rights, self.prices):
            dates.update(d for d, _ in tl)
        return sorted(dates)


@dataclass(slots=True)
class MarketingTextSpec:
    id: int
    variant: str
    external_text: str
    created_on: date
    #: Dates an editor revised the text (the everyday churn that makes ``changedSince`` fire).
    revised_on: tuple[date, ...] = ()

    def text_on(self, when: date) -> str:
        n = bisect.bisect_right(self.revised_on, when)
        return (
            self.external_text
            if n == 0
            else self.external_text.replace("</p>", f" (Revision {n}.)</p>", 1)
        )


@dataclass(slots=True)
class WebLinkSpec:
    id: int
    product_k: int
    link: str
    role: str  # ONIX 73, two digits
    description: str
    created_on: date


@dataclass(slots=True)
class LegacyVideo:
    """A ByteNite asset the video team made by hand before the integration went live."""

    asset_id: str
    job_id: str
    work_index: int
    deliverable: str
    audio_product_k: int | None
    created_on: date
    ready_on: date
    published_on: date | None
    unpublished_on: date | None
    channels: tuple[str, ...]
    #: "rights": placement regions followed the rights at publish time; "world": nobody set any.
    region_mode: str
    #: "full" (work id + ISBN + deliverable), "isbn" (ISBN + deliverable), "unknown_isbn", "none".
    label_mode: str
    duration_seconds: int
    width: int
    height: int
    fmt: str  # MP4 | HLS
    linked_in_consonance: bool

    @property
    def asset_url(self) -> str:
        return f"{ASSET_URL_BASE}/{self.asset_id}/master.{'m3u8' if self.fmt == 'HLS' else 'mp4'}"

    @property
    def thumbnail_url(self) -> str:
        return f"{ASSET_URL_BASE}/{self.asset_id}/thumbnail.jpg"


@dataclass(slots=True)
class WorkSpec:
    index: int
    id: int
    created_on: date
    backlist: bool
    first_pub_date: date  # original plan for the first products
    imprint: Imprint
    title: Timeline  # (prefix|None, title without prefix)
    subtitle: Timeline  # str|None
    stage: Timeline  # Stage
    tier: Timeline  # Tier
    genres: tuple[Genre, ...]  # main first
    contributions: Timeline  # tuple[Contribution, ...]
    products: list[ProductSpec]
    marketing_texts: list[MarketingTextSpec]
    web_links: list[WebLinkSpec]
    cover_created_on: date
    legacy_videos: list[LegacyVideo] = field(default_factory=list)
    fate: str = "normal"  # normal | cancelled | withdrawn | postponed | recalled | temp_withdrawn | rights_change
    #: Dates the front cover was redesigned (a new image on the same supporting resource).
    cover_revised_on: tuple[date, ...] = ()
    #: A strict on-sale title: each product carries a sales embargo date (its publication date).
    strict_on_sale: bool = False

    def cover_version(self, on: date) -> int:
        """1 for the first cover, n + 1 after its n-th redesign (0: no cover yet)."""
        if on < self.cover_created_on:
            return 0
        return 1 + bisect.bisect_right(self.cover_revised_on, on)

    def change_dates(self) -> list[date]:
        """Every date on which the work or a closely related record changed (for changedSince)."""
        dates = {self.created_on, self.cover_created_on, *self.cover_revised_on}
        for tl in (self.title, self.subtitle, self.stage, self.tier, self.contributions):
            dates.update(d for d, _ in tl)
        for p in self.products:
            dates.update(p.change_dates())
        for t in self.marketing_texts:
            dates.add(t.created_on)
            dates.update(t.revised_on)
        dates.update(w.created_on for w in self.web_links)
        return sorted(dates)


# --------------------------------------------------------------------------------------------
# States: what the world looks like on one date
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ProductState:
    spec: ProductSpec
    publication_date: date
    status: str
    rights: Rights
    prices: list[Price]

    @property
    def live(self) -> bool:
        return self.status in ("02", "04")


@dataclass(slots=True)
class WorkState:
    spec: WorkSpec
    on: date
    title_prefix: str | None
    title_without_prefix: str
    subtitle: str | None
    stage: Stage
    tier: Tier
    contributions: tuple[Contribution, ...]
    products: list[ProductState]
    marketing_texts: list[MarketingTextSpec]
    web_links: list[WebLinkSpec]

    @property
    def id(self) -> int:
        return self.spec.id

    @property
    def title(self) -> str:
        return (
            f"{self.title_prefix} {self.title_without_prefix}"
            if self.title_prefix
            else self.title_without_prefix
        )

    @property
    def authorship(self) -> str:
        names = [c.person_name for c in self.contributions if c.role == "A01"]
        return (
            " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
        )


# --------------------------------------------------------------------------------------------
# Seasons
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Season:
    id: int
    name: str
    start: date
    end: date  # inclusive


_SEASON_NAMES = ("Spring", "Summer", "Autumn", "Winter")


def season_of(day: date) -> Season:
    """Publishing seasons: Spring Mar-May, Summer Jun-Aug, Autumn Sep-Nov, Winter Dec-Feb."""
    year = day.year if day.month >= 3 else day.year - 1
    q = ((day.month - 3) % 12) // 3
    start = date(year, 3 + 3 * q, 1) if q < 3 else date(year, 12, 1)
    end_month_first = date(year + (1 if q >= 3 else 0), (3 + 3 * (q + 1) - 1) % 12 + 1, 1)
    end = end_month_first - timedelta(days=1)
    return Season(id=year * 10 + q + 1, name=f"{_SEASON_NAMES[q]} {year}", start=start, end=end)


def seasons_between(first: date, last: date) -> list[Season]:
    out: list[Season] = []
    s = season_of(first)
    while s.start <= last:
        out.append(s)
        s = season_of(s.end + timedelta(days=1))
    return out


def season_by_name(name: str) -> Season:
    """Parse "Spring 2026" (case-insensitive) into its window; ValueError on anything else."""
    parts = name.strip().split()
    if len(parts) != 2 or parts[0].capitalize() not in _SEASON_NAMES or not parts[1].isdigit():
        raise ValueError(f"not a season name: {name!r} (expected e.g. 'Spring 2026')")
    q = _SEASON_NAMES.index(parts[0].capitalize())
    year = int(parts[1])
    return season_of(date(year, 3 + 3 * q, 1) if q < 3 else date(year, 12, 1))


# --------------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------------


class World:
    """The deterministic catalogue. Cheap to construct; works are generated on demand and cached."""

    WORK_ID_BASE = 1001
    PRODUCT_ID_BASE = 100000
    CONTACT_ID_BASE = 300000
    ISBN_PREFIX = "97819"
    UNKNOWN_ISBN_PREFIX = "97818"  # never issued by this world: labels that match nothing

    def __init__(
        self,
        seed: int = 42,
        n_works: int = 2000,
        go_live: date = DEFAULT_GO_LIVE,
        cache_size: int = 8192,
    ):
        if n_works < 1 or n_works > 1_000_000:
            raise ValueError("n_works must be between 1 and 1,000,000")
        self.seed = seed
        self.n_works = n_works
        self.go_live = go_live
        self.n_backlist = max(1, int(n_works * BACKLIST_SHARE)) if n_works >= 10 else 0
        self._author_pool = max(50, int(n_works * 0.6))
        self.spec = functools.lru_cache(maxsize=cache_size)(self._build_spec)  # type: ignore[method-assign]
        self.change_dates = functools.lru_cache(maxsize=cache_size)(self._change_dates)  # type: ignore[method-assign]

    # ---- identifiers ----------------------------------------------------------------------

    def work_id(self, i: int) -> int:
        return self.WORK_ID_BASE + i

    def work_index(self, work_id: int) -> int | None:
        i = work_id - self.WORK_ID_BASE
        return i if 0 <= i < self.n_works else None

    def product_id(self, i: int, k: int) -> int:
        return self.PRODUCT_ID_BASE + 10 * i + k

    def locate_product(self, product_id: int) -> tuple[int, int] | None:
        n = product_id - self.PRODUCT_ID_BASE
        if n < 0:
            return None
        i, k = divmod(n, 10)
        if i >= self.n_works or k >= len(self.spec(i).products):
            return None
        return i, k

    def isbn13(self, i: int, k: int) -> str:
        first12 = f"{self.ISBN_PREFIX}{10 * i + k:07d}"
        return first12 + isbn13_check_digit(first12)

    def locate_isbn(self, isbn: str) -> tuple[int, int] | None:
        isbn = isbn.replace("-", "").replace(" ", "")
        if not isbn13_is_valid(isbn) or not isbn.startswith(self.ISBN_PREFIX):
            return None
        i, k = divmod(int(isbn[5:12]), 10)
        if i >= self.n_works or k >= len(self.spec(i).products):
            return None
        return i, k

    # ---- time ----------------------------------------------------------------------------

    def created_on(self, i: int) -> date:
        """Creation date of work i; non-decreasing in i, so ids follow creation order."""
        if i < self.n_backlist:
            return CONSONANCE_START
        span = (LAST_CREATED - CONSONANCE_START).days
        n_front = self.n_works - self.n_backlist
        return CONSONANCE_START + timedelta(days=((i - self.n_backlist) * span) // max(1, n_front))

    def works_created_by(self, when: date) -> int:
        """Number of works that exist on ``when`` (they are exactly indices ``0 .. n-1``)."""
        lo, hi = 0, self.n_works
        while lo < hi:
            mid = (lo + hi) // 2
            if self.created_on(mid) <= when:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def index_window_for_pub_dates(self, first: date, last: date) -> list[range]:
        """Work indices whose products may publish in [first, last] (a superset, for scans)."""
        out: list[range] = []
        if self.n_backlist and first <= CONSONANCE_START:
            out.append(range(0, self.n_backlist))
        # frontlist: pub = created + 240..720 days (+ postponement up to 120, + paperback at +365)
        lo_created = first - timedelta(days=720 + 120 + 365)
        hi_created = last - timedelta(days=240)
        lo = max(self.n_backlist, self.works_created_by(lo_created - timedelta(days=1)))
        hi = self.works_created_by(hi_created)
        if hi > lo:
            out.append(range(lo, hi))
        return out

    def _change_dates(self, i: int) -> tuple[date, ...]:
        return tuple(self.spec(i).change_dates())

    def changed_between(self, i: int, since: date, until: date) -> bool:
        dates = self.change_dates(i)
        idx = bisect.bisect_left(dates, since)
        return idx < len(dates) and dates[idx] <= until

    # ---- state ---------------------------------------------------------------------------

    def work_at(self, i: int, on: date) -> WorkState | None:
        spec = self.spec(i)
        if spec.created_on > on:
            return None
        prefix, bare = at(spec.title, on)
        products = [
            ProductState(
                p, at(p.pub_date, on), at(p.status, on), at(p.rights, on), at(p.prices, on)
            )
            for p in spec.products
            if p.created_on <= on
        ]
        return WorkState(
            spec=spec,
            on=on,
            title_prefix=prefix,
            title_without_prefix=bare,
            subtitle=at(spec.subtitle, on),
            stage=at(spec.stage, on),
            tier=at(spec.tier, on),
            contributions=at(spec.contributions, on),
            products=products,
            marketing_texts=[t for t in spec.marketing_texts if t.created_on <= on],
            web_links=[w for w in spec.web_links if w.created_on <= on],
        )

    def seasons(self, until: date) -> list[Season]:
        return seasons_between(date(2000, 3, 1), until)

    def author_name(self, a: int) -> tuple[str, str]:
        r = _rng(self.seed, "author", a)
        return r.choice(_FIRST), r.choice(_LAST)

    # ---- generation ----------------------------------------------------------------------

    def _build_spec(self, i: int) -> WorkSpec:
        if not 0 <= i < self.n_works:
            raise IndexError(i)
        r = _rng(self.seed, "work", i)
        created = self.created_on(i)
        backlist = i < self.n_backlist
        if backlist:
            first_pub = date(2000, 1, 1) + timedelta(
                days=r.randrange((CONSONANCE_START - date(2000, 1, 1)).days)
            )
        else:
            first_pub = created + timedelta(days=r.randrange(240, 721))
        imprint = IMPRINTS[r.randrange(len(IMPRINTS))]

        # --- title, subtitle (a working title may be replaced when production starts) --------
        def make_title() -> tuple[str | None, str]:
            prefix = r.choice(("The", "The", "A", None, None, None))
            bare = f"{r.choice(_ADJ)} {r.choice(_NOUN)}"
            if r.random() < 0.3:
                bare = (
                    f"{bare} of {r.choice(_NOUN)}s"
                    if prefix
                    else f"{r.choice(_NOUN)}s of the {bare}"
                )
            return prefix, bare

        final_title = make_title()
        title: Timeline = [(created, final_title)]
        production_on = first_pub + timedelta(days=-240)
        if not backlist and production_on > created and r.random() < 0.05:
            title = [(created, make_title()), (production_on, final_title)]
        subtitle_value = r.choice(_SUBTITLES) if r.random() < 0.35 else None
        subtitle: Timeline = [(created, subtitle_value)]
        edit_on = first_pub + timedelta(days=-r.randrange(30, 200))
        if not backlist and edit_on > created and r.random() < 0.04:
            subtitle.append((edit_on, r.choice(_SUBTITLES)))

        # --- fate -------------------------------------------------------------------------
        roll = r.random()
        if backlist:
            fate = "withdrawn" if roll < 0.02 else "normal"
        else:
            fate = _pick(
                r,
                (
                    (0.015, "cancelled"),
                    (0.015, "withdrawn"),
                    (0.04, "postponed"),
                    (0.005, "recalled"),
                    (0.005, "temp_withdrawn"),
                    (0.05, "rights_change"),
                    (1.0, "normal"),
                ),
            )
        postpone_days = r.randrange(30, 121) if fate == "postponed" else 0
        actual_pub = first_pub + timedelta(days=postpone_days)
        cancel_on = (
            first_pub - timedelta(days=r.randrange(60, 200)) if fate == "cancelled" else None
        )
        if cancel_on is not None and cancel_on <= created:
            cancel_on = created + timedelta(days=1)

        # --- stages and tiers ----------------------------------------------------------------
        stage: Timeline = []
        for s in STAGES:
            if s.offset_days is None:
                continue
            anchor = actual_pub if s.id >= 7 else first_pub
            when = anchor + timedelta(days=s.offset_days)
            if cancel_on is not None and when >= cancel_on:
                break
            stage.append((max(when, created), s))
        stage = _collapse(stage, created, STAGE_BY_ID[1])
        if cancel_on is not None:
            stage.append((cancel_on, STAGE_BY_ID[9]))
        tier_id = _pick(r, ((0.08, 1), (0.22, 2), (1.0, 3)))
        tier: Timeline = [(created, TIER_BY_ID[tier_id])]
        promote_on = first_pub - timedelta(days=200)
        if not backlist and tier_id > 1 and promote_on > created and r.random() < 0.06:
            tier.append((promote_on, TIER_BY_ID[tier_id - 1]))
        tier_at_launch = at(tier, first_pub - timedelta(days=150)) or TIER_BY_ID[tier_id]

        # --- subjects ---------------------------------------------------------------------
        main = GENRES[r.randrange(len(GENRES))]
        genres = (main,) + ((GENRES[r.randrange(len(GENRES))],) if r.random() < 0.4 else ())
        if len(genres) == 2 and genres[1] == main:
            genres = (main,)

        # --- contributors -----------------------------------------------------------------
        contribs: list[Contribution] = []
        n_authors = 2 if r.random() < 0.15 else 1
        for seq in range(n_authors):
            a = r.randrange(self._author_pool)
            first, last = self.author_name(a)
            contribs.append(
                Contribution(
                    9_000_000 + 10 * i + seq, self.CONTACT_ID_BASE + a, first, last, "A01", seq + 1
                )
            )
        extra_role = _pick(r, ((0.10, "A12"), (0.05, "B01"), (0.08, "B06"), (1.0, None)))
        if extra_role:
            a = r.randrange(self._author_pool)
            first, last = self.author_name(a)
            contribs.append(
                Contribution(
                    9_000_000 + 10 * i + 5,
                    self.CONTACT_ID_BASE + a,
                    first,
                    last,
                    extra_role,
                    len(contribs) + 1,
                )
            )

        # --- rights -----------------------------------------------------------------------
        book_rights: Rights = _pick(r, RIGHTS_TEMPLATES)
        audio_rights: Rights = book_rights if r.random() < 0.6 else _pick(r, RIGHTS_TEMPLATES[1:])
        rights_change_on = (
            actual_pub + timedelta(days=r.randrange(-100, 600)) if fate == "rights_change" else None
        )
        if rights_change_on is not None and rights_change_on <= created:
            rights_change_on = created + timedelta(days=1)
        changed_rights = _changed_rights(book_rights)

        # --- products ---------------------------------------------------------------------
        plan = _pick(
            r,
            ((0.6, ("BB", "DG", "BC")), (0.3, ("BC", "DG")), (0.05, ("DG",)), (1.0, ("BB", "DG"))),
        )
        audio_p = {1: 0.9, 2: 0.6, 3: 0.2}[tier_at_launch.id]
        forms: list[tuple[str, int, int]] = []  # (form, pub offset from actual_pub, created offset)
        for f in plan:
            if f == "BC" and plan[0] == "BB":
                forms.append((f, 365, 180))
            else:
                forms.append((f, 0, -400))
        if r.random() < audio_p:
            forms.append(("AJ", r.choice((0, 0, 30)), -120))
            if r.random() < 0.15:
                forms.append(("AC", 0, -120))
        withdraw_on = (
            actual_pub + timedelta(days=r.randrange(30, 900)) if fate == "withdrawn" else None
        )
        recall_on = (
            actual_pub + timedelta(days=r.randrange(20, 400))
            if fate in ("recalled", "temp_withdrawn")
            else None
        )
        products: list[ProductSpec] = []
        for code, pub_off, created_off in forms:
            form = FORMS[code]
            p_created = (
                max(created, actual_pub + timedelta(days=created_off)) if not backlist else created
            )
            if (cancel_on is not None and p_created >= cancel_on) or (
                withdraw_on is not None and p_created >= withdraw_on
            ):
                continue  # nobody sets up a new format for a cancelled or withdrawn title
            k = len(products)
            planned = first_pub + timedelta(days=pub_off)
            pub_tl: Timeline = [(p_created, planned)]
            if postpone_days and not backlist:
                moved = planned + timedelta(days=postpone_days)
                when = max(p_created, first_pub - timedelta(days=60))
                pub_tl = _set(pub_tl, when, moved)
            actual = at(pub_tl, date.max)
            status: Timeline = [(p_created, "04" if actual <= p_created else "02")]
            if actual > p_created:
                status.append((actual, "04"))
            if cancel_on is not None:
                status = [e for e in status if e[0] < cancel_on] + [
                    (max(cancel_on, p_created), "01")
                ]
            if withdraw_on is not None:
                status = _set(status, max(withdraw_on, p_created), r.choice(("11", "17")))
            if recall_on is not None and k == 0 and recall_on > p_created:
                if fate == "recalled":
                    status = _set(status, recall_on, "15")
                else:
                    status = _set(status, recall_on, "16")
                    status.append((recall_on + timedelta(days=45), "04"))
            if code == "BB" and not withdraw_on and not cancel_on and r.random() < 0.3:
                oop = actual + timedelta(days=5 * 365)
                status = _set(status, oop, "07")
            rights0 = audio_rights if form.audio else book_rights
            rights_tl: Timeline = [(p_created, rights0)]
            if rights_change_on is not None:
                rights_tl = _set(
                    rights_tl,
                    max(rights_change_on, p_created),
                    _changed_rights(rights0) if form.audio else changed_rights,
                )
            lo, hi = form.price_range
            gbp = round(lo + (hi - lo) * r.random(), 0) - 0.01
            prices = [
                Price(
                    10 * (self.PRODUCT_ID_BASE + 10 * i + k) + n,
                    cur,
                    ptype,
                    qual,
                    round(gbp * fx, 0) - 0.01 if cur != "GBP" else gbp,
                )
                for n, (cur, ptype, qual, fx) in enumerate(CURRENCIES)
            ]
            prices_tl: Timeline = [(p_created, prices)]
            if not backlist and r.random() < 0.05:
                cut = [
                    Price(
                        pr.id,
                        pr.currency,
                        pr.price_type,
                        pr.qualifier,
                        round(pr.amount * 0.8, 0) - 0.01,
                    )
                    for pr in prices
                ]
                prices_tl.append((actual + timedelta(days=365), cut))
            physical_book = form.typename == "PhysicalBookProduct"
            products.append(
                ProductSpec(
                    id=self.product_id(i, k),
                    work_index=i,
                    k=k,
                    isbn13=self.isbn13(i, k),
                    form=form,
                    created_on=p_created,
                    pub_date=pub_tl,
                    status=status,
                    rights=rights_tl,
                    prices=prices_tl,
                    page_count=r.randrange(160, 640) if not form.audio else None,
                    duration_minutes=r.randrange(240, 1200) if form.audio else None,
                    width_mm=(153 if code == "BB" else 129) if physical_book else None,
                    height_mm=(234 if code == "BB" else 198) if physical_book else None,
                    thickness_mm=r.randrange(14, 45) if physical_book else None,
                )
            )

        # contributors: a narrator joins when the audio product is set up
        contributions: Timeline = [(created, tuple(contribs))]
        audio_products = [p for p in products if p.form.audio]
        if audio_products:
            narrator = _NARRATORS[r.randrange(len(_NARRATORS))].split(" ")
            nar = Contribution(
                9_000_000 + 10 * i + 7,
                self.CONTACT_ID_BASE + 900_000 + _NARRATORS.index(" ".join(narrator)),
                narrator[0],
                narrator[1],
                "E07",
                len(contribs) + 1,
                audio_only=True,
            )
            contributions.append(
                (max(created, audio_products[0].created_on), tuple(contribs) + (nar,))
            )
            contributions = _collapse(contributions, created, tuple(contribs))

        # --- marketing texts, links, cover ------------------------------------------------
        texts_on = max(created, first_pub - timedelta(days=240))
        prefix, bare = final_title
        full = f"{prefix} {bare}" if prefix else bare
        author = contribs[0].person_name
        texts = [
            MarketingTextSpec(
                700000 + 10 * i,
                "SHORT_DESCRIPTION",
                f"<p>{full}: the new {main.thema_description.lower()} title from {author}.</p>",
                texts_on,
            ),
            MarketingTextSpec(
                700000 + 10 * i + 1,
                "DESCRIPTION",
                f"<p>In <em>{full}</em>, {author} {r.choice(('returns with', 'delivers', 'offers', 'debuts with'))} "
                f"a {r.choice(('gripping', 'luminous', 'tender', 'fierce', 'witty'))} story set in the "
                f"{r.choice(_ADJ).lower()} {r.choice(_NOUN).lower()}.</p>",
                texts_on,
            ),
        ]
        # Editors keep revising the copy: often around launch, now and then for the backlist.
        busy_from, busy_to = (
            max(texts_on, first_pub - timedelta(days=240)),
            actual_pub + timedelta(days=60),
        )
        revisions = set()
        if not backlist:
            for _ in range(r.randrange(5, 40)):
                revisions.add(
                    busy_from + timedelta(days=r.randrange(max(1, (busy_to - busy_from).days)))
                )
        quiet_from = max(busy_to, texts_on)
        for _ in range(r.randrange(0, 8)):
            revisions.add(quiet_from + timedelta(days=r.randrange(1, 4000)))
        texts[1].revised_on = tuple(sorted(d for d in revisions if d > texts_on))
        if r.random() < 0.3:
            texts.append(
                MarketingTextSpec(
                    700000 + 10 * i + 2,
                    "REVIEW_QUOTE",
                    f"<p>'{r.choice(('Unputdownable', 'A triumph', 'Dazzling'))}' - The Reader</p>",
                    actual_pub + timedelta(days=30),
                )
            )
        links: list[WebLinkSpec] = []
        if products and r.random() < 0.4:
            for p in products:
                links.append(
                    WebLinkSpec(
                        800000 + 100 * i + p.k,
                        p.k,
                        f"https://www.{imprint.slug}.example/books/{p.isbn13}",
                        "02",
                        "Publisher's page for this title",
                        max(p.created_on, first_pub - timedelta(days=150)),
                    )
                )
        cover_on = max(created, first_pub - timedelta(days=240))

        spec = WorkSpec(
            index=i,
            id=self.work_id(i),
            created_on=created,
            backlist=backlist,
            first_pub_date=first_pub,
            imprint=imprint,
            title=title,
            subtitle=subtitle,
            stage=stage,
            tier=tier,
            genres=genres,
            contributions=contributions,
            products=products,
            marketing_texts=texts,
            web_links=links,
            cover_created_on=cover_on,
            fate=fate,
        )
        if not backlist:
            spec.legacy_videos = self._legacy_videos(spec, r, tier_at_launch, cancel_on)
            for n, v in enumerate(spec.legacy_videos):
                if v.linked_in_consonance and v.published_on is not None:
                    k = v.audio_product_k if v.audio_product_k is not None else 0
                    if k < len(products):
                        spec.web_links.append(
                            WebLinkSpec(
                                800000 + 100 * i + 10 + n,
                                k,
                                v.asset_url,
                                LEGACY_LINK_ROLE[v.deliverable] if r.random() < 0.7 else "00",
                                v.deliverable.replace("_", " ").capitalize(),
                                v.published_on + timedelta(days=2),
                            )
                        )
        self._cover_and_dates(spec, actual_pub)
        return spec

    def _cover_and_dates(self, spec: WorkSpec, actual_pub: date) -> None:
        """Cover redesigns and strict on-sale dates, from a stream of their own (so adding them
        changed nothing else in the world). A frontlist cover is often redesigned once between
        the first cover and a year after publication (the sales team's rethink, the paperback
        look); now and then a backlist cover is refreshed."""
        r = _rng(self.seed, "cover", spec.index)
        start = spec.cover_created_on + timedelta(days=30)
        if not spec.backlist:
            revised = []
            if r.random() < 0.35:
                end = actual_pub + timedelta(days=400)
                revised.append(start + timedelta(days=r.randrange(max(1, (end - start).days))))
            spec.cover_revised_on = tuple(sorted(revised))
            spec.strict_on_sale = r.random() < 0.15
        elif r.random() < 0.05:
            spec.cover_revised_on = (start + timedelta(days=r.randrange(1, 4000)),)

    def _legacy_videos(
        self, spec: WorkSpec, r: random.Random, tier: Tier, cancel_on: date | None
    ) -> list[LegacyVideo]:
        launch_on = spec.first_pub_date - timedelta(days=150)
        plan: list[tuple[str, int | None]] = []
        if tier.id == 1:
            plan += [
                ("TRAILER", None),
                ("AUTHOR_INTERVIEW", None),
                ("TEASER", None),
                ("SOCIAL_CUTDOWN", None),
            ]
            if r.random() < 0.03:
                plan.append(("EVENT_RECORDING", None))
        elif tier.id == 2:
            plan += [("TRAILER", None), ("SOCIAL_CUTDOWN", None)]
        elif r.random() < 0.3 or spec.first_pub_date >= self.go_live - HAND_MADE_FOR_ALL:
            # (the draw is made either way, so the rest of the work's history does not shift)
            plan.append(("SOCIAL_CUTDOWN", None))
        if tier.id <= 2 and r.random() < 0.02:
            plan.append(("BEHIND_THE_SCENES", None))
        if tier.id <= 2:
            for p in spec.products:
                if p.form.code == "AJ":
                    plan.append(("AUDIOBOOK_SAMPLE", p.k))
        out: list[LegacyVideo] = []
        actual_pub = (
            min(at(p.pub_date, date.max) for p in spec.products)
            if spec.products
            else spec.first_pub_date
        )
        for n, (deliverable, audio_k) in enumerate(plan):
            master_on = launch_on + timedelta(days=r.randrange(20, 91))
            if audio_k is not None:
                master_on = max(master_on, spec.products[audio_k].created_on + timedelta(days=10))
            if master_on >= self.go_live or (cancel_on is not None and master_on >= cancel_on):
                continue
            master_on = max(master_on, spec.created_on)
            ns = uuid.UUID(int=self.seed & ((1 << 128) - 1))
            asset_id = str(uuid.uuid5(ns, f"asset:{spec.id}:{deliverable}:{n}"))
            job_id = str(uuid.uuid5(ns, f"job:{spec.id}:{deliverable}:{n}"))
            published = None
            if cancel_on is None:
                published = max(master_on + timedelta(days=2), actual_pub - timedelta(days=14))
                if published >= self.go_live:
                    published = None  # waiting for the integration to publish it
            unpublished = None
            if published is not None and r.random() < 0.1:
                unpublished = published + timedelta(days=r.randrange(180, 1500))
                if unpublished >= self.go_live:
                    unpublished = None
            lo, hi = _DURATIONS[deliverable]
            vertical = deliverable in _VERTICAL
            out.append(
                LegacyVideo(
                    asset_id=asset_id,
                    job_id=job_id,
                    work_index=spec.index,
                    deliverable=deliverable,
                    audio_product_k=audio_k,
                    created_on=master_on,
                    ready_on=master_on + timedelta(days=1),
                    published_on=published,
                    unpublished_on=unpublished,
                    channels=LEGACY_CHANNELS[deliverable],
                    region_mode="world" if r.random() < 0.2 else "rights",
                    label_mode=_pick(
                        r, ((0.85, "full"), (0.07, "isbn"), (0.04, "unknown_isbn"), (1.0, "none"))
                    ),
                    duration_seconds=r.randrange(lo, hi + 1),
                    width=1080 if vertical else 1920,
                    height=1920 if vertical else 1080,
                    fmt="HLS" if r.random() < 0.2 else "MP4",
                    linked_in_consonance=r.random() < 0.3,
                )
            )
        return out

    # ---- the video side -----------------------------------------------------------------

    def legacy_videos(self, i: int) -> list[LegacyVideo]:
        return self.spec(i).legacy_videos

    def unknown_isbn(self, i: int, n: int) -> str:
        first12 = f"{self.UNKNOWN_ISBN_PREFIX}{(10 * i + n) % 10_000_000:07d}"
        return first12 + isbn13_check_digit(first12)


def _collapse(timeline: Timeline, created: date, initial: Any) -> Timeline:
    """Drop entries that precede creation, keeping the latest of them as the state at creation."""
    before = [e for e in timeline if e[0] <= created]
    after = [e for e in timeline if e[0] > created]
    start = before[-1][1] if before else initial
    return [(created, start)] + after


def _set(timeline: Timeline, when: date, value: Any) -> Timeline:
    """Timeline with ``value`` from ``when`` on (later entries are superseded)."""
    kept = [e for e in timeline if e[0] < when]
    return kept + [(when, value)]


def _changed_rights(rights: Rights) -> Rights:
    """The typical rights change: North American rights sold (or reverted if already excluded)."""
    if not rights.for_sale:
        if "US" in rights.not_for_sale:
            return WORLD  # rights reverted
        return Rights((), ("US", "CA"))
    if "CA" in rights.for_sale:
        return Rights(tuple(c for c in rights.for_sale if c != "CA"), ())
    return Rights(rights.for_sale + ("CA",), ())
