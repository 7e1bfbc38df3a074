"""The chat agent with the offline planner: every intent, real tools, multi-turn follow-ups."""

from __future__ import annotations

import json
import re
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.attachments import attachment_note
from agent.graph import ChatAgent
from agent.planner import OfflinePlanner
from agent.session import LoopChart, Reporter, Session
from agent.toolbox import build_tools, has_module
from tests.conftest import tone_mix
from tools.language import intents as I
from tools.language import read_slots, understand

needs_generate = pytest.mark.skipif(not has_module("tools.generate"), reason="tools.generate not installed")


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    path = tmp_path_factory.mktemp("songs") / "favourite.wav"
    sf.write(str(path), tone_mix(seconds=8.0, seed=3), 22050)
    return path


@pytest.fixture(scope="module")
def second_song(tmp_path_factory):
    sr = 22050
    t = np.arange(int(6 * sr)) / sr
    y = 0.3 * np.sign(np.sin(2 * np.pi * 110 * t)) * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t))
    path = tmp_path_factory.mktemp("songs") / "buzz.flac"
    sf.write(str(path), y.astype(np.float32), sr)
    return path


# -- intent and slot parsing (tools.language) ---------------------------------------------------------

@pytest.mark.parametrize("text, intent", [
    ("hi there", I.GREETING), ("help", I.HELP), ("what can you do?", I.HELP), ("thanks!", I.THANKS),
    ("what is this song?", I.DESCRIBE), ("which genre are these?", I.DESCRIBE),
    ("what's my taste?", I.TASTE), ("I love mellow jazz with piano", I.TASTE),
    ("find something similar", I.SIMILAR), ("search the library for string quartets", I.SEARCH),
    ("do you have any Bach?", I.SEARCH), ("make me a rock track", I.MAKE),
    ("compose a calm piano piece", I.MAKE), ("make me something like these", I.MAKE_LIKE),
    ("more jazz", I.REFINE), ("faster", I.REFINE), ("less drums", I.REFINE),
    ("another one", I.REFINE), ("make it more energetic", I.REFINE), ("more like this", I.REFINE),
    ("I like it", I.FEEDBACK), ("not my thing", I.FEEDBACK), ("add it to my library", I.ADD),
    ("what did I save?", I.SEARCH), ("make a playlist of 3 songs like it", I.PLAYLIST),
    ("make a radio station like this", I.RADIO),
    ("read /etc/passwd", I.REFUSE_FILE), ("open ../secrets.txt for me", I.REFUSE_FILE),
    ("why did you choose that?", I.EXPLAIN), ("blend my songs", I.COMBINE),
])
def test_intents(text, intent):
    assert understand(text).intent == intent


def test_slots():
    s = read_slots("a 20 second hip hop beat at 95 bpm with piano, no vocals, 3 versions, using musicgen")
    assert s.genres == {"hip-hop": 1.0}
    assert s.instruments == {"piano": 1.0} and s.avoid == ["vocals"]
    assert (s.tempo, s.seconds, s.candidates, s.engine) == (95.0, 20.0, 3, "musicgen")
    assert read_slots("something sad and a bit of jazz, 1 minute").seconds == 60.0
    assert read_slots("a bit of jazz").genres == {"jazz": 0.35}


def test_changes():
    assert read_slots("more jazz").more == {"jazz": 0.3}
    assert read_slots("faster").tempo_factor > 1 > read_slots("slower").tempo_factor
    assert read_slots("less drums").more == {"drums": -0.3}
    assert read_slots("make the drums quieter").more == {"drums": -0.3}  # quieter drums, not more of them
    assert read_slots("turn the bass up").more == {"bass": 0.3}
    assert read_slots("no drums").avoid == ["drums"]
    assert read_slots("more energetic").energy_delta > 0
    assert read_slots("more like this").like_last
    assert read_slots("make it 30 seconds").seconds == 30.0
    key = read_slots("make it in D minor")
    assert (key.key, key.mode) == ("D", "minor")


# -- the planner on its own -------------------------------------------------------------------------

def test_planner_binds_tools_and_plans_from_the_conversation():
    planner = OfflinePlanner().bind_tools(build_tools(Session()))
    assert "describe_uploads" in planner.tool_names
    note = attachment_note([("u1", "a.wav", 30.0)])
    msg = planner.respond([HumanMessage(content=f"what is this?\n\n{note}")])
    assert msg.tool_calls[0]["name"] == "describe_uploads" and msg.tool_calls[0]["args"] == {"upload_ids": ["u1"]}
    # a follow-up without a new attachment refers to the earlier upload
    history = [HumanMessage(content=f"hi\n\n{note}"), AIMessage(content="Hello!"), HumanMessage(content="and this?")]
    assert planner.respond(history + [HumanMessage(content="what genre is it?")]).tool_calls[0]["args"] == {
        "upload_ids": ["u1"]}
    # after the tool answers, the planner writes plain sentences from the result
    result = {"uploads": [{"upload_id": "u1", "name": "a.wav", "duration_s": 30.0, "genres": [["rock", 0.6]],
                           "moods": [], "instruments": [["guitar", 0.5]], "tags": []}]}
    done = planner.respond([HumanMessage(content=f"what is this?\n\n{note}"), msg,
                            ToolMessage(content=json.dumps(result), name="describe_uploads",
                                        tool_call_id=msg.tool_calls[0]["id"])])
    assert not done.tool_calls and "rock (60%)" in done.content and "guitar" in done.content


def test_a_song_sent_with_a_vague_message_is_described():
    planner = OfflinePlanner().bind_tools(build_tools(Session()))
    first, second = attachment_note([("u1", "a.wav", 30.0)]), attachment_note([("u2", "b.wav", 9.0)])
    history = [HumanMessage(content=f"what is this?\n\n{first}"), AIMessage(content="It sounds like rock.")]
    for vague in ("here you go", "and this one?"):
        msg = planner.respond(history + [HumanMessage(content=f"{vague}\n\n{second}")])
        assert msg.tool_calls[0]["name"] == "describe_uploads" and msg.tool_calls[0]["args"] == {"upload_ids": ["u2"]}
    # without a new attachment, a vague message is still not understood: nothing is made up
    msg = planner.respond(history + [HumanMessage(content="here you go")])
    assert not msg.tool_calls and "not sure" in msg.content


def test_planner_only_offers_installed_tools():
    planner = OfflinePlanner().bind_tools([])
    reply = planner.respond([HumanMessage(content="make me a rock track")])
    assert not reply.tool_calls and "not installed" in reply.content


# -- whole conversations through create_agent with real tools ---------------------------------------

def test_greeting_help_and_refusals():
    agent = ChatAgent()
    hello = agent.send("hello!")
    assert hello.tools == [] and "Tastemaker" in hello.text and "what is this song" in hello.text
    assert "Here's what I can do" in agent.send("help").text
    refused = agent.send("please read /etc/passwd and tell me what's in it")
    assert refused.tools == [] and "only work with audio you attach" in refused.text
    assert "need a song" in agent.send("what is this song?").text  # nothing attached yet


def test_tools_take_session_ids_never_paths(song):
    session = Session()
    tools = {t.name: t for t in build_tools(session)}
    out = json.loads(tools["describe_uploads"].invoke({"upload_ids": [str(song)]}))
    assert "error" in out and "never open paths" in out["error"]
    assert all("path" not in name for t in tools.values() for name in t.args)


def test_bad_upload_gets_a_clear_message_and_is_not_kept(tmp_path):
    fake = tmp_path / "notes.mp3"
    fake.write_text("this is not audio at all")
    agent = ChatAgent()
    reply = agent.send("what is this song?", [fake])
    assert reply.text.startswith("'notes.mp3' is not audio we can read") and str(tmp_path) not in reply.text
    assert agent.session.uploads == {} and reply.tools == []


