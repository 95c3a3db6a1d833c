"""Buddy matching and improvement collaborative waves: who should help whom, on what, and why."""

from learnsys.buddies.assignment import assign, assignment_csv
from learnsys.buddies.config import BuddyConfig, FactorWeights
from learnsys.buddies.matcher import BuddyMatcher, UnknownProvider, matcher_for
from learnsys.buddies.topics import Topic, UnknownTopic, resolve_topic
from learnsys.buddies.waves import plan_to_ntriples, plan_waves

__all__ = [
    "BuddyConfig",
    "BuddyMatcher",
    "FactorWeights",
    "Topic",
    "UnknownProvider",
    "UnknownTopic",
    "assign",
    "assignment_csv",
    "matcher_for",
    "plan_to_ntriples",
    "plan_waves",
    "resolve_topic",
]
