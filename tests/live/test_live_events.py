"""The live_* event kinds validate like every other kind, and only live_page_shown comes from tablets."""

import pytest

from kit.event_schema import KIT_ONLY, BadEvent, validate_batch, validate_event

LIVE = "0b0e6a8e-6d4f-4a53-9f57-1c6b8b7f5a31"


def event(kind, payload):
    return {
        "uuid": "1b0e6a8e-6d4f-4a53-9f57-1c6b8b7f5a31",
        "kind": kind,
        "pack_id": "mini",
        "lesson_id": "01-count",
        "device_time": "2026-03-01T09:30:00Z",
        "boot_id": "b",
        "mono_ms": 1,
        "payload": payload,
    }


GOOD = [
    ("live_joined", {"live": LIVE}),
    ("live_left", {"live": LIVE, "seconds": 600}),
    ("live_page_shown", {"live": LIVE, "page": 3}),
    ("live_answer", {"live": LIVE, "question": 1, "kind": "quiz", "choices": ["b"], "correct": True}),
    ("live_answer", {"live": LIVE, "question": 2, "kind": "poll", "choices": ["yes"]}),
    ("live_hand", {"live": LIVE, "up": False}),
]


@pytest.mark.parametrize(("kind", "payload"), GOOD)
def test_each_live_kind_validates(kind, payload):
    assert validate_event(event(kind, payload))["payload"] == payload


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        ("live_joined", {}, "payload.live"),
        ("live_joined", {"live": "a b"}, "payload.live"),
        ("live_left", {"live": LIVE, "seconds": -1}, "payload.seconds"),
        ("live_page_shown", {"live": LIVE, "page": "3"}, "payload.page"),
        ("live_answer", {"live": LIVE, "question": 0, "kind": "quiz", "choices": ["b"]}, "payload.question"),
        ("live_answer", {"live": LIVE, "question": 1, "kind": "exam", "choices": ["b"]}, "payload.kind"),
        ("live_answer", {"live": LIVE, "question": 1, "kind": "quiz", "choices": []}, "payload.choices"),
        (
            "live_answer",
            {"live": LIVE, "question": 1, "kind": "quiz", "choices": ["b", "b"]},
            "payload.choices",
        ),
        (
            "live_answer",
            {"live": LIVE, "question": 1, "kind": "quiz", "choices": ["b"] * 21},
            "payload.choices",
        ),
        ("live_answer", {"live": LIVE, "question": 1, "kind": "quiz", "choices": "b"}, "payload.choices"),
        ("live_hand", {"live": LIVE, "up": 1}, "payload.up"),
        ("live_hand", {"live": LIVE, "up": True, "who": "x"}, "payload"),
    ],
)
def test_bad_live_payloads_are_refused_naming_the_field(kind, payload, field):
    with pytest.raises(BadEvent) as refused:
        validate_event(event(kind, payload))
    assert refused.value.details["field"] == field


def test_a_tablets_batch_may_hold_live_page_shown_but_no_kit_only_kind():
    assert KIT_ONLY == {"live_joined", "live_left", "live_answer", "live_hand"}
    shown = event("live_page_shown", {"live": LIVE, "page": 1})
    assert validate_batch([shown], 10, from_tablet=True)
    for kind, payload in GOOD:
        if kind in KIT_ONLY:
            with pytest.raises(BadEvent, match="recorded by the kit itself") as refused:
                validate_batch([shown, event(kind, payload)], 10, from_tablet=True)
            assert refused.value.details["index"] == 1
            assert validate_batch([event(kind, payload)], 10)  # the kit's own record() takes it