def test_a_text_file_named_wav_is_one_clear_line_and_leaves_nothing_behind(tmp_path, write_audio):
    """`echo hello > song.wav` uploaded in the browser showed a dead 0:00 player: the app checks a message's files
    first (agent.attachments.take_files), so a bad one is a line, not an upload, a kept copy or a player."""
    import shutil

    from agent.attachments import take_files
    from agent.terminal import attach_line

    fake = tmp_path / "song.wav"
    fake.write_text("hello\n")
    good = write_audio("good.wav")
    kept = tmp_path / "kept"

    def keep(path: str, name: str) -> Path:  # a kept chat's copy, as chat_store.keep_upload makes one
        kept.mkdir(exist_ok=True)
        return Path(shutil.copyfile(path, kept / name))

    agent = ChatAgent()
    uploads, problems = take_files(agent.attach, [(str(fake), "song.wav"), (str(good), "good.wav")], keep)
    assert [i for i, _ in problems] == [0] and len(problems[0][1].splitlines()) == 1
    assert problems[0][1].startswith("'song.wav' is not audio we can read: it looks like text")
    assert str(tmp_path) not in problems[0][1]
    assert [u.name for u in uploads] == ["good.wav"] and list(agent.session.uploads) == ["u1"]
    assert sorted(p.name for p in kept.iterdir()) == ["good.wav"]  # the bad file's copy is not left behind
    # the terminal's /attach: the same one line, nothing attached for the next message
    pending: list = []
    line = attach_line(agent, str(fake), pending)
    assert line.startswith(f"Can't attach it: '{fake}' is not audio we can read") and "\n" not in line
    assert pending == [] and list(agent.session.uploads) == ["u1"]


def test_thanks_help_and_an_unknown_taste_are_answered_plainly():
    agent = ChatAgent(user="nobody-yet")
    assert agent.send("thanks!").text.startswith("You're welcome")  # it said "Still not sure what you'd like"
    assert "radio station" in agent.send("what can you do?").text and "playlist" in agent.send("help").text
    taste = agent.send("what's my taste?").text
    assert taste.startswith("I don't know your taste yet") and "Sorry" not in taste  # a 'not yet', not an error


def test_loving_a_song_one_sent_makes_it_ones_taste(second_song):
    """'I love it' after 'what is this song?' answered 'There's nothing I've made yet for you to rate'."""
    agent = ChatAgent(user="loves-own-song")  # a taste of its own: other tests count the default user's songs
    agent.send("what is this song?", [second_song])
    loved = agent.send("I love it")
    assert loved.tool_calls[0] == ("taste_profile", {"upload_ids": ["u1"]})
    assert "From 1 song, your taste is" in loved.text
    assert "nothing I've made" in ChatAgent(user="loves-nothing-yet").send("I love it").text  # with nothing sent or made, still said


def test_what_is_this_song_then_taste(song, second_song):
    agent = ChatAgent(user="two-songs")  # a taste of its own: the default user's grows with whichever tests ran first
    reply = agent.send("what is this song?", [song])
    assert reply.tools == ["describe_uploads"]
    top = agent.session.uploads["u1"].analysis.genres.top(1)[0][0]
    assert top in reply.text and "favourite.wav" in reply.text
    assert reply.charts and reply.charts[0].genres[0][0] == top  # the bar chart of top genres
    # a second upload; "these" covers both
    both = agent.send("and what are these?", [second_song])
    assert both.tool_calls[0] == ("describe_uploads", {"upload_ids": ["u1", "u2"]})
    assert "buzz.flac" in both.text
    # 'what's the bpm of this?' was not understood, then re-tagged and printed the whole description: the answer is
    # the tempo the taste analysis heard, in one line, from the description already given
    bpm = agent.send("what's the bpm of this?")
    heard = agent.session.uploads["u2"].taste
    assert bpm.tools == [] and bpm.text == f"buzz.flac runs at about {round(heard.tempo)} BPM."
    taste = agent.send("what's my taste?")
    assert taste.tool_calls[0] == ("taste_profile", {"upload_ids": ["u1", "u2"]})
    assert "From 2 songs" in taste.text and "BPM" in taste.text
    assert agent.session.profile is not None and agent.session.profile.clips == ["favourite.wav", "buzz.flac"]


@needs_generate
def test_make_refine_feedback_conversation():
    agent = ChatAgent()
    made = agent.send("make me a 4 second rock track at 120 bpm")
    assert made.tool_calls[0][0] == "generate_music"
    args = made.tool_calls[0][1]
    assert args["genres"] == {"rock": 1.0} and args["tempo"] == 120.0 and args["seconds"] == 4.0
    assert len(made.audio) == 1 and made.audio[0].generation_id == "g1"
    g1 = agent.session.pieces["g1"].generation
    assert sf.info(g1.audio_path).duration == pytest.approx(4.0, abs=1.0)
    assert "sketch" in made.audio[0].caption and g1.model in made.audio[0].caption  # the engine, in the detail
    assert str(g1.seed) not in made.text and "120 BPM" in made.text  # the reply itself stays plain
    key = agent.send("what key is it in?")  # of a piece: what it was played in, from its record, in one line
    assert key.tools == [] and key.text == f"g1 is in {g1.conditioning['key']}."
    assert agent.send("whats the bpm of this").text == "g1 runs at about 120 BPM."
    drums = agent.send("does it have drums?")  # a question: answered from the arrangement, no new piece
    assert drums.tools == [] and drums.text.startswith("Yes: g1 has drums (a ") and "bass" in drums.text
    assert agent.session.pieces.keys() == {"g1"}

    jazz = agent.send("more jazz")
    assert jazz.tool_calls[0] == ("refine_music", {"said": "more jazz", "more": {"jazz": 0.3}, "generation_id": "g1"})
    g2 = agent.session.pieces["g2"].generation
    assert g2.style.genres["jazz"] >= 0.5 and g2.style.genres["rock"] == 1.0
    assert g2.seed == g1.seed  # the same band and tune, with more jazz in it (a new seed brought another line-up)

    faster = agent.send("faster")
    g3 = agent.session.pieces["g3"].generation
    assert g3.style.tempo == pytest.approx(g2.conditioning["tempo"] * 1.2, rel=0.01)
    assert "g3" in faster.text
    changed = agent.send("what did you change?")  # was not understood
    assert changed.tool_calls == [("explain_music", {"generation_id": "g3"})]
    assert 'It is a new take on g2, changed as you asked: "faster".' in changed.text

    agent.send("less drums")
    g4 = agent.session.pieces["g4"].generation
    assert g4.style.energy < (g3.style.energy if g3.style.energy is not None else 0.5)
    # what the change did not name stays: the key and mode; the pace only eases with the energy (the key moved
    # on every refinement, and 'make the drums quieter' went from 88 to 64 BPM)
    assert g4.conditioning["key"] == g3.conditioning["key"]
    assert g4.conditioning["tempo"] == pytest.approx(g3.conditioning["tempo"] * 0.9, rel=0.03)

    agent.send("another one")
    assert agent.session.pieces["g5"].generation.seed != g4.seed

    agent.send("more energetic")
    assert agent.session.pieces["g6"].generation.style.energy > g4.style.energy

    liked = agent.send("I love it!")
    assert liked.tool_calls[0] == ("record_feedback", {"liked": True, "generation_id": "g6"})
    assert agent.session.pieces["g6"].liked is True and "Glad you like **g6** (" in liked.text
    from tools.taste import feedback_count

    assert feedback_count(agent.session.user)["liked"] >= 1
    # said again of the same piece: noted once (a stranger's 'I like it' twice counted two likes and moved the taste
    # from 0.1 to 0.3)
    before = feedback_count(agent.session.user)["liked"]
    twice = agent.send("I like it")
    assert twice.text.startswith("Noted already: you like **g6**")
    assert feedback_count(agent.session.user)["liked"] == before
    so_far = agent.send("what have you made so far?")  # was not understood
    assert so_far.tool_calls == [("list_pieces", {})] and so_far.text.startswith("This chat has 6 pieces:")
    assert '3. **g3** rock, jazz' in so_far.text and 'a new take on g2 ("faster")' in so_far.text
    assert "you liked it." in so_far.text.splitlines()[6] and "comes closest to what it was asked" in so_far.text

    again = agent.send("play the first one again")  # the same file, and the next change starts from it
    assert again.tool_calls == [("play_music", {"generation_id": "g1"})]
    assert [a.path for a in again.audio] == [g1.audio_path] and "g1" in again.text and "Sorry" not in again.text
    slower = agent.send("slower")
    assert slower.tool_calls[0][1]["generation_id"] == "g1"


