"""The language layer: one parser that turns a person's words into an intent and typed slots.

Every caller reads words through here: the offline planner and the refine tool (agent/), `tastemaker
generate` (the CLI), taste profiles and the generators (tools/). One job per module:

    spelling    typo and shorthand correction (rapidfuzz against the words we know)
    words       the lexicon: vocabulary labels, everyday names, playable instruments, chat shorthand
    slots       words -> Slots (genres, moods, instruments, avoid, more/less, tempo, key, length, energy...)
    style       Slots -> Style for the generators; Style -> a text prompt
    intents     the table of intents (cues + labelled examples) and the router
    meaning     nearest by meaning (all-MiniLM): labels by their descriptions, intents by their examples
    foreign     messages in another language: detection and the music words we can still read
    understand  one message -> a Reading (intent, slots, confidence, language)
"""

from tools.language.intents import INTENTS
from tools.language.slots import Slots, read_slots, similar_labels
from tools.language.style import TextStyle, describe, parse_text, style_of
from tools.language.understand import Reading, understand

__all__ = ["INTENTS", "Reading", "Slots", "TextStyle", "describe", "parse_text", "read_slots", "similar_labels",
           "style_of", "understand"]
