"""The performance summary's deliverable lines (issue 18, flow 6): each asset's publishing status
stays on the title, with its duration, format and thumbnail when ByteNite has them."""

from __future__ import annotations

import pytest

from titlevideo.reverse.targets.consonance import (
    render_deliverable,
    render_readiness,
    render_summary,
)

pytestmark = pytest.mark.unit

THUMB = "https://media.bytenite.example/v1/assets/a1/thumbnail.jpg"


@pytest.mark.parametrize(
    ("deliverable", "line"),
    [
        (
            {
                "type": "TRAILER",
                "status": "PUBLISHED",
                "durationSeconds": 92.4,
                "format": "MP4",
                "thumbnailUrl": THUMB,
            },
            f"Trailer published (1:32, MP4, thumbnail {THUMB})",
        ),
        (
            {
                "type": "AUTHOR_INTERVIEW",
                "status": "UNPUBLISHED",
                "durationSeconds": 725,
                "format": "HLS",
                "thumbnailUrl": None,
            },
            "Author interview unpublished (12:05, HLS)",
        ),
        ({"type": "TEASER", "status": "FAILED"}, "Teaser failed"),
        (
            {"type": "SOCIAL_CUTDOWN", "status": "IN_PRODUCTION", "durationSeconds": None},
            "Social cutdown in_production",
        ),
    ],
)
def test_each_deliverable_says_its_status_and_what_byte_nite_knows(deliverable, line):
    assert render_deliverable(deliverable) == line


def test_the_summary_lists_every_deliverable_with_its_status():
    facts = {
        "title": "Salt Harbour",
        "asOf": "2026-11-26",
        "views": 1200,
        "watchTimeSeconds": 7200,
        "completionRate": 0.5,
        "engagementRate": 0.1,
        "deliverables": [
            {
                "type": "TRAILER",
                "status": "PUBLISHED",
                "durationSeconds": 60,
                "format": "MP4",
                "thumbnailUrl": THUMB,
            },
            {"type": "TEASER", "status": "UNPUBLISHED"},
        ],
    }
    text = render_summary(facts, "<!-- m -->")
    assert (
        f"- Deliverables: Trailer published (1:00, MP4, thumbnail {THUMB}); Teaser unpublished"
        in text.splitlines()
    )


def _readiness(days: int, deliverables: list[dict[str, object]]) -> dict[str, object]:
    return {
        "publicationDate": "2026-12-20",
        "daysToPublication": days,
        "deliverables": deliverables,
    }


def test_readiness_lines_say_each_deliverables_state_and_its_risk():
    """Issue 13, flow 5: the readiness lines render the rows of mart_launch_readiness the facts
    carry (state, channels when placed, the at-risk rule's reason)."""
    readiness = _readiness(
        18,
        [
            {
                "type": "TRAILER",
                "audioIsbn13": None,
                "state": "placed",
                "channels": ["CAMPAIGN_LANDING", "YOUTUBE"],
                "riskReason": None,
            },
            {
                "type": "TEASER",
                "audioIsbn13": None,
                "state": "in production",
                "channels": [],
                "riskReason": "not ready 21 days before publication (due 2026-11-29)",
            },
            {
                "type": "AUDIOBOOK_SAMPLE",
                "audioIsbn13": "9780000000017",
                "state": "blocked",
                "channels": [],
                "riskReason": "blocked: no rights anywhere",
            },
        ],
    )
    assert render_readiness(readiness) == [
        "- Launch readiness (publication 2026-12-20, in 18 days): "
        "Trailer placed (Campaign landing, Youtube); Teaser in production; "
        "Audiobook sample 9780000000017 blocked",
        "- At risk: Teaser not ready 21 days before publication (due 2026-11-29); "
        "Audiobook sample 9780000000017 blocked: no rights anywhere",
    ]


@pytest.mark.parametrize(
    ("days", "when"), [(0, "today"), (1, "in 1 day"), (-5, "5 days ago"), (-1, "1 day ago")]
)
def test_readiness_says_when_the_title_is_published(days, when):
    ready = {"type": "TRAILER", "state": "ready", "channels": [], "riskReason": None}
    lines = render_readiness(_readiness(days, [ready]))
    assert lines == [
        f"- Launch readiness (publication 2026-12-20, {when}): Trailer ready",
        "- At risk: none",
    ]


def test_the_summary_carries_readiness_lines_only_for_titles_in_the_window():
    facts = {
        "title": "Salt Harbour",
        "asOf": "2026-11-26",
        "views": 0,
        "watchTimeSeconds": 0,
        "completionRate": 0,
        "engagementRate": 0,
        "readiness": None,
    }
    assert "Launch readiness" not in render_summary(facts, "<!-- m -->")
    facts["readiness"] = _readiness(3, [{"type": "TEASER", "state": "requested"}])
    text = render_summary(facts, "<!-- m -->").splitlines()
    assert "- Launch readiness (publication 2026-12-20, in 3 days): Teaser requested" in text
    assert "- At risk: none" in text