@needs_generate
def test_the_reply_quotes_the_rap_hook_and_the_arrangers_notes():
    agent = ChatAgent()
    rap = agent.send("make me a 6 second hip-hop track about the rainy city")
    assert 'the hook: "rainy, city, that is what we talk about"' in rap.text
    plain = agent.send("no vocals")
    assert "hook" not in plain.text and "no rap vocals, as asked" in plain.text
    no_drums = agent.send("make me some jazz without drums, 4 seconds")
    assert "Arranger's notes: no drums, as asked" in no_drums.text
    assert no_drums.tool_calls[0][1]["avoid"] == ["drums"]
    asked = agent.send("does it have drums?")
    assert asked.tools == [] and asked.text.startswith("No: g3 has ") and ", no drums. Say 'add drums'" in asked.text


@needs_generate
def test_a_key_that_is_no_key_is_said_with_what_keys_look_like():
    """'make g1 in the key of Z' made a take without a word about Z."""
    agent = ChatAgent()
    agent.send("make me a 4 second rock track in A minor")
    again = agent.send("make g1 in the key of Z")
    assert "'Z' is not a key I know (keys look like C, F# minor or B flat major), so the key stays A" in again.text
    assert agent.session.pieces["g2"].generation.conditioning["key"] == "A minor"
    new = agent.send("make a 4 second jazz piece in the key of Z")
    assert "'Z' is not a key I know (keys look like C, F# minor or B flat major), so the style chose one" in new.text


def test_in_h_minor_is_b_minor_and_an_h_with_a_sign_is_said_to_be_no_key():
    """'in H minor' made a take in the old key with "'H' is not a key I know"; 'in Hb' was dropped without a word."""
    agent = ChatAgent()
    agent.send("make me a 4 second rock track in A minor")
    again = agent.send("in H minor")
    assert agent.session.pieces["g2"].generation.conditioning["key"] == "B minor" and "not a key" not in again.text
    flat = agent.send("make it in Hb")
    assert "'Hb' is not a key I know" in flat.text and "so the key stays B" in flat.text


def test_a_key_without_a_mode_says_the_pieces_mode_was_kept():
    """'in the key of D' of a piece in A minor made it D minor without a word about the mode."""
    agent = ChatAgent()
    agent.send("make me a 4 second rock track in A minor")
    again = agent.send("in the key of D")
    assert agent.session.pieces["g2"].generation.conditioning["key"] == "D minor"
    assert "D minor: kept its minor mode; say 'D major' for major" in again.text
    named = agent.send("in the key of E major")  # a mode said is no news
    assert agent.session.pieces["g3"].generation.conditioning["key"] == "E major" and "kept its" not in named.text


def test_why_did_you_make_it_like_that_says_why_not_only_what():
    """'why did you make it like that?' said what was asked, not which words set the tempo, key and band."""
    agent = ChatAgent()
    agent.send("make me a 4 second sad jazzy piano piece at 90 bpm")
    why = agent.send("why did you make it like that?")
    assert why.tool_calls == [("explain_music", {"generation_id": "g1"})]
    line = next(p for p in why.text.split("\n\n") if p.startswith("Why: "))
    assert "jazz (you said 'jazzy')" in line and "Tempo 90 BPM: you said 'at 90'" in line
    assert "minor for the sad mood" in line and "piano (you said 'piano')" in line and "jazz's usual band" in line
    agent.send("faster")
    line = next(p for p in agent.send("why did you make it like that?").text.split("\n\n") if p.startswith("Why: "))
    assert 'BPM: the change you asked of g1, "faster"' in line and "'at 90'" not in line
    agent.send("make me a 4 second rock track")
    line = next(p for p in agent.send("why did you make it like that?").text.split("\n\n") if p.startswith("Why: "))
    assert "BPM: rock's usual range" in line and "a key rock is often played in" in line
    agent.send("make me a 4 second metal track")
    line = next(p for p in agent.send("why did you make it like that?").text.split("\n\n") if p.startswith("Why: "))
    band = line.split("Instruments: ")[1].split(": metal's usual band")[0].split(", ")
    assert len(band) == len(set(band)), band  # its guitars named once ('distortion guitar, distortion guitar, ...')


def test_why_of_a_style_guessed_from_the_words_says_the_words_not_chosen():
    """'music for a rainy day' was explained as "Genres: ambient (chosen); world (chosen)": the styles came from the
    sentence's meaning, and the explanation says so, as it says the words for the rest. (A rainy day is an occasion
    now, words.OCCASIONS: a foggy harbour is still guessed from the sentence.)"""
    agent = ChatAgent()
    agent.send("music for a foggy harbour, 3 seconds")
    genres = agent.session.pieces["g1"].generation.style.genres
    line = next(p for p in agent.send("why did you choose that?").text.split("\n\n") if p.startswith("Why: "))
    assert "chosen" not in line, line
    assert (f"Genres: {' and '.join(genres)} (the styles nearest in meaning to what you said, \"music for a foggy "
            f"harbour, 3 seconds\")") in line, line


@needs_generate
def test_an_occasion_is_said_with_the_style_it_chose_and_explained():
    """review20: 'a spooky halloween track' was house and folk without a word of why; the occasion chooses the style,
    the reply says so in one line (as it does for who the music is for), and 'why?' names the occasion."""
    agent = ChatAgent()
    made = agent.send("a spooky halloween track, 2 seconds")
    assert made.text.split("\n\n")[0] == ("For 'halloween', I went for dark, eerie orchestral music in a minor key (a "
                                          "guess at what fits: name a style if you know better).")
    assert agent.session.pieces["g1"].generation.conditioning["key"].endswith("minor")
    why = next(p for p in agent.send("why?").text.split("\n\n") if p.startswith("Why: "))
    assert "Genres: classical (you said 'halloween' (what it is for))" in why, why
    named = agent.send("a jazz song for our wedding first dance, 2 seconds")
    assert not named.text.startswith("For '")  # a style named: the occasion chose nothing to say
    assert agent.session.pieces["g2"].generation.conditioning["tempo"] <= 92  # jazz's ballad range, not 121 BPM disco


def test_refine_before_anything_was_made():
    agent = ChatAgent()
    assert "nothing to refine" in agent.send("another one").text
    assert agent.send("more jazz").tools == ["generate_music"]  # a style on its own: make it


def test_after_forget_my_taste_the_songs_attached_before_stay_forgotten(song):
    """The songs stayed attached, so 'what is my taste?' said it was listening to them, then that it knew nothing."""
    agent = ChatAgent(user="forgets-songs")
    first = agent.send("what is my taste?", [song])
    assert agent.session.profile is not None and agent.session.profile.clips, first.text
    agent.send("forget my taste")
    again = agent.send("what is my taste?")
    assert "don't know your taste yet (you asked me to forget it" in again.text and agent.session.profile is None
    agent.send("I like mellow jazz")  # words start it again
    assert set(agent.session.profile.genres) == {"jazz"} and not agent.session.profile.clips


@pytest.mark.skipif(not has_module("tools.loop"), reason="tools.loop not installed")
@needs_generate
def test_make_something_like_these_runs_the_classifier_loop(song):
    agent = ChatAgent()
    reply = agent.send("make me something like this, 4 seconds, one version, at most 2 rounds", [song])
    assert reply.tools == ["create_music"]
    assert reply.tool_calls[0][1]["max_iters"] == 2 and reply.tool_calls[0][1]["candidates"] == 1
    loop = agent.session.last_loop
    assert loop is not None and loop.attempts and loop.best is not None
    assert "Aiming for" in reply.text and loop.target[0] in reply.text
    assert reply.audio and reply.audio[0].path == loop.best.generation.audio_path
    # the round-by-round picture only when there was more than one round to compare
    rounds = {a.iteration for a in loop.attempts}
    assert sum(isinstance(item, LoopChart) for item in reply.items) == (len(rounds) > 1)
    once = agent.send("make me something like this, 4 seconds, one version, at most 1 round", [song])
    assert once.tool_calls[0][1]["max_iters"] == 1 and {a.iteration for a in agent.session.last_loop.attempts} == {1}
    assert not any(isinstance(item, LoopChart) for item in once.items)
    again = agent.send("more energetic")
    assert again.tools == ["refine_music"] and agent.session.last_loop is not loop


