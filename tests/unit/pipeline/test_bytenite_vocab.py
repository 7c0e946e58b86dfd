"""The pipeline's ByteNite vocabulary (titlevideo.bytenite.vocab) and the emulator's
(emulators.bytenite.wire) are two definitions on purpose: the emulator stands for the real API,
so it must not follow the pipeline's beliefs about it. Both are held here to the API's documented
enums (the OpenAPI document the emulator serves), read as data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import emulators.bytenite
from emulators.bytenite import wire
from titlevideo.bytenite import vocab

pytestmark = pytest.mark.unit

SCHEMAS = yaml.safe_load(
    (Path(emulators.bytenite.__file__).with_name("openapi.yaml")).read_text(encoding="utf-8")
)["components"]["schemas"]


def documented(schema: str) -> set[str]:
    return set(SCHEMAS[schema]["enum"])


def test_the_pipeline_accepts_every_documented_value_and_writes_only_documented_channels():
    assert documented("DeliverableType") == vocab.WIRE_DELIVERABLE_TYPES
    assert documented("PublishingStatus") == vocab.WIRE_PUBLISHING_STATUSES
    assert documented("PlacementState") == vocab.WIRE_PLACEMENT_STATES
    # read: every documented channel is accepted (and the draft's extra ones besides)
    assert documented("Channel") <= vocab.WIRE_CHANNELS
    # written: the business rules may only place on channels the API documents
    assert vocab.on_wire(vocab.PLACEMENT_CHANNEL, vocab.CHANNELS) == documented("Channel")


def test_the_emulator_serves_exactly_the_documented_values():
    assert set(wire.DELIVERABLE_TYPES) == documented("DeliverableType")
    assert set(wire.PUBLISHING_STATUSES) == documented("PublishingStatus")
    assert set(wire.PLACEMENT_STATES) == documented("PlacementState")
    assert set(wire.CHANNELS) == documented("Channel")
