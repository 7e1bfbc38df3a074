"""Replies a stranger found badly worded (review 12), each asserted at its template with the exact text."""

from __future__ import annotations

from agent.answers import describe, explain as explain_piece, feedback
from agent.compose import _instrument_notes
from tools.contracts import TasteProfile
from tools.errors import AudioError
from tools.generate.request import MusicChange
from tools.genres import is_plural
from tools.prompting import profile_to_prompt
from tools.taste import explain, merge_text


def test_a_plural_instrument_takes_a_plural_verb():
    assert [is_plural(i) for i in ("strings", "drums", "vocals", "steel drums", "timpani")] == [True] * 5
    assert [is_plural(i) for i in ("bass", "piano", "brass", "synth bass", "guitar")] == [False] * 5
    notes = _instrument_notes(MusicChange(more={"strings": 0.3}), [], "sketch")
    assert notes == ["I can't turn one instrument up yet, and the strings were already playing, so it sounds much "
                     "the same there"]
    notes = _instrument_notes(MusicChange(more={"piano": -0.3}), [], "sketch")
    assert notes == ["I can't turn one instrument down yet, and the piano was already playing, so it sounds much "
                     "the same there"]


def test_a_file_name_is_quoted_before_its_problem():
    """'passwd: is not audio' read as one garbled name."""
    assert str(AudioError("passwd", "is not audio we can read: it looks like text.", "Please upload a wav.")) == \
        "'passwd' is not audio we can read: it looks like text. Please upload a wav."
    assert str(AudioError("my song.wav", "no such file.", "Check the path.")) == "'my song.wav': no such file. Check the path."


def test_a_theme_of_two_words_is_one_theme_and_instrumental_is_not_an_instrument():
    taste = merge_text(TasteProfile(), "I like mellow jazz with piano and rainy evenings")
    assert explain(taste) == "jazz 1.0, calm, mellow, with piano; about rainy evenings"  # not 'about rainy; evenings'
    two = merge_text(taste, "songs about summer and the sea")
    assert two.themes == ["rainy evenings", "summer", "sea"]
    bach = TasteProfile(genres={"classical": 0.8}, instruments={"strings": 0.9, "instrumental": 0.6, "violin": 0.5})
    assert explain(bach) == "classical 0.8, instrumental, with strings, violin"
    assert profile_to_prompt(bach) == "strongly classical (0.8), featuring strings and violin, instrumental"


def test_a_described_song_has_moods_that_agree_and_its_instruments_are_players():
    result = {"uploads": [{"name": "bach.flac", "duration_s": 46.4, "genres": [["classical", 0.38], ["indie", 0.11]],
                           "moods": [["calm", 0.3], ["energetic", 0.2]],
                           "instruments": [["strings", 0.5], ["instrumental", 0.4], ["violin", 0.3]]}]}
    assert describe(result).startswith("**bach.flac** (46 s) sounds like classical (38%) and indie (11%). Mood: calm. "
                                       "I hear strings and violin (instrumental).")
    result["uploads"][0]["moods"] = [["calm", 0.3], ["sad", 0.2]]
    assert "Mood: calm and sad." in describe(result)


def test_why_a_piece_sounds_so_lists_moods_then_players():
    text = explain_piece({"id": "g1", "prompt": "p", "heard": [], "weights": {"genres": {"classical": 1.0}, "moods": {"calm": 0.5},
                                                  "instruments": {"strings": 0.9, "instrumental": 0.5, "piano": 0.4}}})
    assert "I aimed for classical 1.0, calm, with strings and piano, instrumental." in text


def test_a_like_that_leaves_no_taste_says_so():
    """'updated your taste: no preferences yet' after 'I love it'."""
    assert feedback({"liked": True, "profile": "no preferences yet", "taste_empty": True}) == (
        "Glad you like it! I've noted that, but I can't tell your taste from it yet. Tell me what you like "
        "('I like mellow jazz with piano') or attach a song you like.")
    assert feedback({"liked": False, "profile": "no preferences yet", "taste_empty": True}) == (
        "Thanks for telling me; I've noted that. Say 'another one' or tell me what to change.")
    assert feedback({"liked": True, "profile": "jazz 0.1", "taste_empty": False}) == \
        "Glad you like it! I've noted that and updated your taste: jazz 0.1."
    assert feedback({"liked": True, "profile": "country 0.1", "taste_empty": False, "generation_id": "g1",
                     "made_as": "metal"}) == \
        "Glad you like **g1** (metal)! I've noted that and updated your taste: country 0.1."
    assert feedback({"liked": False, "profile": "jazz 0.1", "taste_empty": False, "generation_id": "g2",
                     "made_as": "metal"}).startswith("Thanks for telling me; I'll steer away from **g2** (metal).")


def test_a_like_of_a_piece_that_teaches_no_taste_says_so_in_the_chat():
    from agent.graph import ChatAgent

    agent = ChatAgent(user="newcomer")
    agent.send("make me something, 4 seconds")
    reply = agent.send("I love it").text
    assert "no preferences yet" not in reply
    assert reply.startswith("Glad you like **g1") and "I've noted that" in reply and "Traceback" not in reply


def test_the_overview_keeps_the_persons_music_apart_from_the_built_in_collection():
    """'list my music' said "Your library is empty. ... (I'm still building your music library: 0/67 pieces.)" with a
    piece in the chat: the built-in collection is not theirs, and the chat's pieces are."""
    from agent.answers import overview

    g1 = {"id": "g1", "title": "g1: jazz", "name": None, "seconds": 8, "saved": False, "gone": False}
    building = overview({"tracks": [], "building": "0/67", "overview": {
        "count": 0, "genres": [], "built_in": 0, "built_in_genres": [], "unsaved": [g1]}})
    assert building.split("\n") == [
        "Nothing is saved in your library yet.",
        "Made in this chat, not saved yet: **g1** jazz (8 s). Say 'name g1 Rainy Day' (or 'save g1') to keep one in "
        "your library; 'play my music' plays them.",
        "(The built-in collection of example pieces is still being made: 0/67; search it in a few minutes.)"]
    built = overview({"tracks": [{"id": "t1", "title": "Blue Morning", "artist": "Tastemaker", "genre": "jazz"}],
                      "overview": {"count": 1, "genres": [("jazz", 1)], "built_in": 67,
                                   "built_in_genres": [("classical", 50), ("folk", 17)], "unsaved": []}})
    assert built.split("\n") == [
        "Your library holds 1 track (jazz 1). The newest, last added first:",
        "1. **Blue Morning** by Tastemaker (jazz)",
        "Beside them, the built-in collection: 67 pieces (classical 50, folk 17). Search it by words ('find string "
        "quartets') or sound ('find something similar')."]