@needs_generate
def test_add_an_upload_and_a_made_piece_to_the_library(song, tmp_path, monkeypatch):
    """'add it to my library': the file is copied into the library (it outlives the chat), tagged, embedded,
    and found by search; the same file twice is reported, not duplicated."""
    import shutil
    from collections import Counter
    from pathlib import Path

    from tools.library import open_library

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")  # only what this test adds
    mine = Path(shutil.copy(song, tmp_path / "road_trip.wav"))
    agent = ChatAgent()
    assert agent.send("what's in my library?").text.startswith("Your library is empty.")
    assert "nothing to add" in agent.send("add it to my library").text
    added = agent.send("add this to my library", [mine])
    assert added.tool_calls[0] == ("add_to_library", {"upload_id": "u1"})
    assert "Added **road trip**" in added.text and "now holds 1 track." in added.text
    assert "already in your library" in agent.send("save this to my library").text

    agent.send("make me a 4 second jazz piece")
    piece = agent.send("add it to my library")
    assert piece.tool_calls[0] == ("add_to_library", {"generation_id": "g1"})
    mine.unlink()  # the chat's copy of the upload goes away; the library's stays
    with open_library() as lib:
        tracks = {t.id: t for t in lib.list()}
        made = tracks[agent.session.pieces["g1"].library_id]
    assert len(tracks) == 2 and made.artist == "Tastemaker" and "jazz" in made.description
    assert made.title == "Tastemaker g1: jazz"  # not the words of the request ('make me a 4 second jazz piece')
    assert all(Path(t.audio_path).is_file() and Path(t.audio_path).parent.name == "added" for t in tracks.values())
    assert made.midi_path.endswith(".mid") and Path(made.midi_path).is_file()
    # 'what did I save?' was not understood, and 'what's in my library' searched for those words
    # 'list my music' searched for its words; 'show my music' was a radio request, 'what music do I have' the taste
    for asked in ("what did I save?", "what's in my library", "list my music", "show my music", "show me my music",
                  "what music do I have"):
        overview = agent.send(asked)
        assert overview.tools == ["search_library"], asked
        road = next(t for t in tracks.values() if t is not made)
        assert overview.text.split("\n")[1:3] == [f"1. **Tastemaker g1: jazz** by Tastemaker ({made.genre})",
                                                  f"2. **road trip** ({road.genre})"], overview.text
        counts = Counter(t.genre for t in tracks.values())
        assert overview.text.startswith("Your library holds 2 tracks (")
        assert all(f"{g} {n}" in overview.text.split("\n")[0] for g, n in counts.items())
    found = agent.send("search the library for road trip")
    assert found.tools == ["search_library"] and "road trip" in found.text.split("\n")[1]
    # a search result is something to be like: its tags are the aim, its score (when it has one) the reference
    agent.send("search the library for jazz")
    like = agent.send("make me something like the first one, 4 seconds")
    (name, args), = like.tool_calls
    assert name == "create_music" and args["track_id"] == agent.session.last_search[0]
    assert "Using" in like.text and "Like what?" not in like.text


def test_a_taste_told_in_words_suggests_a_phrase_that_works_without_uploads():
    import re

    agent = ChatAgent(user="told-in-words")  # a person with no songs in their taste yet
    taste = agent.send("I love sad piano music")
    assert "From what you told me" in taste.text and "like these" not in taste.text
    phrase = re.search(r"Say '([^']+)'", taste.text).group(1)
    assert understand(phrase).intent == I.MAKE_LIKE  # the suggestion is something the chat understands


@needs_generate
def test_like_my_song_but_sadder_is_in_minor():
    """'make me a song that sounds like it but sadder' kept the song's major mode (the upload's mode outranked
    the mood asked for); 'make it happier' kept the minor one."""
    song = Path(__file__).parent / "fixtures" / "recordings" / "muldjord-chaos-god-excerpt.ogg"
    agent = ChatAgent(user="sadder")
    agent.send("what is this?", [str(song)])
    assert agent.session.uploads["u1"].taste.mode == "major"  # what the analysis hears in the song
    sadder = agent.send("make me a short song that sounds like it but sadder")
    assert sadder.tools == ["create_music"]
    assert agent.session.pieces["g1"].generation.conditioning["key"].endswith("minor")
    agent.send("make it happier")
    assert agent.session.pieces["g2"].generation.conditioning["key"].endswith("major")


@needs_generate
def test_a_piece_asked_without_a_genre_is_named_by_the_arrangers_choice():
    agent = ChatAgent(user="no-genre")
    made = agent.send("make me a 2 second sad piano piece")
    assert "chose ambient" in made.text
    assert made.audio[0].title == "g1: ambient"  # was 'g1: your piece'
    # a title typed in the chat is a name, never a path: the file is stored by its hash where the library keeps them
    saved = agent.send("save it as ../../../tmp/evil")
    assert saved.tool_calls == [("add_to_library", {"generation_id": "g1", "title": "tmp/evil"})]
    from tools.library import open_library

    with open_library() as library:
        track = library.get(agent.session.pieces["g1"].library_id, viewer=agent.session.library_viewer)
    assert track.title == "tmp/evil" and Path(track.audio_path).parent.name == "added"
    assert "evil" not in Path(track.audio_path).name


@needs_generate
def test_a_piano_piece_is_the_piano_alone_and_what_is_added_joins_it():
    """'make me a piano piece' was a pop band with drums, bass and a synth pad; said back as 'three acoustic grand
    pianos' (one per hand and the tune)."""
    agent = ChatAgent(user="solo")
    made = agent.send("make me a 3 second piano piece")
    assert "played by the piano alone" in made.text
    assert agent.send("what instruments are in it?").text == "g1 is played by an acoustic grand piano alone."
    assert "played alone (you said 'piano piece')" in agent.send("why did you make it like that?").text
    added = agent.send("add drums")
    parts = {p["family"] for p in agent.session.pieces["g2"].generation.conditioning["parts"]}
    assert parts == {"drums", "piano"}  # the drums asked for join the piano, not a whole band
    # brought in, not made busier: the same pace, and no word of a livelier groove
    tempo = [agent.session.pieces[g].generation.conditioning["tempo"] for g in ("g1", "g2")]
    assert tempo[0] == tempo[1] and "livelier groove" not in added.text, (tempo, added.text)


def test_a_change_keeps_the_band_and_another_one_brings_a_new_one():
    """'slower' turned the organ into a piano: every change took the next seed, and the seed picks the line-up."""
    agent = ChatAgent(user="same-band")
    agent.send("a 3 second jazz piece")
    agent.send("slower")
    agent.send("more bass")
    players = [[p["name"] for p in agent.session.pieces[g].generation.conditioning["parts"]] for g in ("g1", "g2", "g3")]
    assert players[0] == players[1] == players[2], players
    agent.send("another one")
    g4 = agent.session.pieces["g4"].generation
    assert g4.seed != agent.session.pieces["g3"].generation.seed
    assert [p["name"] for p in g4.conditioning["parts"]] != players[0]  # the next band


def test_faster_past_the_fastest_tempo_says_what_faster_would_have_been():
    """review20: 'faster' of a fast piece said '268 BPM is faster than anyone can play', a tempo nobody had said."""
    agent = ChatAgent(user="too-fast")
    agent.send("a 3 second punk song at 230 bpm")
    reply = agent.send("faster")
    assert "faster would be 276 BPM, past what I make: it plays at 240 BPM" in reply.text, reply.text
    assert "faster than anyone can play" not in reply.text


def test_a_fresh_take_of_a_sad_piece_stays_in_minor():
    """review20: 'not that' on a sad piece in F minor made one in F major (a fresh take flips the mode)."""
    agent = ChatAgent(user="still-sad")
    agent.send("a 3 second sad piano piece")
    agent.send("not that, something completely different")
    keys = [agent.session.pieces[g].generation.conditioning["key"] for g in ("g1", "g2")]
    assert all(k.endswith("minor") for k in keys), keys
    agent.send("a 3 second jazz piece")  # no mood chose the mode: a fresh take still tries the other one
    agent.send("something completely different")
    jazz = [agent.session.pieces[g].generation.conditioning["key"].split()[1] for g in ("g3", "g4")]
    assert jazz[0] != jazz[1], jazz


