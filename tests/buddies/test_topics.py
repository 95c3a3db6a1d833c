from __future__ import annotations

import pytest

from learnsys.buddies.topics import UnknownTopic, resolve_topic


@pytest.mark.parametrize(
    "text,notation",
    [
        ("uec", "uec"),
        ("UEC", "uec"),
        ("Urgent and emergency care", "uec"),
        ("emergency CARE", "uec"),
        ("elective", "elective"),
        ("RTT", "elective"),
        ("planned care", "elective"),
        ("Cancer", "cancer"),
    ],
)
def test_resolve_by_notation_or_label_any_case(buddy_services, text, notation):
    assert resolve_topic(buddy_services.concepts, text).notation == notation


def test_topic_measures_come_from_the_concept(buddy_services):
    uec = resolve_topic(buddy_services.concepts, "uec")
    assert uec.headline == "ae_4h_all" and uec.metrics[0] == "ae_4h_all" and uec.domain == "access"
    assert uec.headline_for("ambulance") == "amb_c2_mean"
    assert resolve_topic(buddy_services.concepts, "cancer").headline == "cancer_62d"
    assert resolve_topic(buddy_services.concepts, "elective").headline == "rtt_18w_pct"


@pytest.mark.parametrize("text", ["", "  ", "dentistry", "ue"])
def test_unknown_topic(buddy_services, text):
    with pytest.raises(UnknownTopic) as err:
        resolve_topic(buddy_services.concepts, text)
    assert "uec" in err.value.choices
