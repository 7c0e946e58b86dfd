"""The asset metadata target compares what it sends with what ByteNite reports: ByteNite answers
every AssetMetadata field, null when unset, so a field the pipeline does not send (e.g. one the
extension gained later) is not a difference, and a rerun writes nothing."""

from __future__ import annotations

import pytest

from titlevideo.reverse.targets.bytenite import MetadataTarget

pytestmark = pytest.mark.unit

SENT = {"title": "Salt Harbour", "isbn13s": ["9781900000107"], "consonanceWorkId": "1011"}


@pytest.mark.parametrize(
    ("observed", "equal"),
    [
        ({**SENT}, True),
        ({**SENT, "coverImageUrl": None}, True),  # reported as unset: the same
        ({**SENT, "coverImageUrl": "https://x.example/c.jpg"}, False),  # set by someone: differs
        ({**SENT, "title": "Other"}, False),
        ({"title": "Salt Harbour"}, False),  # a sent field missing
    ],
)
def test_unset_fields_the_pipeline_does_not_send_are_not_a_difference(observed, equal):
    target = MetadataTarget.__new__(MetadataTarget)  # equal() reads no state
    assert target.equal({"metadata": SENT}, {"metadata": observed}) is equal
    assert target.equal({"metadata": None}, {"metadata": None}) is True
    assert target.equal({"metadata": SENT}, {"metadata": None}) is False