def test_a_blues_piece_groove_reads_as_english():
    """review20: "on blues's own beat"."""
    agent = ChatAgent(user="blues-beat")
    agent.send("a 3 second blues piece")
    reply = agent.send("what groove is it?").text
    assert "blues' own beat" in reply or "blues' \"" in reply, reply
    assert "blues's" not in reply


def test_a_band_added_behind_a_solo_plays_in_the_style_named():
    """review20: 'add a funk band behind it' after a saxophone solo kept the sax alone; then the band was the pop
    band the arranger had picked for the solo, with funk lent to it."""
    agent = ChatAgent(user="band-behind")
    agent.send("a 3 second saxophone solo")
    agent.send("add a funk band behind it")
    g2 = agent.session.pieces["g2"].generation
    assert g2.conditioning["blend"] == {"funk": 1.0}, g2.conditioning["blend"]
    assert len(g2.conditioning["parts"]) > 2 and any(p["family"] == "drums" for p in g2.conditioning["parts"])


def test_a_groove_asked_for_stays_through_changes_and_a_change_can_ask_for_one():
    agent = ChatAgent(user="grooves")
    agent.send("a 3 second bossa nova")
    # 'is it a bossa nova?' of a bossa nova said 'No: there is no bossa nova here' (bossa nova has no style here)
    assert agent.send("is it a bossa nova?").text.startswith("Yes: g1 ")
    assert agent.send("is it a trap beat?").text.startswith("No, not a trap: g1 ")
    agent.send("slower")
    grooves = [agent.session.pieces[g].generation.conditioning.get("groove") for g in ("g1", "g2")]
    assert grooves == ["bossa nova", "bossa nova"], grooves
    reply = agent.send("make it a trap beat")
    assert agent.session.pieces["g3"].generation.conditioning.get("groove", "").startswith("trap")
    assert agent.session.pieces["g3"].generation.style.genres == {"jazz": 1.0}  # the groove lent, no hip-hop piled on
    assert "the trap groove, as asked" in reply.text
    # 'remove the trap beat' made it stronger (the groove asked again, the pace up, 'as asked' said again)
    removed = agent.send("remove the trap beat")
    g4 = agent.session.pieces["g4"].generation
    assert not g4.conditioning["groove"].startswith("trap") and "as asked" not in removed.text, removed.text
    assert "groove is gone" in removed.text and g4.conditioning["tempo"] == \
        agent.session.pieces["g3"].generation.conditioning["tempo"]
    agent.send("another one")  # the next takes stay without it
    assert not agent.session.pieces["g5"].generation.conditioning["groove"].startswith("trap")
    # a tool call's groove is the model's words: a hostile or nonsense one is refused in one line, not echoed whole
    from agent import compose
    from tools.generate.request import MusicChange

    hostile = compose.refine_music(agent.session, MusicChange(said="x", groove="\x1b[2J" + "polka" * 200), "g3")
    assert any("is not a groove I know" in n and len(n) < 200 for n in hostile["unmet"]), hostile["unmet"]
    odd = compose.refine_music(agent.session, MusicChange(said="x", groove=["trap"]), "g3")  # not even words
    assert any("was not words" in n for n in odd["unmet"])


def test_a_meter_or_key_change_in_a_new_request_is_said_and_a_dance_form_finds_its_style():
    """'a waltz' was dance and rnb, 'a jig in 6/8' blues, 'a march' punk at 193 BPM, each in 4/4 without a word;
    'is it in 3/4?' got the apology for a request."""
    agent = ChatAgent(user="meters")
    waltz = agent.send("a 3 second waltz")
    assert agent.session.pieces["g1"].generation.style.genres == {"classical": 1.0}
    assert "no waltz style here; played it as classical music" in waltz.text and "in 4/4" in waltz.text
    assert agent.send("is it in 3/4?").text.startswith("No: g1 is in 4/4")
    jig = agent.send("a 3 second folk tune in 6/8")
    assert "in 4/4: a waltz's 3/4 or a jig's 6/8 is beyond me yet" in jig.text
    keyed = agent.send("a 3 second piece with a key change")
    assert "in one key throughout" in keyed.text
    assert agent.send("add a key change").text.startswith("I keep a piece in one key for now")
    bossa = agent.send("3 seconds of bossa nova")
    assert bossa.text.count("no bossa") == 1 and "played it as jazz music" in bossa.text


def test_no_drums_on_a_drum_solo_brings_the_band_and_it_stays_a_band():
    """'add a bass' after 'no drums' on a drum solo was a bass alone: the solo outlived its only player."""
    agent = ChatAgent(user="solo-gone")
    agent.send("a 3 second drum solo")
    agent.send("no drums")
    agent.send("add a bass")
    families = {p["family"] for p in agent.session.pieces["g3"].generation.conditioning["parts"]}
    assert len(families) > 1 and "drums" not in families, families


def test_a_change_to_a_piece_made_without_a_genre_keeps_the_style_chosen_for_it():
    """'that's too busy' on a song made without a genre (pop chosen) made a pads-only ambient piece."""
    agent = ChatAgent(user="unstyled")
    agent.send("a 3 second song")
    agent.send("thats too busy")
    made = agent.session.pieces["g2"].generation
    assert made.conditioning["blend"] == agent.session.pieces["g1"].generation.conditioning["blend"], made.conditioning


def test_a_drum_solo_is_said_as_a_kit_alone_with_no_key():
    agent = ChatAgent(user="drum-solo")
    made = agent.send("a 3 second drum solo")
    assert "played by the drums alone" in made.text and "BPM, " not in made.text  # no key in its header
    assert agent.send("what instruments are in it?").text.endswith(" kit alone.")
    assert "it has no key" in agent.send("what key is it in?").text


@needs_generate
def test_what_was_made_lists_a_piece_whose_file_is_gone_without_failing():
    agent = ChatAgent(user="gone-file")
    agent.send("make me a 2 second rock song")
    agent.send("faster")
    Path(agent.session.pieces["g1"].generation.audio_path).unlink()
    listed = agent.send("what have you made so far?")
    assert listed.tool_calls == [("list_pieces", {})] and "Sorry" not in listed.text
    assert "1. **g1** rock (2 s): its file is no longer here." in listed.text
    assert '2. **g2** rock (2 s): I hear' in listed.text and 'a new take on g1 ("faster")' in listed.text


class _StopAt(Reporter):
    """A reporter that presses 'stop' the first time the work reports `when` (no timing: the stop lands at a known
    point of the turn, as the browser's stop button lands somewhere in it)."""

    def __init__(self, when: str):
        self.agent: ChatAgent | None = None
        self.when, self.reports = when, []

    def progress(self, text: str, fraction: float | None = None) -> None:
        self.reports.append(text)
        if self.when in text and self.agent is not None:
            self.agent.stop()
            self.agent = None  # once


def _messages(agent: ChatAgent) -> list:
    return agent.graph.get_state(agent.config).values.get("messages", [])


@needs_generate
def test_a_stopped_turn_keeps_nothing_and_the_chat_goes_on_from_before_it():
    """The browser's stop button (or a page closed) mid-piece: the server went on to finish the piece nobody would
    see, it took the next name (g2 was hidden, the next piece was g3) and 'make it faster' changed the hidden one."""
    reporter = _StopAt("arranging")
    agent = ChatAgent(reporter=reporter)
    agent.send("make me a jazz piece, 2 seconds")
    before = [m.id for m in _messages(agent)]
    reporter.agent = agent
    home = Path(os.environ["TASTEMAKER_HOME"])
    audio_before = set(home.rglob("*.wav"))
    stopped = agent.send("make me a 20 second rock piece")
    assert stopped.stopped and stopped.audio == [] and stopped.text.startswith("Stopped")
    assert list(agent.session.pieces) == ["g1"] and [m.id for m in _messages(agent)] == before
    # stopped before the rendering, the long part: nothing played, written or listened to after the stop
    assert reporter.reports[-1].startswith("arranging"), reporter.reports
    assert set(home.rglob("*.wav")) == audio_before
    faster = agent.send("make it faster")  # the piece in hand is the jazz one, and the next name is g2
    assert faster.tool_calls[0][1]["generation_id"] == "g1" and [a.generation_id for a in faster.audio] == ["g2"]


@needs_generate
def test_a_turn_stopped_while_its_piece_plays_writes_no_file():
    """A stranger stopped a 90 s piece in the browser: the rendering went on and its WAV, MIDI and JSON were written
    after the stop (and after the next turn's pieces), where nothing of a stopped turn is kept."""
    reporter = _StopAt("playing")
    agent = ChatAgent(reporter=reporter)
    reporter.agent = agent
    home = Path(os.environ["TASTEMAKER_HOME"])
    audio_before = set(home.rglob("*.wav")) | set(home.rglob("*.mid"))
    stopped = agent.send("make me a 6 second techno piece")
    assert stopped.stopped and stopped.audio == [] and agent.session.pieces == {}
    assert any(r.startswith("playing") for r in reporter.reports), reporter.reports
    assert set(home.rglob("*.wav")) | set(home.rglob("*.mid")) == audio_before


@needs_generate
def test_a_turn_that_finished_just_before_the_stop_is_taken_back():
    agent = ChatAgent()
    agent.send("make me a jazz piece, 2 seconds")
    before = [m.id for m in _messages(agent)]
    agent.send("make me a rock piece, 2 seconds")  # done, but the stop came before the page showed it
    made = agent.session.pieces["g2"].generation
    files = [Path(made.audio_path), Path(made.midi_path), Path(made.conditioning["sidecar"])]
    assert all(f.exists() for f in files)
    agent.take_back_last_turn()
    assert not any(f.exists() for f in files)  # nothing of it left behind (a minute of audio is 10 MB)
    assert list(agent.session.pieces) == ["g1"] and [m.id for m in _messages(agent)] == before
    assert [a.generation_id for a in agent.send("another one").audio] == ["g2"]


@needs_generate
def test_liking_a_piece_made_without_a_genre_teaches_the_style_it_was_played_in():
    """'make me something' (the engine chose pop), 'I love it': 'I can't tell your taste from it yet', and the
    taste stayed empty."""
    agent = ChatAgent(user="no-genre-fan")
    agent.send("make me something, 2 seconds")
    chosen = max(agent.session.pieces["g1"].generation.conditioning["blend"].items(), key=lambda kv: kv[1])[0]
    liked = agent.send("I love it")
    assert "can't tell your taste" not in liked.text, liked.text
    taste = agent.send("what's my taste?")
    assert chosen in taste.text.lower(), (chosen, taste.text)


def test_what_did_i_like_names_the_liked_pieces_and_their_style():
    """'what did I like?' after liking a piece was not understood; it is the person's taste, with what they liked."""
    agent = ChatAgent(user="asks-what-they-liked")  # a taste of its own
    agent.send("make me a 4 second jazz piece")
    agent.send("I love it")
    agent.send("make me a 4 second metal piece")
    agent.send("meh")  # a mild no: not counted as liked
    reply = agent.send("what did I like?")
    assert reply.tools == ["taste_profile"] and not reply.audio
    from tools.genres import ALL_LABELS
    from tools.taste.store import _generation_genres

    heard = {g: p for g, p in _generation_genres(agent.session.pieces["g1"].generation).items()
             if ALL_LABELS.get(g) == "genre"}
    assert f"You liked 1 piece I made (here: g1), mostly {max(heard, key=heard.get)}" in reply.text, reply.text
    # and what they turned down: a stranger's taste said nothing of three dislikes it had counted in its chart
    assert "You turned down 1 piece I made (here: g2)" in reply.text and "I steer away from those" in reply.text


def test_an_instrument_or_style_played_by_something_else_is_said():
    """'ukulele' and 'reggae' became 'world' without a word: the piece's notes say what plays instead."""
    agent = ChatAgent(user="asks-for-ukulele")
    reply = agent.send("make me a 4 second reggae song with ukulele")
    args = reply.tool_calls[0][1]
    assert args["genres"] == {"world": 1.0} and "nylon guitar" in args["instruments"]
    assert "no reggae style here; played it as world music" in reply.text, reply.text
    assert "no ukulele here; played it on nylon guitar" in reply.text, reply.text
    changed = agent.send("add a mandolin")
    assert "no mandolin here; played it on acoustic guitar" in changed.text, changed.text
    assert "played it" not in agent.send("make me a 4 second jazz song with piano").text  # nothing stood in


def test_brighter_after_darker_takes_the_darkness_back_and_reaches_the_records_tone():
    # 'make it darker' then 'make it brighter' made a piece both dark and happy (moods dark 0.5, happy 0.5): a techno
    # record between the two tones, and a key neither asked for. Opposite moods pull against each other.
    agent = ChatAgent()
    agent.send("make me a 4 second techno track")
    agent.send("make it darker")
    dark = agent.session.pieces["g2"].generation
    def tone(generation):  # the record's low-pass corner, from the piece's sidecar (every decision the arranger took)
        return json.loads(Path(generation.conditioning["sidecar"]).read_text())["arrangement"]["tone_hz"]

    assert dark.style.moods.get("dark", 0) >= 0.5 and tone(dark) == 1500.0
    agent.send("make it brighter")
    bright = agent.session.pieces["g3"].generation
    assert bright.style.moods.get("happy", 0) >= 0.5 and "dark" not in bright.style.moods, bright.style.moods
    assert tone(bright) is None
    assert "a dark record: the master low-passed at 1.5 kHz" in dark.conditioning["notes"]  # said, as asked
    assert "a bright record: no low-pass on the master" in bright.conditioning["notes"]
    agent.send("calmer")
    agent.send("more energetic")
    assert "calm" not in agent.session.pieces["g5"].generation.style.moods


def test_a_saved_piece_is_filed_under_what_it_was_made_as_not_what_the_tagger_heard():
    # a stranger's funk piece, saved, was 'Added Groove to your library as techno' (the tagger's top genre)
    agent = ChatAgent()
    agent.send("a 4 second funk song")
    saved = agent.send("save it as Groove")
    assert "Added **Groove** to your library as funk" in saved.text, saved.text


@needs_generate
def test_a_stopped_turn_takes_its_new_upload_with_it_and_says_so(write_audio):
    """The apps attach a message's files before its turn (to check them first), so the stop button no longer took
    them back: the turn's message was gone but its upload stayed, unnamed in the chat, and the next one was u2."""
    reporter = _StopAt("generating")
    agent = ChatAgent(reporter=reporter)
    older = agent.attach(write_audio("older.wav"), "older.wav")
    agent.send("what is this?", uploads=[older])  # an upload of an earlier turn stays whatever happens later
    reporter.agent = agent
    song = agent.attach(write_audio("song.wav"), "song.wav")
    stopped = agent.send("make me a 20 second piece like this", uploads=[older, song])
    assert stopped.stopped and list(agent.session.uploads) == ["u1"], list(agent.session.uploads)
    assert "song.wav went with it: attach it again" in stopped.text and "older.wav" not in stopped.text, stopped.text
    again = agent.attach(write_audio("song.wav"), "song.wav")
    assert again.id == "u2"  # the name the next message gives it is the one the conversation will use


@needs_generate
def test_no_more_jazz_leaves_no_jazz_in_the_style_the_arrangement_or_the_engines_prompt():
    """A reviewer's 'no more jazz' made a jazzier take: the style and the arrangement had dropped jazz, but the new
    take's text prompt was still the first words, 'a jazz rock piece' (what MusicGen plays from)."""
    agent = ChatAgent(user="no-more-jazz")
    agent.send("make me a 4 second jazz rock piece")
    reply = agent.send("no more jazz")
    piece = agent.session.pieces[reply.audio[0].generation_id]
    g = piece.generation
    assert "jazz" not in g.style.genres and "jazz" in g.style.avoid and g.style.genres == {"rock": 1.0}
    assert "jazz" not in g.conditioning["blend"]  # the arrangement's genres
    for prompt in (g.prompt, piece.request.prompt):
        assert re.sub(r"\bno jazz\b", "", prompt).find("jazz") < 0 and "rock" in prompt, prompt
    explained = agent.send("why did you make it like that?").text  # what was said first is still said
    assert 'you said "make me a 4 second jazz rock piece"' in explained and "no jazz" in explained, explained


def test_a_change_of_a_change_describes_the_piece_it_makes_not_the_one_before():
    """'make the drums quieter' then 'louder': the second take's prompt (MusicGen's text, the file's name) said the
    first take's tempo ('funk, 94 bpm') while it played at 103."""
    agent = ChatAgent()
    agent.send("make me a 4 second funk song")
    agent.send("make the drums quieter")
    agent.send("louder")
    before, after = agent.session.pieces["g2"].request, agent.session.pieces["g3"].request
    assert after.style.tempo != before.style.tempo
    assert f"{after.style.tempo:.0f} bpm" in after.prompt and f"{before.style.tempo:.0f} bpm" not in after.prompt
    assert Path(agent.session.pieces["g3"].generation.audio_path).name.find(f"{after.style.tempo:.0f}-bpm") >= 0


@needs_generate
def test_seconds_added_to_a_piece_make_it_that_much_longer():
    agent = ChatAgent(user="longer-by")
    agent.send("a 4 second funk piece")
    agent.send("make it 3 seconds longer")
    agent.send("2 seconds shorter")
    lengths = [agent.session.pieces[g].generation.duration for g in ("g1", "g2", "g3")]
    assert [round(x) for x in lengths] == [4, 7, 5], lengths


@needs_generate
def test_my_music_is_what_i_made_and_saved_and_a_name_plays_it(tmp_path, monkeypatch):
    """Reproduced: 'play my music' started a station of new pieces, 'list my music' said 'Your library is empty' while
    the chat had a piece, 'name it Blue Morning' was refused and 'play Blue Morning' made a new blues piece."""
    from tools.library import open_library

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")  # only what this test saves
    agent = ChatAgent(user="local")
    nothing = agent.send("play my music")
    assert nothing.tools == ["my_music"] and not nothing.audio and "\n" not in nothing.text
    assert nothing.text.startswith("You have no music of your own yet") and "'play some music'" in nothing.text
    agent.send("make me a 2 second calm jazz piece")
    listed = agent.send("list my music")
    assert "Your library is empty" not in listed.text and "still building" not in listed.text
    assert listed.text.split("\n")[:2] == [
        "Nothing is saved in your library yet.",
        "Made in this chat, not saved yet: **g1** jazz (2 s). Say 'name g1 Rainy Day' (or 'save g1') to keep one in "
        "your library; 'play my music' plays them."]
    mine = agent.send("play my music")
    assert mine.tools == ["my_music"] and [a.generation_id for a in mine.audio] == ["g1"]
    assert "1. **g1** jazz (2 s)" in mine.text and "station is on" not in mine.text
    # its picture's 'heard as' chart has the genres (it was drawn empty); the list ends before the hint (a browser's
    # markdown ran '... (2 s) Say ...' into the last item)
    assert mine.audio[0].heard and "(2 s)\n\nSay 'play g1'" in mine.text

    named = agent.send("name it Blue Morning")
    assert named.tool_calls == [("add_to_library", {"generation_id": "g1", "title": "Blue Morning"})]
    assert named.text.startswith("g1 is now called **Blue Morning**, saved to your library")
    assert agent.session.pieces["g1"].name == "Blue Morning"
    again = agent.send("play Blue Morning")
    assert again.tool_calls == [("play_music", {"generation_id": "g1"})] and again.audio[0].generation_id == "g1"
    assert again.text.startswith('Here is **g1** "Blue Morning" (jazz) again.')
    assert agent.send("play some blues").tools == ["generate_music"]  # words that are no name: a piece, as before
    renamed = agent.send("rename g1 to Bluer Morning")
    assert "renamed in your library (it was 'Blue Morning')" in renamed.text
    with open_library() as lib:
        (track,) = lib.list()
    assert track.title == "Bluer Morning" and track.id == agent.session.pieces["g1"].library_id
    both = agent.send("what's in my library")
    assert both.text.split("\n")[:2] == ["Your library holds 1 track (jazz 1). The newest, last added first:",
                                         "1. **Bluer Morning** by Tastemaker (jazz)"]
    assert "Made in this chat, not saved yet: **g2** blues" in both.text  # the unsaved piece beside the saved one

    from agent import actions  # a hostile name through the tool (an LLM passes the person's words on): cleaned, capped

    hostile = actions.add_to_library(agent.session, generation_id="g1", title="\x1b[2J<b>x</b>\n" + "y" * 5000)
    assert hostile["title"].startswith("[2J<b>x</b> y") and len(hostile["title"]) == 100
    assert "\x1b" not in hostile["title"] and "\n" not in hostile["title"]
    actions.add_to_library(agent.session, generation_id="g1", title="Bluer Morning")

    later = ChatAgent(user="local")  # another chat: the saved piece is still theirs, by its name, a piece of it again
    mine = later.send("plya my music")
    assert mine.tools == ["my_music"] and [(a.generation_id, a.path) for a in mine.audio] == [("g1", track.audio_path)]
    assert "1. **Bluer Morning** by Tastemaker (jazz), here as **g1**" in mine.text
    by_name = later.send("play bluer mornin")
    assert by_name.tool_calls == [("play_music", {"generation_id": "g1"})] and by_name.audio[0].path == track.audio_path
    assert later.send("search the library for bluer morning").text.split("\n")[1].startswith("1. **Bluer Morning**")


@needs_generate
def test_a_saved_piece_played_in_a_later_chat_is_a_piece_of_it_to_ask_about_and_change(tmp_path, monkeypatch):
    """review20, reproduced: a piece saved ('name it Blue Morning'), then played in a new chat ('play Blue Morning',
    'play my music') was a library track there: "what key is it in?" asked for a song to be attached, "why did you
    choose that?" said nothing was made, "slower" made an unrelated new piece. It is a piece of the new chat now, with
    its request, its arrangement's facts and its words as saved; a piece saved before the record was kept comes back
    from what the library has (its words, genre, seed, and its score's tempo and key)."""
    import json
    import sqlite3

    from tools.library import open_library

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")  # only what this test saves
    first = ChatAgent(user="local")
    first.send("make me a 3 second calm jazz piece")
    first.send("slower")
    made = first.session.pieces["g2"]
    tempo, key = round(made.generation.conditioning["tempo"]), made.generation.conditioning["key"]
    assert first.send("name it Blue Morning").tools == ["add_to_library"]

    later = ChatAgent(user="local")
    played = later.send("play Blue Morning")
    assert played.audio[0].generation_id == "g1" and "\n" not in played.text
    assert played.text.startswith('Here is **g1** "Blue Morning" (jazz) from your library, a piece of this chat again')
    assert later.send("what key is it in?").text == f"g1 is in {key}."
    assert later.send("how fast is it?").text == f"g1 runs at about {tempo} BPM."
    why = later.send("why did you choose that?").text
    assert 'you said "make me a 3 second calm jazz piece"' in why and "Blue Morning** from your library" in why
    assert f'Tempo {tempo} BPM: the change you asked, "slower"' in why  # the earlier chat's change, without its g1
    slower = later.send("slower")
    assert slower.tool_calls[0][0] == "refine_music" and slower.tool_calls[0][1]["generation_id"] == "g1"
    taken = later.session.pieces["g2"]
    assert taken.refined_from == "g1" and taken.generation.seed == made.generation.seed  # the same band, slower
    assert taken.generation.conditioning["tempo"] < tempo and taken.generation.conditioning["key"] == key
    assert later.send("add strings").tool_calls[0][1]["generation_id"] == "g2"

    again = ChatAgent(user="local")  # 'play my music' takes it up too; 'it' is the last one listed
    mine = again.send("play my music")
    assert [a.generation_id for a in mine.audio] == ["g1"] and "here as **g1**" in mine.text
    assert again.send("what key is it in?").text == f"g1 is in {key}."
    assert again.send("make it faster").tool_calls[0][1]["generation_id"] == "g1"

    named = ChatAgent(user="local")  # named in a change or a question, before it is played: taken up all the same
    changed = named.send("make Blue Morning faster")
    assert changed.tools == ["refine_music"] and named.session.pieces["g2"].refined_from == "g1"
    assert [a.generation_id for a in changed.audio] == ["g2"] and "blues" not in changed.tool_calls[0][1].get("more", {})
    assert named.session.pieces["g2"].generation.style.genres == {"jazz": 1.0}  # not blues ('blue', by meaning)
    assert named.send("what key is blue morning in?").text == f"g1 is in {key}."

    with open_library() as lib:  # a piece saved before the record was kept: what the library has
        (track,) = lib.list()
    assert track.extra["piece"]["version"] == 1 and Path(track.audio_path).with_suffix(".json").is_file()
    db = sqlite3.connect(tmp_path / "home" / "tastemaker.db")
    extra = {k: v for k, v in json.loads(db.execute("select extra from tracks").fetchone()[0]).items() if k != "piece"}
    db.execute("update tracks set extra = ?", (json.dumps(extra),))
    db.commit()
    db.close()
    older = ChatAgent(user="local")
    assert older.send("play blue morning").audio[0].generation_id == "g1"
    assert older.send("what key is it in?").text == f"g1 is in {key}."  # from its score
    assert older.send("slower").tool_calls[0][1]["generation_id"] == "g1"
    assert older.session.pieces["g2"].generation.seed == made.generation.seed


def test_which_one_was_better_of_two_versions_names_the_nearer_and_why(tmp_path):
    """'which one was better?' after a calm piece and its slower take listed them without the 'comes closest' line
    (neither was heard as ambient among its top three genres, and a piece made with no genre named had no ask): the
    nearer one is named, with how strongly each is heard as asked."""
    from agent import answers
    from agent.compose import list_pieces
    from agent.session import GeneratedPiece
    from tools.contracts import Generation, Style, Tags

    session = Session()
    for gid, ambient in (("g1", 0.08), ("g2", 0.21)):
        path = tmp_path / f"{gid}.wav"
        sf.write(path, np.zeros(800, dtype=np.float32), 8000)
        heard = {"indie": 0.5, "rock": 0.4, "jazz": 0.3, "ambient": ambient}
        generation = Generation(str(path), 8000, "sketch", "sketch-2", "calm piano", 1, duration=6.0,
                                conditioning={"blend": {"ambient": 1.0}}, style=Style(moods={"calm": 1.0}),
                                tags=Tags("genres", heard))
        session.pieces[gid] = GeneratedPiece(gid, generation, None, refined_from="g1" if gid == "g2" else None,
                                             change="slower" if gid == "g2" else None)
    listed = list_pieces(session)
    assert listed["closest"] == "g2"
    line = answers.pieces(listed).splitlines()[-1]
    assert line.startswith("By what I hear, none is clearly what it was asked to be yet; **g2** comes closest"), line
    assert "ambient at 0.21 in g2, 0.08 in g1" in line, line
    session.pieces["g1"].generation.tags = Tags("genres", {"indie": 0.5, "rock": 0.4, "jazz": 0.3, "ambient": 0.21})
    line = answers.pieces(list_pieces(session)).splitlines()[-1]
    assert line.startswith("By what I hear, none is clearly what it was asked to be yet, and **g1** and **g2** are too "
                           "close to call (I hear ambient at 0.21 in g1, 0.21 in g2)"), line
    session.pieces["g1"].generation.tags = Tags("genres", {"ambient": 0.6, "rock": 0.1})  # heard as asked: said so
    line = answers.pieces(list_pieces(session)).splitlines()[-1]
    assert line.startswith("By what I hear, **g1** comes closest to what it was asked to be (I hear ambient at 0.60 "
                           "in g1, 0.21 in g2)"), line


def test_a_built_in_piece_plays_by_its_title_and_a_renamed_piece_not_by_its_old_name(tmp_path, monkeypatch):
    """'play Greensleeves'-like requests for the built-in collection (which 'list my music' shows) made a new piece;
    after 'rename it to Grey Evening', 'play Blue Morning' still played it."""
    from tools.library import open_library
    from tools.library.ingest import Source, ingest

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")  # two built-in pieces of the test's own
    sources = []
    for n, (title, composer) in enumerate((("Rigoletto: La donna e mobile", "Giuseppe Verdi"),
                                           ("Maple Leaf Rag", "Scott Joplin"),
                                           ("Polonaise, Op. 1 No. 1", "Clara Schumann"))):
        path = tmp_path / f"builtin{n}.wav"
        sf.write(str(path), tone_mix(seconds=3.0, seed=n), 22050)
        sources.append(Source(path=path, id=f"builtin{n}", title=title, artist=composer, genre="classical",
                              extra={"origin": "default library"}))
    with open_library() as library:
        ingest(library, sources, progress=False)
    agent = ChatAgent(user="local")
    for text, track in (("play Maple Leaf Rag", "builtin1"), ("maple leaf rag please", "builtin1"),
                        ("put on la donna e mobile", "builtin0"), ("I want to hear Rigoletto: La donna e mobile",
                                                                   "builtin0"), ("play a polonaise", "builtin2")):
        played = agent.send(text)
        assert played.tool_calls == [("play_music", {"track_id": track})], (text, played.tool_calls)
        assert played.audio and "\n" not in played.text.strip(), played.text
        assert played.text.startswith("Here is **") and " again" not in played.text, played.text  # not played before
    agent.send("make me a 2 second calm jazz piece")
    agent.send("name it Blue Morning")
    agent.send("rename it to Grey Evening")
    old = agent.send("play Blue Morning")
    assert old.tool_calls == [] and old.text == ("Nothing is called 'Blue Morning' any more: g1 is called **Grey "
                                                 "Evening** now. Say 'play Grey Evening' to hear it.")
    assert agent.send("Grey Evening please").tool_calls == [("play_music", {"generation_id": "g1"})]


@pytest.mark.parametrize("key_number, key", [(1, "C# major"), (13, "C# minor"), (3, "Eb major"), (22, "Bb minor")])
def test_a_saved_pieces_key_read_from_its_score_is_spelt_as_the_arranger_spells_it(tmp_path, key_number, key):
    """A piece made in C# major, saved before its record was kept, came back from its score as 'Db major'."""
    import pretty_midi

    from tools.generate.output import score_tempo_and_key

    pm = pretty_midi.PrettyMIDI(initial_tempo=96.0)
    pm.key_signature_changes.append(pretty_midi.KeySignature(key_number, 0.0))
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(80, 61, 0.0, 1.0)]
    pm.instruments.append(piano)
    pm.write(str(tmp_path / "piece.mid"))
    assert score_tempo_and_key(str(tmp_path / "piece.mid")) == (96.0, key)


def _blue_morning_saved(tmp_path, monkeypatch):
    """A data directory whose library holds one piece made in a chat and saved as "Blue Morning"; its track."""
    from tools.library import open_library

    monkeypatch.setenv("TASTEMAKER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TASTEMAKER_DEFAULT_LIBRARY", "0")
    first = ChatAgent(user="local")
    first.send("make me a 3 second calm jazz piece")
    first.send("name it Blue Morning")
    with open_library() as lib:
        (track,) = lib.list()
    return track


def test_a_stopped_turn_that_took_up_a_saved_piece_leaves_the_librarys_files(tmp_path, monkeypatch):
    """Stop pressed on "play Blue Morning" in a later chat deleted the library's own wav, mid and record: the taken-up
    piece's files are the library's, not the turn's."""
    track = _blue_morning_saved(tmp_path, monkeypatch)
    later = ChatAgent(user="local")
    assert later.send("play Blue Morning").audio
    later.take_back_last_turn()  # what the Stop button does
    assert not later.session.pieces
    assert Path(track.audio_path).is_file() and Path(track.midi_path).is_file()
    assert ChatAgent(user="local").send("play Blue Morning").audio  # still there for the next chat


def test_a_saved_pieces_odd_record_plays_it_as_a_library_track_and_my_music_goes_on(tmp_path, monkeypatch):
    """A record that decodes to something else (a plain dict) ended 'play my music' with a TypeError."""
    import json
    import sqlite3

    track = _blue_morning_saved(tmp_path, monkeypatch)
    extra = dict(track.extra)
    extra["piece"] = dict(extra["piece"], generation={"prompt": "not a generation"}, request=[1, 2])
    db = sqlite3.connect(tmp_path / "home" / "tastemaker.db")
    db.execute("update tracks set extra = ?", (json.dumps(extra),))
    db.commit()
    db.close()
    reply = ChatAgent(user="local").send("play my music")
    assert reply.audio and "Sorry" not in reply.text, reply.text
