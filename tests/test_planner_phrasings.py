"""Every phrasing quoted in issue 13 reaches the intended tool with the right referent (the offline planner
over a scripted conversation history; the tools themselves are exercised in test_agent.py)."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent import answers
from agent.attachments import attachment_note
from agent.planner import OfflinePlanner
from agent.radio_chat import is_radio_request
from agent.session import Session
from agent.toolbox import build_tools
from tools.language import intents as I
from tools.language import understand


@pytest.fixture(scope="module")
def planner():
    return OfflinePlanner().bind_tools(build_tools(Session()))


def said(text: str, *uploads: tuple[str, str]) -> HumanMessage:
    note = attachment_note([(uid, name, 30.0) for uid, name in uploads]) if uploads else ""
    return HumanMessage(content=f"{text}\n\n{note}".strip())


def tool_turn(name: str, result: dict, n: int) -> list:
    call = {"name": name, "args": {}, "id": f"c{n}", "type": "tool_call"}
    return [AIMessage(content="", tool_calls=[call]), ToolMessage(content=json.dumps(result), name=name,
                                                                  tool_call_id=f"c{n}"), AIMessage(content="ok")]


MADE = tool_turn("generate_music", {"pieces": [{"id": "g1"}]}, 1)
TWO_SONGS = [said("here are two", ("u1", "a.wav"), ("u2", "b.wav")), AIMessage(content="nice")]


def plan(planner, history: list, text: str, *uploads):
    reply = planner.respond(history + [said(text, *uploads)])
    return [(c["name"], c["args"]) for c in reply.tool_calls], reply.content


def test_like_it_means_the_last_song_described_not_every_upload(planner):
    history = [said("what are these?", ("u1", "metal1.wav"), ("u2", "metal2.wav")), AIMessage(content="metal"),
               said("and this one?", ("u3", "city_blues.wav")), AIMessage(content="blues")]
    calls, _ = plan(planner, history, "make me something like it")
    assert calls == [("create_music", {"description": "make me something like it", "upload_ids": ["u3"]})]
    calls, _ = plan(planner, history, "make me something like these")
    assert calls[0][1]["upload_ids"] == ["u1", "u2", "u3"]
    calls, _ = plan(planner, history, "make one like the second one")
    assert calls[0][1]["upload_ids"] == ["u2"]


def test_add_it_right_after_a_search_adds_that_result(planner):
    history = MADE + [said("find pieces by Bach")] + tool_turn(
        "search_library", {"tracks": [{"id": "t7"}, {"id": "t9"}]}, 2)
    assert plan(planner, history, "add it to my library")[0] == [("add_to_library", {"track_id": "t7"})]
    assert plan(planner, history, "add the second one to my library")[0] == [("add_to_library", {"track_id": "t9"})]
    assert plan(planner, MADE, "add it to my library")[0] == [("add_to_library", {"generation_id": "g1"})]
    like = plan(planner, history, "make me something like the second one")[0]
    assert like == [("create_music", {"description": "make me something like the second one", "track_id": "t9"})]


@pytest.mark.parametrize("text, tool, args", [
    ("why did you choose that?", "explain_music", {"generation_id": "g1"}),
    ("too slow, speed it up a bit", "refine_music", {"tempo_factor": 1.2}),
    ("give me a completely different take", "refine_music", {"different": True}),
    ("not really my thing", "record_feedback", {"liked": False}),
    ("not my thing", "record_feedback", {"liked": False}),
    ("make the drums quieter", "refine_music", {"more": {"drums": -0.3}}),
    ("turn the bass up", "refine_music", {"more": {"bass": 0.3}}),
    ("make it in D minor", "refine_music", {"key": "D", "mode": "minor"}),
    ("more jazz", "refine_music", {"more": {"jazz": 0.3}}),
    ("make that one darker", "refine_music", {"more": {"dark": 0.3}}),  # was a new piece, 'no genre given'
    ("make this one slower", "refine_music", {"tempo_factor": 0.83}),
    ("I really like this piece, what would you call it?", "describe_uploads", {"generation_ids": ["g1"]}),
    ("find me more music like it", "find_similar", {"generation_id": "g1"}),
    # a stranger's words, each of which made a new piece or was not understood
    ("put some strings on it", "refine_music", {"more": {"strings": 0.3}, "generation_id": "g1"}),
    ("throw in a sax", "refine_music", {"more": {"sax": 0.3}}),
    ("i dont like the drums", "refine_music", {"remove": ["drums"], "generation_id": "g1"}),
    ("that's too loud", "refine_music", {"energy_delta": -0.2}),
    ("hmm, way too busy", "refine_music", {"energy_delta": -0.2}),
    ("the drums are too loud", "refine_music", {"more": {"drums": -0.3}, "energy_delta": None}),
    # a stranger's (review20): 'twice as long' was another take at the same length; 'instrumental please' a new pop
    # piece; 'remove the blast beats' asked for them again
    ("make it twice as long", "refine_music", {"seconds_factor": 2.0, "generation_id": "g1"}),
    ("make it half as long", "refine_music", {"seconds_factor": 0.5}),
    ("instrumental please", "refine_music", {"generation_id": "g1"}),
    ("remove the blast beats", "refine_music", {"drop_groove": True, "groove": None}),
    ("no trap", "refine_music", {"drop_groove": True}),
])
def test_phrasings_after_a_piece_reach_their_tool(planner, text, tool, args):
    (name, got), = plan(planner, MADE, text)[0]
    assert name == tool
    assert {k: got.get(k) for k in args} == args


@pytest.mark.parametrize("text", ["mix my two favourite songs' styles", "combine the styles of my songs"])
def test_blending_songs_runs_the_loop_on_both(planner, text):
    (name, args), = plan(planner, TWO_SONGS, text)[0]
    assert name == "create_music" and args["combine"] is True and args["upload_ids"] == ["u1", "u2"]
    calls, reply = plan(planner, [], text)
    assert calls == [] and "at least two" in reply


def test_typos_and_shorthand_still_make_the_right_piece(planner):
    (name, args), = plan(planner, [], "cna u mak me sumthing wiht saxofone, jazzy n relaxd plz")[0]
    assert name == "generate_music"
    assert "jazz" in args["genres"] and "saxophone" in args["instruments"] and "calm" in args["moods"]


def test_a_message_in_german_is_acted_on_by_its_music_words(planner):
    (name, args), = plan(planner, [], "Mach mir bitte ein ruhiges Klavierstück zum Einschlafen")[0]
    assert name == "generate_music" and args["moods"] == ["calm"] and args["instruments"] == ["piano"]
    calls, reply = plan(planner, [], "Wie spät ist es heute bei euch?")
    assert calls == [] and "German" in reply


def test_jazz_without_drums_avoids_drums(planner):
    (name, args), = plan(planner, [], "jazz, I don't want drums")[0]
    assert name == "generate_music" and args["genres"] == {"jazz": 1.0} and args["avoid"] == ["drums"]
    assert "drums" not in args.get("instruments", [])


def test_surprise_me_makes_a_piece_of_a_style_picked_at_random_not_the_sentences_guessed_meaning(planner):
    from tools.generate.sketch.styles import STYLES

    picked = set()
    for _ in range(12):  # 'surprise me' was not understood; its guessed meaning is always 'experimental'
        (name, args), = plan(planner, [], "surprise me")[0]
        assert name == "generate_music" and len(args["genres"]) == 1 and set(args["genres"]) <= set(STYLES)
        picked |= set(args["genres"])
    assert len(picked) >= 3
    (name, args), = plan(planner, [], "surprise me with some jazz")[0]
    assert args["genres"] == {"jazz": 0.35}


@pytest.mark.parametrize("text, genres", [
    ("i want something like daft punk", {"house": 1.0, "electronic": 0.7}),  # was punk
    ("something that sounds like the beatles", {"rock": 1.0, "pop": 0.8}),
    ("a song like Ludovico Einaudi", {"new age": 1.0}),  # was matched by meaning to anything
    ("make me something like metallica", {"metal": 1.0}),
])
def test_a_named_artist_sets_the_genres_of_their_sound(planner, text, genres):
    (name, args), = plan(planner, [], text)[0]
    assert name == "generate_music" and args["genres"] == genres


def test_more_or_less_like_an_artist_moves_the_piece_toward_or_away_from_their_genres(planner):
    (name, args), = plan(planner, MADE, "can you make it sound like daft punk")[0]
    assert name == "refine_music" and args["more"] == {"house": 0.3, "electronic": 0.3}
    (name, args), = plan(planner, MADE, "less like daft punk")[0]  # was 'more house', the wrong way
    assert name == "refine_music" and args["more"] == {"house": -0.3, "electronic": -0.3}


def test_make_me_something_after_a_taste_that_is_only_calm_is_made_for_it(planner):
    # the README promises it; a stranger's 'I usually prefer slower stuff' then 'make me something' made a 114 BPM
    # pop piece: a taste of energy alone was not taken for a taste to make music for. An empty taste still is not.
    calm = [said("I usually prefer slower stuff")] + tool_turn("taste_profile", {"energy": 0.3, "explanation": "calm"}, 1)
    assert plan(planner, calm, "make me something")[0] == [("create_music", {"description": "make me something"})]
    empty = [said("what's my taste?")] + tool_turn("taste_profile", {"empty": True}, 1)
    assert plan(planner, empty, "make me something")[0][0][0] == "generate_music"


def test_a_chat_that_goes_on_from_a_described_taste(planner):
    """A stranger's conversation: each of these was answered with 'Like what?' or only recorded a like."""
    taste = [said("im into chill stuff, like nujabes and lofi hip hop")] + tool_turn(
        "taste_profile", {"genres": {"chillout": 1.0, "hip-hop": 0.8}}, 1)
    (name, args), = plan(planner, taste, "can u make me smth like that")[0]
    assert name == "create_music" and not args.get("upload_ids")  # from the taste just described
    two = tool_turn("generate_music", {"pieces": [{"id": "g1"}]}, 1) + tool_turn("refine_music",
                                                                                 {"pieces": [{"id": "g2"}]}, 2)
    assert plan(planner, two, "nice!! a bit slower tho")[0] == [  # the like kept too (round of 2026-12-01)
        ("record_feedback", {"liked": True, "generation_id": "g2"}),
        ("refine_music", {"said": "nice!! a bit slower tho", "tempo_factor": 0.83, "generation_id": "g2"})]
    assert plan(planner, two, "perfect, save it")[0] == [("add_to_library", {"generation_id": "g2"})]
    assert plan(planner, two, "nah go back to the one before")[0] == [("play_music", {"generation_id": "g1"})]
    calls, reply = plan(planner, MADE, "the previous one")
    assert calls == [] and reply.startswith("There is only g1 so far")


def test_what_styles_it_makes_is_answered_with_the_list(planner):
    for text in ("what genres can you do?", "what kind of music can you make", "which styles do you know"):
        calls, reply = plan(planner, [], text)  # the first was 'describe', the second made a piece
        assert calls == [] and "Styles I make: ambient, blues," in reply and "world" in reply, text


@pytest.mark.parametrize("text, fmt", [
    ("export as mp3", "MP3"), ("can I get an mp3?", "MP3"), ("download as flac", "FLAC"),
    ("I want the mp3 version", "MP3"), ("can I have it in ogg format", "OGG"), ("save it as mp3", "MP3"),
    # a stranger's 'can I get a flac?' made a pop piece: 'flac' was corrected to 'flat'
    ("can I get a flac?", "FLAC"), ("give me a flac", "FLAC")])
def test_a_file_format_not_offered_is_said_with_the_ones_that_are(planner, text, fmt):
    """'export as mp3' was told how to save the WAV as if it were the MP3; 'can I get an mp3?' made a new piece."""
    calls, reply = plan(planner, MADE, text)
    assert calls == [], calls
    assert reply.startswith(f"I don't make {fmt} files: every piece is a WAV"), reply
    assert "MIDI" in reply and "menu (⋮) downloads the WAV" in reply, reply


def test_a_file_format_offered_is_how_to_get_it(planner):
    for text in ("download as wav", "can I get the midi file?"):
        calls, reply = plan(planner, MADE, text)
        assert calls == [] and reply.startswith("Every piece is a WAV file"), (text, reply)
    calls, reply = plan(planner, MADE, "make me something like the mp3 I sent")  # a request, not a format
    assert "WAV" not in reply, reply


def test_how_to_download_a_piece_is_answered_not_guessed_at(planner):
    for text in ("how do I download it?", "where is the file", "save it to my computer"):
        calls, reply = plan(planner, MADE, text)
        assert calls == [] and "WAV file" in reply and "right-click" in reply, text
    assert plan(planner, MADE, "save it to my library")[0][0][0] == "add_to_library"


def test_like_it_with_nothing_to_be_like_asks_instead_of_guessing(planner):
    calls, reply = plan(planner, [], "make me a short piece like it")
    assert calls == [] and "Like what?" in reply


def test_a_message_it_cannot_place_gets_a_guess_and_never_the_same_line_twice(planner):
    history: list = []
    replies = []
    for _ in range(3):
        calls, reply = plan(planner, history, "purple monkey dishwasher")
        assert calls == [] and "say '" in reply
        replies.append(reply)
        history += [said("purple monkey dishwasher"), AIMessage(content=reply)]
    assert replies[0] != replies[1] != replies[2]


def test_a_song_sent_without_a_word_is_described(planner):
    calls, _ = plan(planner, [], "", ("u1", "song.wav"))
    assert calls == [("describe_uploads", {"upload_ids": ["u1"]})]


def test_the_second_one_after_two_versions_plays_it_and_later_changes_change_it(planner):
    two = [said("make me 2 jazz songs")] + tool_turn("generate_music", {"pieces": [{"id": "g1"}, {"id": "g2"}]}, 1)
    calls, reply = plan(planner, [], "play it again")  # nothing made yet: one line that says what to do
    assert calls == [] and "nothing to play again" in reply
    for text, piece in (("the second one", "g2"), ("play the first one again", "g1"), ("replay it", "g2"),
                        ("let me hear the second one please", "g2"), ("play g1 again", "g1")):
        assert plan(planner, two, text)[0] == [("play_music", {"generation_id": piece})], text
    chose_first = two + [said("the first one")] + tool_turn("play_music", {"generation_id": "g1", "title": "g1"}, 2)
    assert plan(planner, chose_first, "faster")[0] == [("refine_music", {"said": "faster", "tempo_factor": 1.2,
                                                                          "generation_id": "g1"})]
    assert plan(planner, two, "I love the second one")[0] == [("record_feedback", {"liked": True,
                                                                                   "generation_id": "g2"})]
    search = [said("find pieces by Bach")] + tool_turn("search_library", {"tracks": [{"id": "t7"}, {"id": "t9"}]}, 3)
    assert plan(planner, search, "play the second one")[0] == [("play_music", {"track_id": "t9"})]


def test_playing_a_piece_the_chat_did_not_make_says_so_instead_of_playing_another(planner):
    calls, reply = plan(planner, MADE, "play the fifth one")
    assert calls == [] and "no piece number 5" in reply and "g1" in reply
    calls, _ = plan(planner, MADE, "play g99 again")  # the tool answers 'no generated piece called g99 (pieces: g1)'
    assert calls == [("play_music", {"generation_id": "g99"})]
    assert plan(planner, MADE, "play the first one")[0] == [("play_music", {"generation_id": "g1"})]


def test_undo_what_changed_and_goodbye_are_understood(planner):
    """A stranger's words after a change: each was 'I am not sure what you'd like me to do'."""
    two = tool_turn("generate_music", {"pieces": [{"id": "g1"}]}, 1) + tool_turn("refine_music",
                                                                                 {"pieces": [{"id": "g2"}]}, 2)
    for text in ("undo that", "undo", "please revert it", "no, go back"):
        assert plan(planner, two, text)[0] == [("play_music", {"generation_id": "g1"})], text
    for text in ("what did you change", "what changed?"):
        assert plan(planner, two, text)[0] == [("explain_music", {"generation_id": "g2"})], text
    for text in ("thanks, bye", "ok thanks, bye!", "bye", "goodnight"):
        calls, reply = plan(planner, two, text)
        assert calls == [] and reply.startswith("Bye for now"), text
    calls, reply = plan(planner, two, "thanks!")
    assert calls == [] and reply.startswith("You're welcome")


def test_a_piece_named_with_but_is_that_piece_changed(planner):
    """'can I have the first one but in minor' made a new piece with no genre; 'g1 but with strings' changed g2."""
    two = tool_turn("generate_music", {"pieces": [{"id": "g1"}]}, 1) + tool_turn("refine_music",
                                                                                 {"pieces": [{"id": "g2"}]}, 2)
    assert plan(planner, two, "can i have the first one but in minor")[0] == [
        ("refine_music", {"said": "can i have the first one but in minor", "mode": "minor", "generation_id": "g1"})]
    (name, args), = plan(planner, two, "g1 but with strings")[0]
    assert name == "refine_music" and args["generation_id"] == "g1" and args["more"]["strings"] > 0


def test_what_the_music_is_for_sets_its_genre():
    """'something upbeat for my workout' was read by the whole sentence's meaning: chillout and dance."""
    from tools.language import understand

    for text, genre in [("i want smth upbeat for my workout", "dance"), ("music for studying", "chillout"),
                        ("something calm to help me sleep", "ambient"), ("a playlist for running", "dance")]:
        assert list(understand(text).slots.genres) == [genre], text
    assert list(understand("a rock song for my workout").slots.genres) == ["rock"]  # a named genre wins


def test_music_for_an_occasion_is_made_and_an_occasions_name_alone_may_be_a_title(planner):
    """'christmas music', 'a road trip song', 'beach music' were not understood (review20's occasions); 'play Sunset'
    with nothing so called stays a name not found, with the occasion's piece offered."""
    for text, genre in (("christmas music", "pop"), ("play some christmas music", "pop"), ("a road trip song", "rock"),
                        ("beach music", "pop"), ("a spooky halloween track", "classical"),
                        ("can you make me something for a funeral", "classical"), ("heist movie music", "funk"),
                        ("play me something for a rainy sunday", "chillout")):
        calls, _ = plan(planner, [], text)
        assert calls[0][0] == "generate_music" and next(iter(calls[0][1]["genres"])) == genre, (text, calls)
    calls, reply = plan(planner, MADE, "play Sunset")
    assert calls == [] and reply.endswith("or 'make me a sunset track'.") and "\n" not in reply


def test_what_was_made_so_far_is_listed(planner):
    two = tool_turn("generate_music", {"pieces": [{"id": "g1"}]}, 1) + tool_turn("refine_music",
                                                                                 {"pieces": [{"id": "g2"}]}, 2)
    for text in ("how many have you made", "what have you made so far?", "which one was better?",
                 "which version do you prefer", "list the pieces",
                 # a stranger's: 'wich one was beter', 'which is best?' were not understood
                 "wich one was beter", "which is best?", "which sounds best", "which of them is better",
                 "which one is the best one"):
        assert plan(planner, two, text)[0] == [("list_pieces", {})], text
    calls, reply = plan(planner, [], "what have you made?")
    assert calls == [] and reply.startswith("I haven't made anything in this chat yet")


def test_shorthand_and_a_title_are_read_as_meant(planner):
    """'w/o the drums' asked for drums, "id like it longer" recorded a like, 'save that one as Rainy Monday' was not
    understood."""
    (name, args), = plan(planner, MADE, "can you do it w/o the drums")[0]
    assert name == "refine_music" and args["remove"] == ["drums"] and args["generation_id"] == "g1"
    (name, args), = plan(planner, [], "jazz w/o drums")[0]
    assert name == "generate_music" and args["avoid"] == ["drums"] and "drums" not in args.get("instruments", [])
    assert plan(planner, MADE, "ok can u make it like 30 sec")[0] == [  # a new 30 s piece with no genre
        ("refine_music", {"said": "ok can u make it like 30 sec", "seconds": 30.0, "generation_id": "g1"})]
    assert plan(planner, MADE, "id like it longer pls")[0] == [
        ("refine_music", {"said": "id like it longer pls", "seconds_factor": 1.5, "generation_id": "g1"})]
    assert plan(planner, MADE, "save that one as Rainy Monday")[0] == [
        ("add_to_library", {"generation_id": "g1", "title": "Rainy Monday"})]
    assert plan(planner, MADE, 'ok, save it as "Night Drive" please')[0] == [
        ("add_to_library", {"generation_id": "g1", "title": "Night Drive"})]
    (name, args), = plan(planner, MADE, "save it as " + "A" * 300)[0]  # was not understood
    assert name == "add_to_library" and args["title"] == "A" * 100


def test_player_words_without_a_station_are_answered(planner):
    """'next' and 'what is playing' were not understood, 'turn it off' made a new take, 'pause' was not understood."""
    assert plan(planner, MADE, "next")[0] == [("refine_music", {"said": "next", "generation_id": "g1"})]
    assert plan(planner, MADE, "what is playing")[0] == [("describe_uploads", {"generation_ids": ["g1"]})]
    for text in ("pause", "resume", "turn it off", "stop the music"):
        calls, reply = plan(planner, MADE, text)
        assert calls == [] and reply.startswith("Nothing is playing from me"), text
    assert plan(planner, MADE, "turn it up a notch")[0][0][0] == "refine_music"


def test_a_key_alone_changes_the_piece_the_chat_suggested_it_for(planner):
    """The chat's own suggestion, 'in D minor', made a new piece with no genre; 'in H minor' lost its letter, then
    was kept as a key called 'H' (H is B in German and Nordic naming)."""
    assert plan(planner, MADE, "in D minor")[0] == [
        ("refine_music", {"said": "in D minor", "key": "D", "mode": "minor", "generation_id": "g1"})]
    assert plan(planner, MADE, "in H minor")[0] == [
        ("refine_music", {"said": "in H minor", "key": "B", "mode": "minor", "generation_id": "g1"})]
    assert plan(planner, MADE, "minor")[0][0][0] == "refine_music"
    assert plan(planner, [], "in D minor")[0] == [
        ("generate_music", {"description": "in D minor", "key": "D", "mode": "minor"})]  # nothing made yet: make it
    # a key letter alone ('in D', 'in F#') made an unrelated new piece: a stranger's piano piece lost its piano,
    # its mode and its length
    for text, key in (("in D", "D"), ("in F#", "F#"), ("in B flat", "Bb"), ("in H", "B")):
        assert plan(planner, MADE, text)[0] == [("refine_music", {"said": text, "key": key, "generation_id": "g1"})]
    assert plan(planner, [], "in D")[0][0][0] == "generate_music"


def test_a_key_that_is_no_key_is_kept_so_that_the_reply_can_say_so(planner):
    """'make g1 in the key of Z' made a take without a word about Z (the Z was dropped)."""
    for text in ("make g1 in the key of Z", "in the key of Z", "in the key of D"):
        calls = plan(planner, MADE, text)[0]
        assert calls == [("refine_music", {"said": text, "key": text[-1], "generation_id": "g1"})], text
    assert plan(planner, [], "make a rock song in the key of Z")[0][0][1]["key"] == "Z"


def test_show_my_music_is_the_library_not_the_radio(planner):
    """'show my music' was read as a radio request ('I can play you an endless station...'), 'what music do I have'
    as a question about taste."""
    for history in ([], MADE):
        for text in ("show my music", "show me my music", "what music do I have", "show my saved music",
                     "list my music"):
            assert plan(planner, history, text)[0] == [("search_library", {"query": text})], text
        assert plan(planner, history, "what music do I like")[0] == [("taste_profile", {})]
    # 'show my songs' and 'list my songs' are the person's music too (this chat's unsaved pieces with the saved ones);
    # 'list the pieces' and 'what have you made?' stay this chat's pieces
    for text in ("show my songs", "list my songs", "lsit my songs", "what songs do I have"):
        assert plan(planner, MADE, text)[0] == [("search_library", {"query": text})], text
    for text in ("list the pieces", "what have you made?"):
        assert plan(planner, MADE, text)[0] == [("list_pieces", {})], text


def test_a_first_dislike_before_anything_is_made_offers_to_make_something(planner):
    """'meh' as the first message answered 'Thanks!'."""
    for text in ("meh", "I don't like it", "not my thing", "nah"):
        calls, reply = plan(planner, [], text)
        assert calls == [] and reply.startswith("I haven't made anything yet") and "Shall I make something?" in reply
        assert "Thanks" not in reply and "\n" not in reply, text
    assert plan(planner, [], "I love it")[1].startswith("Thanks!")  # a like of nothing is still thanked


def test_not_feeling_it_is_a_dislike(planner):
    for text in ("hmm not really feeling it", "im not feeling this", "not digging it"):  # were not understood
        assert plan(planner, MADE, text)[0] == [("record_feedback", {"liked": False, "generation_id": "g1"})], text


def test_more_bass_first_is_a_bass_heavy_piece_and_after_a_piece_a_refinement(planner):
    """'more bass' as the first message made a piece whose melody the bass played; 'bassier' was not understood."""
    from tools.generate.request import MusicAsk
    from tools.generate.sketch.arranger import BASS_PROGRAMS, plan as arrange

    for text in ("more bass", "more bass please", "MORE BASS!!", "bassier", "more bass pls", "more base"):
        (name, args), = plan(planner, [], text)[0]
        assert name == "generate_music" and args["instruments"] == ["bass"], text
        arr = arrange(MusicAsk(**args).style(), 10.0, seed=1)
        assert not [v for v in arr.voices if v.role == "lead" and v.program in BASS_PROGRAMS], (text, arr.notes)
        assert [v.level_db for v in arr.voices if v.role == "bass"][0] > 0, text
        assert plan(planner, MADE, text)[0] == [
            ("refine_music", {"said": text, "more": {"bass": 0.3}, "generation_id": "g1"})], text


@pytest.mark.parametrize("text", ["i can't hear the melody", "i cant hear the melody", "the melody is too quiet",
                                  "bring the tune forward", "can u bring the melody forward", "melody louder please",
                                  "the lead is buried", "make the melody stand out more", "melody's too quiet"])
def test_the_melody_heard_too_little_turns_the_lead_up(planner, text):
    """Each was not understood, or read as 'more calm' ('too quiet' of the whole piece)."""
    assert plan(planner, MADE, text)[0] == [
        ("refine_music", {"said": text, "levels": {"lead": 4.0}, "generation_id": "g1"})]
    calls, reply = plan(planner, [], text)
    assert calls == [] and reply.startswith("There's nothing to refine yet"), text


def test_turn_the_tune_up_is_not_the_melody(planner):
    assert understand("turn the tune up").slots.levels == {}  # the piece's volume, said as the player's
    assert understand("the melody is too loud").slots.levels == {"lead": -4.0}


@pytest.mark.parametrize("text", ["can the ending fade out", "fade it out at the end", "no abrupt ending",
                                  "the ending is too abrupt", "fade out at the end please", "it ends too abruptly",
                                  "could it fade out?", "can the end fade out"])
def test_a_fade_out_asked_for_is_a_refinement(planner, text):
    """Each was not understood, or a new take that changed nothing ('no abrupt ending')."""
    assert plan(planner, MADE, text)[0] == [("refine_music", {"said": text, "fade_out": True, "generation_id": "g1"})]


@pytest.mark.parametrize("text", ["loop it", "can you loop this", "play it on repeat", "put it on loop",
                                  "can u loop it", "could you put this on repeat please", "loop g1", "loop"])
def test_loop_it_is_answered_not_made(planner, text):
    """Each was not understood, or a new take ('put it on loop')."""
    for history in (MADE, []):
        calls, reply = plan(planner, history, text)
        assert calls == [] and reply == answers.LOOP, text
    assert plan(planner, MADE, "what did the loop hear")[0] == [("explain_music", {"generation_id": "g1"})]


@pytest.mark.parametrize("text, genre", [("something my grandma would like", "soul"), ("music for my dad", "rock"),
                                         ("for my kids", "pop"), ("a song for my granny", "soul"),
                                         ("music my kids would like", "pop"), ("somethin for my grandpa", "soul")])
def test_who_the_music_is_for_picks_a_fitting_style(planner, text, genre):
    """Read by the sentence's meaning, 'grandma' came out electronic and house; 'for my kids' was not understood."""
    (name, args), = plan(planner, [], text)[0]
    assert name == "generate_music" and max(args["genres"], key=args["genres"].get) == genre, args
    assert understand(text).slots.audience


def test_a_named_style_or_a_place_is_not_an_audience(planner):
    assert understand("a jazz song for my grandma").slots.genres == {"jazz": 1.0}
    assert understand("something for grandma's house").slots.audience is None  # a place
    assert understand("my kids love it").slots.audience is None  # a rating, not a request
    assert understand("a song about mother nature").slots.audience is None  # nobody's mother


def test_a_level_or_a_fade_asked_of_musicgen_says_it_stayed():
    from agent.compose import _instrument_notes
    from tools.generate.request import MusicChange

    change = MusicChange(levels={"lead": 4.0}, fade_out=True)
    assert _instrument_notes(change, [], "musicgen") == [
        "MusicGen mixes its music itself, so the melody's level and the fade-out stayed as it made the piece"]
    assert _instrument_notes(change, ["the melody up 4 dB in the mix"], "sketch") == []


# g1 as a making tool records it: its length, tempo, key, what the tagger heard and who plays in it
ROCK = tool_turn("generate_music", {"pieces": [{
    "id": "g1", "seconds": 4.0, "tempo": 131, "key": "A major", "heard_genres": [["rock", 0.4], ["metal", 0.2]],
    "parts": [{"name": "drums", "family": "drums", "program": None, "detail": "a power kit"},
              {"name": "electric bass", "family": "bass", "program": 33, "detail": ""},
              {"name": "distortion guitar", "family": "guitar", "program": 30, "detail": ""},
              {"name": "distortion guitar", "family": "guitar", "program": 30, "detail": ""}]}]}, 1)


@pytest.mark.parametrize("text, answer", [
    ("does it have drums?", "Yes: g1 has drums (a power kit), electric bass and two distortion guitars."),
    ("does g1 have drums?", "Yes: g1 has drums (a power kit), electric bass and two distortion guitars."),
    ("is there a guitar in it?", "Yes: g1 has drums (a power kit), electric bass and two distortion guitars."),
    ("is there a piano in it?", "No: g1 has drums (a power kit), electric bass and two distortion guitars, no piano. "
                                "Say 'add piano' to bring one in."),
    ("is it in minor?", "No, g1 is in A major. Say 'in minor' to change that."),
    ("is it in a major?", "Yes, g1 is in A major."),
    ("is it jazz?", "I hear rock and metal in g1, not jazz. Say 'more jazz' to change that."),
    ("is it rock?", "Yes: I hear rock and metal in g1."),
    ("is it fast?", "Yes: g1 runs at about 131 BPM, a fast tempo."),
    ("whats the bpm of this", "g1 runs at about 131 BPM."),
    ("what key is it in?", "g1 is in A major."),
    ("how long is it?", "g1 is 4 seconds long."),
])
def test_a_question_about_a_piece_is_answered_from_its_record_not_made(planner, text, answer):
    assert plan(planner, ROCK, text) == ([], answer)


def test_a_question_with_nothing_known_tags_it_once_and_answers_in_one_line(planner):
    assert plan(planner, MADE, "is it sad?")[0] == [("describe_uploads", {"generation_ids": ["g1"]})]
    described = {"uploads": [{"generation_id": "g1", "name": "g1", "duration_s": 4.0, "genres": [["rock", 0.4]],
                              "moods": [["energetic", 0.5], ["dark", 0.2]], "instruments": [["guitar", 0.6]],
                              "tempo_bpm": 131, "key": "A major"}]}
    history = MADE + [said("is it sad?")] + tool_turn("describe_uploads", described, 2)[:2]
    reply = planner.respond(history).content  # the tool's result, written as the answer
    assert reply == "I hear energetic and dark in g1, not sad. Say 'make it sad' to change that."
    dark = plan(planner, history + [AIMessage(content=reply)], "is it dark?")  # now known: no second tagging
    assert dark == ([], "Yes: I hear energetic and dark in g1.")


def test_a_question_about_an_upload_is_answered_from_its_tags(planner):
    song = [said("what is this?", ("u1", "bach.flac"))] + tool_turn("describe_uploads", {"uploads": [{
        "upload_id": "u1", "name": "bach.flac", "duration_s": 46.0, "genres": [["classical", 0.38], ["folk", 0.1]],
        "moods": [["calm", 0.4]], "instruments": [["strings", 0.5], ["violin", 0.3]], "tempo_bpm": 75,
        "key": "F major"}]}, 1)
    assert plan(planner, song, "whats the bpm of this") == ([], "bach.flac runs at about 75 BPM.")
    assert plan(planner, song, "is it jazz?") == ([], "I hear classical and folk in bach.flac, not jazz.")
    assert plan(planner, song, "is there a violin in it?") == ([], "Yes: I hear strings and violin in bach.flac.")
    assert plan(planner, song, "does it have drums?") == ([], "I don't hear drums in bach.flac: I hear strings and "
                                                              "violin.")


def test_a_question_before_anything_is_made_says_so(planner):
    assert plan(planner, [], "does it have drums?") == ([], answers.NOTHING_TO_ASK_ABOUT)


@pytest.mark.parametrize("text, args", [
    ("can you make it have drums?", {"more": {"drums": 0.3}}),
    ("could it be in minor?", {"mode": "minor"}),
])
def test_a_request_worded_as_a_question_still_changes_the_piece(planner, text, args):
    calls, _ = plan(planner, ROCK, text)
    assert calls == [("refine_music", {"said": text, **args, "generation_id": "g1"})]


def test_a_rapped_piece_has_vocals(planner):
    rap = tool_turn("generate_music", {"pieces": [{"id": "g1", "hook": "rainy city", "parts": [
        {"name": "drums", "family": "drums", "program": None, "detail": "a TR-808 kit"}]}]}, 1)
    assert plan(planner, rap, "does it have vocals?") == ([], "Yes: g1 has drums (a TR-808 kit) and rapped vocals.")


ROCK_AND_JAZZ = (tool_turn("generate_music", {"pieces": [{"id": "g1", "labels": ["rock"]}]}, 1)
                 + tool_turn("generate_music", {"pieces": [{"id": "g2", "labels": ["jazz"]}]}, 2))


def test_a_piece_named_by_id_or_by_its_style_is_the_one_changed(planner):
    """A stranger's 'make g1 faster' made a new, unrelated pop piece; 'the rock one' changed the jazz piece."""
    assert plan(planner, ROCK_AND_JAZZ, "make g1 faster")[0] == [
        ("refine_music", {"said": "make g1 faster", "tempo_factor": 1.2, "generation_id": "g1"})]
    assert plan(planner, ROCK_AND_JAZZ, "make g2 longer")[0] == [
        ("refine_music", {"said": "make g2 longer", "seconds_factor": 1.5, "generation_id": "g2"})]
    # the style that says which piece is not a style to add to it
    assert plan(planner, ROCK_AND_JAZZ, "make the rock one slower")[0] == [
        ("refine_music", {"said": "make the rock one slower", "tempo_factor": 0.83, "generation_id": "g1"})]
    assert plan(planner, ROCK_AND_JAZZ, "save the rock one")[0] == [("add_to_library", {"generation_id": "g1"})]
    assert plan(planner, ROCK_AND_JAZZ, "make me something like g1")[0] == [
        ("refine_music", {"said": "make me something like g1", "like_last": True, "generation_id": "g1"})]
    calls, reply = plan(planner, ROCK_AND_JAZZ, "make the blues one slower")
    assert calls == [] and reply.startswith("None of the pieces so far was made as blues: g1 (rock), g2 (jazz)")
    assert understand("combine the jazz one and the rock one").slots.genres == {"jazz": 1.0, "rock": 1.0}


@pytest.mark.parametrize("text", ["make me something like g42", "make g42 faster", "g42 but slower"])
def test_a_piece_that_is_not_there_is_said_not_replaced_by_a_random_one(planner, text):
    calls, reply = plan(planner, ROCK_AND_JAZZ, text)
    assert calls == [] and reply.startswith("There is no g42 in this chat; the pieces so far are g1, g2"), reply
    calls, reply = plan(planner, [], text)
    assert calls == [] and reply.startswith("There is no g42: I haven't made anything"), reply


def test_undo_after_a_change_with_several_takes_goes_back_to_the_piece_changed(planner):
    """'slower' of g4 made g5 and g6; 'undo that' played g5 (the one before the one in hand)."""
    history = (tool_turn("generate_music", {"pieces": [{"id": "g3"}, {"id": "g4"}]}, 1)
               + tool_turn("refine_music", {"pieces": [{"id": "g5"}, {"id": "g6"}], "refined_from": "g4"}, 2))
    for text in ("undo that", "go back to the previous one"):
        assert plan(planner, history, text)[0] == [("play_music", {"generation_id": "g4"})], text
    played = tool_turn("play_music", {"generation_id": "g6"}, 3)
    assert plan(planner, history + played, "undo")[0] == [("play_music", {"generation_id": "g4"})]


def test_a_change_before_any_piece_makes_one_with_that_in_it(planner):
    """'more drums' made a piece while 'slower' said there was nothing to refine."""
    assert plan(planner, [], "more drums")[0] == [("generate_music", {"description": "more drums",
                                                                      "instruments": ["drums"]})]
    (name, args), = plan(planner, [], "slower")[0]
    assert name == "generate_music" and args["energy"] < 0.5
    (name, args), = plan(planner, [], "faster")[0]
    assert name == "generate_music" and args["energy"] > 0.5
    for text in ("another one", "longer please"):  # nothing to go on without a piece
        assert plan(planner, [], text) == ([], answers.NOTHING_TO_REFINE), text


@pytest.mark.parametrize("text, change", [
    ("is it possible to make it faster?", {"tempo_factor": 1.2}),
    ("could you possibly make it slower", {"tempo_factor": 0.83}),
    ("would you please make it slower", {"tempo_factor": 0.83}),
])
def test_a_politely_worded_change_changes_the_piece(planner, text, change):
    """'is it possible to make it faster?' made a new punk piece (the request read for its meaning)."""
    calls, _ = plan(planner, MADE, text)
    assert calls == [("refine_music", {"said": text, **change, "generation_id": "g1"})]


def test_a_piece_played_by_its_style_is_played_not_made_again(planner):
    """'play the jazz one' made a new 15 s jazz piece; 'play the slow one' guessed at nothing."""
    assert plan(planner, ROCK_AND_JAZZ, "play the jazz one")[0] == [("play_music", {"generation_id": "g2"})]
    assert plan(planner, ROCK_AND_JAZZ, "can you play the rock piece please")[0] == [
        ("play_music", {"generation_id": "g1"})]
    assert plan(planner, ROCK_AND_JAZZ, "play the other one")[0] == [("play_music", {"generation_id": "g1"})]
    calls, reply = plan(planner, ROCK_AND_JAZZ, "play the slow one")  # not a style a piece was made as
    assert calls == [] and reply.startswith("Which one do you mean? The pieces so far: g1 (rock), g2 (jazz)"), reply
    calls, reply = plan(planner, ROCK_AND_JAZZ, "play the blues one")
    assert calls == [] and reply.startswith("None of the pieces so far was made as blues"), reply


def test_a_second_undo_does_not_bring_back_what_the_first_undid(planner):
    """After a change, 'undo that' went back to g1 and a second 'undo that' played the change (g2) again."""
    changed = tool_turn("generate_music", {"pieces": [{"id": "g1"}]}, 1) + tool_turn(
        "refine_music", {"pieces": [{"id": "g2"}], "refined_from": "g1"}, 2)
    undone = changed + [said("undo that")] + tool_turn("play_music", {"generation_id": "g1"}, 3)
    calls, reply = plan(planner, undone, "undo that")
    assert calls == [] and reply.startswith("g1 is as far back as this goes") and "'play g2'" in reply, reply
    # played again for another reason, the one before is still the one to go back to
    replayed = changed + [said("play g1")] + tool_turn("play_music", {"generation_id": "g1"}, 3)
    assert plan(planner, replayed, "undo")[0] == [("play_music", {"generation_id": "g2"})]
    # two changes in a row: each undo goes one further back
    twice = changed + tool_turn("refine_music", {"pieces": [{"id": "g3"}], "refined_from": "g2"}, 4)
    back_once = twice + [said("undo")] + tool_turn("play_music", {"generation_id": "g2"}, 5)
    assert plan(planner, back_once, "undo")[0] == [("play_music", {"generation_id": "g1"})]


@pytest.mark.parametrize("text, example", [("save g99 as Foo", "'save g2'"), ("i love g99", "'I like g2'"),
                                           ("what is g99?", "'what is g2?'"),
                                           ("why did you make g99 like that?", "'why did you make g2 like that?'")])
def test_a_piece_that_is_not_there_is_not_saved_liked_or_explained_in_its_place(planner, text, example):
    """'save g99 as Foo' saved g1 as Foo."""
    calls, reply = plan(planner, ROCK_AND_JAZZ, text)
    assert calls == [] and reply.startswith("There is no g99 in this chat; the pieces so far are g1, g2") \
        and example in reply, reply


@pytest.mark.parametrize("text", ["why did you make it like that?", "how did you make it like that",
                                  "so why did you make it sound like this?", "how come you made it like that"])
def test_why_it_was_made_like_that_is_explained_not_made_again(planner, text):
    """'why did you make it like that?' made a new take 'like that'."""
    assert plan(planner, MADE, text)[0] == [("explain_music", {"generation_id": "g1"})], text


@pytest.mark.parametrize("text, change", [("why not make it faster", {"tempo_factor": 1.2}),
                                          ("why don't you make it slower?", {"tempo_factor": 0.83})])
def test_a_change_suggested_with_why_not_changes_the_piece(planner, text, change):
    """'why not make it faster' was explained (a 'why' question), not made faster."""
    assert plan(planner, MADE, text)[0] == [("refine_music", {"said": text} | change | {"generation_id": "g1"})]


THREE = (tool_turn("generate_music", {"pieces": [{"id": "g1", "labels": ["metal"]}]}, 1)
         + tool_turn("generate_music", {"pieces": [{"id": "g2", "labels": ["country"]}]}, 2)
         + tool_turn("generate_music", {"pieces": [{"id": "g3", "labels": ["jazz"]}]}, 3))


def test_the_last_one_is_the_newest_and_the_one_before_walks_down_the_list(planner):
    """A stranger's 'play g1' then 'play the last one' replayed g1; 'play the one before' (g2) then 'the previous
    one' said g2 was as far back as it goes."""
    played_g1 = THREE + [said("play g1")] + tool_turn("play_music", {"generation_id": "g1"}, 4)
    for text in ("play the last one", "play the newest one", "the latest one please"):
        assert plan(planner, played_g1, text)[0] == [("play_music", {"generation_id": "g3"})], text
    assert plan(planner, THREE, "play the one before")[0] == [("play_music", {"generation_id": "g2"})]
    at_g2 = THREE + [said("play the one before")] + tool_turn("play_music", {"generation_id": "g2"}, 4)
    assert plan(planner, at_g2, "the previous one")[0] == [("play_music", {"generation_id": "g1"})]
    calls, reply = plan(planner, played_g1, "the one before")
    assert calls == [] and reply.startswith("g1 is the first piece of this chat"), reply


@pytest.mark.parametrize("text", ["save g1", "save g1 please", "keep g1"])
def test_save_a_piece_by_its_name_saves_that_piece(planner, text):
    """'save g1' was not understood; with two pieces 'save g2' played g2."""
    assert plan(planner, THREE, text)[0] == [("add_to_library", {"generation_id": "g1"})]


@pytest.mark.parametrize("text, calls", [
    ("I like g1", [("record_feedback", {"liked": True, "generation_id": "g1"})]),
    ("I don't like g1", [("record_feedback", {"liked": False, "generation_id": "g1"})]),
    ("another take on g1", [("refine_music", {"said": "another take on g1", "generation_id": "g1"})]),
    ("more like g1", [("record_feedback", {"liked": True, "generation_id": "g1"}),
                      ("refine_music", {"said": "more like g1", "like_last": True, "generation_id": "g1"})]),
])
def test_what_the_buttons_under_an_older_piece_say_acts_on_that_piece(planner, text, calls):
    """The browser's buttons under g1 said 'I like it' and the like went to the newest piece."""
    from agent.buttons import BUTTONS, button_words

    assert text in {said_of.format(piece="g1") for *_, said_of, _ in BUTTONS}
    assert plan(planner, THREE, text)[0] == calls


def test_a_button_trusts_the_piece_the_page_sends_back_only_when_it_is_one_of_this_chat():
    from agent.buttons import button_words

    pieces = {"g1": object(), "g2": object()}
    assert button_words("like", "g1", pieces) == "I like g1"
    assert button_words("more_like_this", "g2", pieces) == "more like g2"
    for hostile in ("g9", "../../etc/passwd", "g1; save g2", 7, None, ["g1"], {"g1": 1}):
        assert button_words("like", hostile, pieces) == "I like it", hostile
        assert button_words("another", hostile, pieces) == "another one", hostile


SAD_PIANO = tool_turn("generate_music", {"pieces": [{
    "id": "g1", "seconds": 5, "tempo": 57, "key": "C# minor", "heard_genres": [["ambient", 0.4]],
    "labels": ["ambient", "sad", "piano"],
    "parts": [{"name": "warm pad", "family": "pad", "program": 89, "detail": ""},
              {"name": "acoustic grand piano", "family": "piano", "program": 0, "detail": ""}]}]}, 1)


@pytest.mark.parametrize("text, answer", [
    ("is it sad?", "Yes: g1 was made sad (C# minor, 57 BPM)."),
    ("is it happy?", "No: g1 was made sad (C# minor, 57 BPM). Say 'make it happy' to change that."),
    ("is it ambient?", "Yes: g1 was made as ambient (C# minor, 57 BPM). I hear ambient in it."),
    ("what instruments?", "g1 has warm pad and acoustic grand piano."),
    ("which instruments are in it", "g1 has warm pad and acoustic grand piano."),
    ("who is playing?", "g1 has warm pad and acoustic grand piano."),
])
def test_a_question_about_a_piece_says_what_it_was_made_to_be(planner, text, answer):
    """'is it sad?' of a piece made sad in C# minor at 57 BPM: 'I hear calm, beautiful and dark in g1, not sad';
    'what instruments?' of a piano piece: 'I hear strings and flute' (the tagger's guess, not who plays)."""
    assert plan(planner, SAD_PIANO, text) == ([], answer)


@pytest.mark.parametrize("text", ["actually no, make it jazz", "make it jazz instead", "no wait, I meant jazz",
                                  "can you make it jazz", "another one, but jazz"])
def test_changing_ones_mind_swaps_the_style_of_the_piece_in_hand(planner, text):
    """'actually no, make it jazz' made an unrelated 15 s piece; 'I meant classical' and 'another one, but country'
    added the style to the old one (rock and classical)."""
    (name, args), = plan(planner, ROCK_AND_JAZZ[:3], text)[0]
    assert name == "refine_music" and args["generation_id"] == "g1" and args["more"] == {"jazz": 1.0, "rock": -1.0}


@pytest.mark.parametrize("text", ["more jazz", "make it jazzier", "make it slower but jazzier"])
def test_more_of_a_style_adds_it_to_the_piece(planner, text):
    (name, args), = plan(planner, ROCK_AND_JAZZ[:3], text)[0]
    assert name == "refine_music" and args["more"]["jazz"] == 0.3 and "rock" not in args["more"]


@pytest.mark.parametrize("text, calls, first_line", [
    ("is it fast? and make it slower", [("refine_music", {"said": "make it slower", "tempo_factor": 0.83,
                                                          "generation_id": "g1"})],
     "Yes: g1 runs at about 131 BPM, a fast tempo."),
    ("what key is it in and can you put it in D minor?",
     [("refine_music", {"said": "can you put it in D minor?", "key": "D", "mode": "minor", "generation_id": "g1"})],
     "g1 is in A major."),
    ("does it have drums? if so remove them",
     [("refine_music", {"said": "remove drums", "remove": ["drums"], "generation_id": "g1"})],
     "Yes: g1 has drums (a power kit), electric bass and two distortion guitars."),
    ("make it slower. also, what key is it in?",
     [("refine_music", {"said": "make it slower.", "tempo_factor": 0.83, "generation_id": "g1"})], None),
])
def test_a_question_and_a_request_in_one_message_are_both_done(planner, text, calls, first_line):
    """A stranger's 'is it sad? and make it faster' only answered the question (6 of 6 such messages)."""
    planned, _ = plan(planner, ROCK, text)
    assert planned == calls, planned
    # the tools ran (the request's clause is the second, or the first when the question comes last)
    history = ROCK + [said(text), AIMessage(content="", tool_calls=[
        {"name": n, "args": a, "id": f"call_3_{1 if first_line else 0}_{i}", "type": "tool_call"}
        for i, (n, a) in enumerate(calls)])]
    history += [ToolMessage(content=json.dumps({"pieces": [{"id": "g2", "seconds": 4.0}]}), name=calls[0][0],
                            tool_call_id=f"call_3_{1 if first_line else 0}_0")]
    reply = planner.respond(history).content
    assert "g2" in reply, reply
    if first_line:
        assert reply.startswith(first_line + "\n\n"), reply
    else:
        assert reply.endswith("g1 is in A major."), reply


@pytest.mark.parametrize("text", ["love it, but can you add strings?", "is it sad?", "make me a rock song",
                                  "I like rock and jazz", "make it 5 seconds. thanks"])
def test_one_thing_asked_stays_one(text):
    from agent.planner import compound

    assert compound(text) is None


def test_an_undo_after_the_one_before_is_not_taken_for_a_second_undo(planner):
    """'the one before' marked its piece as undone to, so a following 'undo' said it was as far back as it goes."""
    at_g2 = THREE + [said("play the one before")] + tool_turn("play_music", {"generation_id": "g2"}, 4)
    assert plan(planner, at_g2, "undo")[0] == [("play_music", {"generation_id": "g3"})]


def test_redo_meh_not_quite_and_what_did_i_like_after_a_piece(planner):
    """A stranger's 'redo', 'meh', 'not quite' and 'what did I like?' after a piece were all 'I am not sure what
    you'd like me to do'."""
    for text in ("redo", "redo it", "ok, redo that please"):  # another take of the same request
        assert plan(planner, ROCK, text)[0] == [("refine_music", {"said": text, "generation_id": "g1"})], text
    for text in ("meh", "not quite", "hmm, not quite right"):  # a mild no: what 'I don't like it' does
        assert plan(planner, ROCK, text)[0] == plan(planner, ROCK, "I don't like it")[0], text
    assert plan(planner, ROCK, "make it not quite so loud")[1] == answers.QUIETER  # the volume, not a no
    for text in ("what did I like?", "which pieces did I like", "what have I liked so far?"):
        assert plan(planner, ROCK, text)[0] == [("taste_profile", {})], text


ROCK_THEN_JAZZ = (tool_turn("generate_music", {"pieces": [{
    "id": "g1", "seconds": 8.0, "tempo": 131, "key": "A major", "labels": ["rock"],
    "parts": [{"name": "drums", "detail": ""}, {"name": "electric bass", "detail": ""},
              {"name": "distortion guitar", "detail": ""}]}]}, 1)
    + tool_turn("generate_music", {"pieces": [{
        "id": "g2", "seconds": 8.0, "tempo": 96, "key": "D minor", "labels": ["jazz"],
        "parts": [{"name": "drums", "detail": ""}, {"name": "acoustic bass", "detail": ""},
                  {"name": "piano", "detail": ""}]}]}, 2))


@pytest.mark.parametrize("text", [
    "how does it compare to the first one?", "so how does g2 compare with g1?", "how is it different from the first one?",
    "what's the difference between g2 and g1?", "compare it to the first one", "how does it compare?"])
def test_how_does_it_compare_is_answered_from_both_pieces(planner, text):
    """A stranger's 'how does it compare to the first one?' was 'I am not sure what you'd like me to do'."""
    calls, reply = plan(planner, ROCK_THEN_JAZZ, text)
    assert calls == [], calls
    assert reply.startswith("g2 next to g1: g2 is slower (about 96 BPM against 131); g2 is in D minor and g1 in A major, "
                            "so g2 sounds darker; g2 is jazz, g1 rock; only g2 has acoustic bass and piano; only g1 has "
                            "electric bass and distortion guitar."), reply


def test_compare_as_a_change_is_still_a_change(planner):
    assert plan(planner, ROCK_THEN_JAZZ, "make it more like the first one")[0][0][0] != "describe_uploads"
    assert plan(planner, ROCK_THEN_JAZZ, "how does it compare to the fifth one?")[1].startswith("There is no piece")


def test_a_second_mild_no_in_a_row_names_directions_not_the_same_thanks(planner):
    """A stranger's 'meh' then 'not quite' got 'Thanks for telling me; I've noted that...' twice, word for word."""
    first = plan(planner, ROCK, "meh")
    assert first[0] == [("record_feedback", {"liked": False, "generation_id": "g1"})]
    meh = ROCK + [said("meh")] + tool_turn("record_feedback", {"liked": False, "generation_id": "g1",
                                                               "profile": "", "taste_empty": True}, 2)
    thanks = answers.feedback({"liked": False, "taste_empty": True})
    for text in ("not quite", "meh", "nah, I don't like it"):
        calls, reply = plan(planner, meh, text)
        assert calls == [] and reply != thanks, reply  # not noted twice, not the same line
        assert "about 131 BPM" in reply and "A major" in reply and "'make it ambient'" in reply, reply
        assert "'make it rock'" not in reply, reply  # another style than its own
    # a change said with the no is made; a no after a new take is about that take
    assert plan(planner, meh, "no, make it slower")[0][-1][0] == "refine_music"
    newer = meh + [said("another one")] + tool_turn("refine_music", {"refined_from": "g1", "pieces": [{"id": "g2"}]}, 3)
    assert plan(planner, newer, "not quite")[0] == [("record_feedback", {"liked": False, "generation_id": "g2"})]


@pytest.mark.parametrize("text, change", [
    ("meh, make it slower", {"tempo_factor": 0.83}), ("not quite, make it slower", {"tempo_factor": 0.83}),
    ("not quite right, make it darker", {"more": {"dark": 0.3}}), ("nope, faster", {"tempo_factor": 1.2})])
def test_a_mild_no_with_a_direction_changes_the_piece_in_hand(planner, text, change):
    """After 'Still not it, then: ... pick a direction', 'meh, make it slower' made a new piece from nothing, and
    'not quite, make it slower' a punk and R&B one."""
    meh = ROCK + [said("meh")] + tool_turn("record_feedback", {"liked": False, "generation_id": "g1"}, 2)
    calls, _ = plan(planner, meh, text)
    assert calls[-1] == ("refine_music", {"said": text, **change, "generation_id": "g1"}), calls


@pytest.mark.parametrize("text, change", [
    ("not quite so slow", {"tempo_factor": 1.2}), ("not so fast", {"tempo_factor": 0.83}),
    ("meh, not quite so fast", {"tempo_factor": 0.83}), ("can you make it not as slow as that", {"tempo_factor": 1.2})])
def test_not_so_much_of_it_is_the_other_way(planner, text, change):
    """'not quite so loud' made a new metal piece; 'not so fast' a new piece from nothing."""
    calls, _ = plan(planner, ROCK, text)
    assert calls == [("refine_music", {"said": text, **change, "generation_id": "g1"})], calls


def test_quieter_is_the_players_volume_not_a_calmer_slower_take(planner):
    """'not quite so loud' made the piece calmer and slower without a word: every piece is levelled to -14 LUFS."""
    for text in ("not quite so loud", "quieter", "make it quieter", "a bit quieter please", "less loud"):
        calls, reply = plan(planner, ROCK, text)
        assert calls == [] and reply == answers.QUIETER, text
        assert "-14 LUFS" in reply and "player's volume" in reply
    for text in ("softer", "gentler"):  # a mood: still a calmer take
        assert plan(planner, ROCK, text)[0] == [("refine_music", {"said": text, "energy_delta": -0.2,
                                                                  "generation_id": "g1"})], text
    assert plan(planner, ROCK, "make the drums quieter")[0][0][1]["more"] == {"drums": -0.3}  # a part: less of it
    calls, _ = plan(planner, ROCK, "quieter and slower")  # the tempo changes, the loudness is said to be the player's
    assert calls == [("refine_music", {"said": "quieter and slower", "tempo_factor": 0.83, "generation_id": "g1"})]
    from agent.compose import _stand_ins

    assert any("is your player's volume" in note for note in _stand_ins("quieter and slower"))
    assert plan(planner, ROCK, "that's too loud")[0][0][1]["energy_delta"] == -0.2  # too intense: a calmer take...
    assert any("as calmer music" in note and "-14 LUFS" in note for note in _stand_ins("that's too loud"))  # ...said


def test_louder_and_softer_say_they_were_taken_as_the_musics_energy(planner):
    """'louder' made a livelier take and 'softer' a calmer one without a word (the stranger's review), while
    'quieter' said what loudness is: each loudness word read as energy now says so."""
    from agent.compose import _stand_ins

    for words, delta, direction in (("louder", 0.2, "livelier"), ("softer", -0.2, "calmer"),
                                    ("it's too quiet", 0.2, "livelier")):
        assert plan(planner, ROCK, words)[0][0][1]["energy_delta"] == delta, words
        assert any(f"as {direction} music" in note and "player's volume" in note for note in _stand_ins(words)), words
    assert _stand_ins("louder drums") == []  # a part turned up: said by the mix's own note


TAKE_AND_SLOWER = (tool_turn("generate_music", {"pieces": [{"id": "g1", "seconds": 8.0, "tempo": 131, "key": "A major",
                                                            "labels": ["rock"]}]}, 1)
                   + tool_turn("refine_music", {"refined_from": "g1", "pieces": [{"id": "g2", "seconds": 6.0, "tempo": 109,
                                                                                 "key": "A minor", "labels": ["rock"]}]}, 2))


@pytest.mark.parametrize("text, line", [
    ("is it slower than the first one?", "Yes: g2 runs at about 109 BPM, g1 at about 131 BPM."),
    ("is it faster than the one before?", "No: g2 runs at about 109 BPM, g1 at about 131 BPM."),
    ("is g1 longer than g2?", "Yes: g1 is 8 seconds long, g2 6 seconds."),
    ("so is it darker than the original?", "Yes: g2 is in A minor and g1 in A major; a minor key sounds darker"),
    ("is it calmer than g1?", "I can't measure which is calmer; what I know: g2 (about 109 BPM, A minor) and g1 ("),
])
def test_a_question_comparing_two_pieces_is_answered_not_made(planner, text, line):
    """A stranger's 'is it slower than the first one?' made a new, slower take."""
    calls, reply = plan(planner, TAKE_AND_SLOWER, text)
    assert calls == [] and reply.startswith(line), reply


@pytest.mark.parametrize("text, line", [
    # a stranger's 'is the second one darker than the first one?' and 'which is faster, g1 or g2?' made new takes
    ("is the second one darker than the first one?", "Yes: g2 is in A minor and g1 in A major"),
    ("which is faster, g1 or g2?", "g1 is faster: g1 runs at about 131 BPM, g2 at about 109 BPM."),
    ("which one is slower g2 or the first one", "g2 is slower: g2 runs at about 109 BPM, g1 at about 131 BPM."),
    ("is the fifth one faster than g1?", "There is no piece number 5 in this chat; the pieces so far are g1, g2."),
])
def test_a_comparison_naming_pieces_by_their_place_is_answered_not_made(planner, text, line):
    calls, reply = plan(planner, TAKE_AND_SLOWER, text)
    assert calls == [] and reply.startswith(line), reply


def test_the_first_one_after_the_taste_is_the_chats_first_piece_and_a_missing_one_is_said(planner):
    # a stranger's 'make the first one slower' after 'I like pop' (the taste shown last) crashed: KeyError 'taste';
    # and 'make the third one slower' of two pieces changed g1 without a word
    taste = TAKE_AND_SLOWER + tool_turn("taste_profile", {"genres": {"pop": 1.0}, "explanation": "pop 1.0"}, 3)
    calls, _ = plan(planner, taste, "make the first one slower")
    assert calls and calls[0][0] == "refine_music" and calls[0][1]["generation_id"] == "g1"
    assert plan(planner, taste, "play the second one")[0] == [("play_music", {"generation_id": "g2"})]
    calls, reply = plan(planner, TAKE_AND_SLOWER, "make the third one slower")
    assert calls == [] and reply.startswith("There is no piece number 3 in this chat; the pieces so far are g1, g2.")


WORLD_FOR_REGGAE = tool_turn("generate_music", {"pieces": [{"id": "g1", "seconds": 4.0, "tempo": 99, "key": "E major",
                                                            "labels": ["world"], "made_as": ["world"], "parts": [
    {"name": "nylon guitar", "family": "guitar", "program": 24, "detail": ""}]}]}, 1)


def test_a_question_about_a_style_or_instrument_played_by_another_says_no(planner):
    # a stranger's 'is it reggae?' of a piece whose notes said 'no reggae style here; played it as world music' got
    # 'Yes: g1 was made as world'
    calls, reply = plan(planner, WORLD_FOR_REGGAE, "is it reggae?")
    assert calls == [] and reply == "No: there is no reggae here; g1 was played as world music instead.", reply
    calls, reply = plan(planner, WORLD_FOR_REGGAE, "is there a ukulele in it?")
    assert calls == [] and reply == "No: there is no ukulele here; g1 was played on nylon guitar instead.", reply
    calls, reply = plan(planner, WORLD_FOR_REGGAE, "does it have a ukulele? if so remove it")
    assert calls == [] and reply.endswith("So I left it as it is.")


def test_a_change_said_with_than_is_still_a_change(planner):
    calls, _ = plan(planner, TAKE_AND_SLOWER, "can you make it slower than the first one?")
    assert calls and calls[0][0] == "refine_music" and calls[0][1]["tempo_factor"] < 1


PIANO_ONLY = tool_turn("generate_music", {"pieces": [{"id": "g1", "seconds": 4.0, "tempo": 80, "key": "C major", "parts": [
    {"name": "piano", "family": "piano", "program": 0, "detail": ""}]}]}, 1)


def test_a_request_on_a_condition_is_not_done_when_the_answer_is_no(planner):
    """A stranger's 'does it have drums? if so remove them' removed the drums of a piece that had none."""
    calls, reply = plan(planner, PIANO_ONLY, "does it have drums? if so remove them")
    assert calls == [] and reply.startswith("No: g1 has piano, no drums.") and reply.endswith("So I left it as it is.")
    calls, reply = plan(planner, PIANO_ONLY, "is it in minor? if so put it in major")
    assert calls == [] and reply.startswith("No, g1 is in C major.")
    # yes: both done, as before
    assert plan(planner, ROCK, "does it have drums? if so remove them")[0][0][1]["remove"] == ["drums"]
    # not known before the question's tool answers: only the question is done, and how to ask for the rest said
    text = "does it have drums? if so remove them"
    calls, _ = plan(planner, MADE, text)
    assert calls == [("describe_uploads", {"generation_ids": ["g1"]})]
    history = MADE + [said(text), AIMessage(content="", tool_calls=[
        {"name": "describe_uploads", "args": calls[0][1], "id": "call_3_0_0", "type": "tool_call"}]),
        ToolMessage(content=json.dumps({"uploads": [{"generation_id": "g1", "name": "g1", "instruments": [["piano", 0.6]]}]}),
                    name="describe_uploads", tool_call_id="call_3_0_0")]
    reply = planner.respond(history)
    assert not reply.tool_calls and reply.content.endswith("I changed nothing yet: if it does, say 'remove drums'.")


def test_why_right_after_attaching_a_song_points_at_the_song(planner):
    """'why did you make it like that?' with only a song attached said nothing was made, as if there were nothing
    (the stranger's review): the song is what 'it' may be, and the reply says what to ask of it."""
    calls, text = plan(planner, [], "why did you make it like that?", ("u1", "chaos-god.ogg"))
    assert calls == [] and "u1 is yours" in text and "'what is this?'" in text
    attached = [said("here is a song", ("u1", "chaos-god.ogg")), AIMessage(content="metal, 0.81")]
    calls, text = plan(planner, attached, "why did you make it like that?")  # attached a turn before
    assert calls == [] and "u1 is yours" in text
    calls, text = plan(planner, [], "why did you make it like that?")
    assert calls == [] and text.startswith("I haven't made anything yet, so there's nothing to explain")


CELLO_AND_PUNK = (tool_turn("generate_music", {"pieces": [{"id": "g1", "labels": ["classical", "cello"]}]}, 1)
                  + tool_turn("generate_music", {"pieces": [{"id": "g2", "labels": ["punk"]}]}, 2))


@pytest.mark.parametrize("text, liked, piece", [
    ("I loved the cello one", True, "g1"),
    ("the cello one is my favourite", True, "g1"),
    ("I like the classical one", True, "g1"),
    ("I like the punk one", True, "g2"),
    ("I preferred the first one", True, "g1"),
    ("I dont like the punk one", False, "g2"),
    ("I don't like the cello one", False, "g1"),
    ("I hated the punk one", False, "g2"),
    ("not a fan of the second", False, "g2"),
    ("not a fan of the cello one", False, "g1"),
    ("the last one was better", True, "g2"),
    ("the first one was better", True, "g1"),
])
def test_a_piece_liked_by_its_description_is_the_one_rated(planner, text, liked, piece):
    """A stranger's 'I loved the cello one' made a new cello piece, 'I like the jazz one' was read as a taste,
    'I dont like the punk one' made a take without punk, 'not a fan of the second' was not understood."""
    assert plan(planner, CELLO_AND_PUNK, text)[0] == [("record_feedback", {"liked": liked, "generation_id": piece})]


def test_the_last_one_is_the_newest_piece_even_after_an_older_one_was_played(planner):
    played = CELLO_AND_PUNK + tool_turn("play_music", {"generation_id": "g1"}, 3)
    assert plan(planner, played, "the last one was better")[0] == [
        ("record_feedback", {"liked": True, "generation_id": "g2"})]


def test_a_like_by_description_with_a_change_keeps_the_like_and_changes_that_piece(planner):
    assert plan(planner, CELLO_AND_PUNK, "I love the cello one, but make it faster")[0] == [
        ("record_feedback", {"liked": True, "generation_id": "g1"}),
        ("refine_music", {"said": "I love the cello one, but make it faster", "tempo_factor": 1.2,
                          "generation_id": "g1"})]


def test_a_like_of_a_description_no_piece_was_made_as(planner):
    """With pieces made, 'the jazz one' points at a piece: which pieces there are is said, not a taste guessed; with
    none made it is still a taste in words."""
    calls, reply = plan(planner, CELLO_AND_PUNK, "I like the jazz one")
    assert calls == [] and reply.startswith("None of the pieces so far was made as jazz: g1 (classical, cello), "
                                            "g2 (punk)"), reply
    assert plan(planner, [], "I like the jazz one")[0] == [("taste_profile", {"text": "I like the jazz one"})]


SOLO_PIANO = tool_turn("generate_music", {"pieces": [{"id": "g1", "labels": ["classical", "piano", "solo"]}]}, 1)


@pytest.mark.parametrize("text", ["with a full band", "now with the whole band please", "add a band",
                                  "can you make it with a full band?", "bring in the band"])
def test_a_solo_piece_asked_for_with_a_band_is_changed_to_be_played_by_one(planner, text):
    """After 'solo piano', 'with a full band' was not understood and 'add a band' made another solo take."""
    assert plan(planner, SOLO_PIANO, text)[0] == [("refine_music", {"said": text, "more": {"solo": -1.0},
                                                                    "generation_id": "g1"})]


def test_a_band_said_with_a_new_piece_is_no_change():
    reading = understand("make me a jazz piece with a full band")
    assert reading.intent == "make" and not reading.slots.more


@pytest.mark.parametrize("text", ["without the band", "lose the band", "no band please", "take out the band"])
def test_a_piece_asked_for_without_its_band_is_changed_to_be_played_alone(planner, text):
    """'without the band' made another take with the band (nothing read from it)."""
    piano_jazz = tool_turn("generate_music", {"pieces": [{"id": "g1", "labels": ["jazz", "piano"]}]}, 1)
    assert plan(planner, piano_jazz, text)[0] == [("refine_music", {"said": text, "more": {"solo": 1.0},
                                                                    "generation_id": "g1"})]


@pytest.mark.parametrize("text", ["just the piano", "only the piano please", "the piano alone"])
def test_just_the_instrument_of_a_piece_is_that_piece_played_by_it_alone(planner, text):
    """'just the piano' after a jazz piece with piano made a new piece with no style (the words read as a request)."""
    piano_jazz = tool_turn("generate_music", {"pieces": [{"id": "g1", "labels": ["jazz", "piano"]}]}, 1)
    assert plan(planner, piano_jazz, text)[0] == [("refine_music", {"said": text, "more": {"piano": 0.3, "solo": 1.0},
                                                                    "generation_id": "g1"})]
    assert plan(planner, [], text)[0][0][0] == "generate_music"  # nothing made yet: a piece for the piano alone
    assert plan(planner, piano_jazz, "solo piano")[0][0][0] == "generate_music"  # no 'the': a new request


def test_a_piece_disliked_by_what_it_is_with_a_change_is_rated_and_changed(planner):
    """'I hate the punk one, make it jazz instead' only rated the piece (the change was dropped)."""
    text = "I hate the punk one, make it jazz instead"
    calls, _ = plan(planner, CELLO_AND_PUNK, text)
    assert calls == [("record_feedback", {"liked": False, "generation_id": "g2"}),
                     ("refine_music", {"said": text, "more": {"jazz": 1.0, "punk": -1.0}, "generation_id": "g2"})]


def test_a_length_added_or_taken_off_changes_the_length_by_it(planner):
    """'make it 3 seconds longer' of a 4 s piece made a 3 s piece ('add 4 seconds' a 4 s one)."""
    for text, delta in (("make it 3 seconds longer", 3.0), ("add 4 seconds", 4.0), ("5 s shorter please", -5.0),
                        ("make it 30 seconds more", 30.0)):
        assert plan(planner, MADE, text)[0] == [
            ("refine_music", {"said": text, "seconds_delta": delta, "generation_id": "g1"})], text
    assert plan(planner, MADE, "make it 10 seconds")[0][0][1]["seconds"] == 10.0  # a length, as before


NAMED = MADE + [said("name it Blue Morning")] + tool_turn(
    "add_to_library", {"generation_id": "g1", "id": "t1", "title": "Blue Morning", "already_there": False,
                       "genre": "jazz", "tracks_in_library": 1}, 2)


@pytest.mark.parametrize("text", ["play my music", "plya my music", "play my songs", "play what I made", "play my stuff",
                                  "play my library", "put on my music", "play the music I made",
                                  "can you play everything I made", "play my own music please"])
def test_play_my_music_plays_the_persons_own_music_not_a_station(planner, text):
    """'play my music' started a station of new pieces ('it starts from scratch'); it is the person's own music: this
    chat's pieces and what they saved, each with a player (the my_music tool), before anything is made too."""
    assert understand(text).intent == I.MY_MUSIC, text
    assert not is_radio_request(text), text
    for history in ([], MADE):
        assert plan(planner, history, text)[0] == [("my_music", {})], text


def test_music_said_of_nothing_still_starts_the_station():
    for text in ("play some music", "play me something", "start the radio", "play my radio", "put on some music please"):
        assert is_radio_request(text), text


@pytest.mark.parametrize("text, piece, title", [
    ("name it Blue Morning", "g2", "Blue Morning"), ("call it 'Rainy Day'", "g2", "Rainy Day"),  # 'it': the one in hand
    ("rename g1 to Blue Morning", "g1", "Blue Morning"), ("title it Blue Morning", "g2", "Blue Morning"),
    ("call g1 Blue Morning please", "g1", "Blue Morning"), ("let's call it Sunday Drive", "g2", "Sunday Drive"),
    ("name the first one Dawn", "g1", "Dawn"), ("rename the second one to Dusk", "g2", "Dusk"),
    ("name it The Second Coming", "g2", "The Second Coming"),  # an ordinal in the name is the name's
    ("change its name to Night Bus", "g2", "Night Bus"),
])
def test_naming_a_piece_saves_it_under_that_name(planner, text, piece, title):
    """'name it Blue Morning' answered "I can't rename a piece yet": a piece carries a name in the library, so naming
    it saves it there under that name (or renames it there)."""
    two = MADE + tool_turn("refine_music", {"pieces": [{"id": "g2"}], "refined_from": "g1"}, 2)
    assert plan(planner, two, text)[0] == [("add_to_library", {"generation_id": piece, "title": title})], text


def test_naming_with_no_name_or_nothing_made_says_what_to_say(planner):
    calls, reply = plan(planner, MADE, "rename it")
    assert calls == [] and "name it Rainy Day" in reply
    calls, reply = plan(planner, [], "name it Blue Morning")
    assert calls == [] and reply.startswith("I haven't made anything in this chat yet, so there's nothing to name.")
    calls, reply = plan(planner, MADE, "rename g3 to Blue Morning")
    assert calls == [] and reply.startswith("There is no g3 in this chat")
    calls, reply = plan(planner, MADE, "call it a day")  # not a name: a goodbye
    assert calls == [] and reply.startswith("Bye for now!")


@pytest.mark.parametrize("text", ["play Blue Morning", "play blue morning", "play blue mornin", "Play 'Blue Morning' again",
                                  "can you play bleu morning please", "let me hear Blue Morning"])
def test_play_a_name_plays_the_piece_so_named(planner, text):
    """'play Blue Morning' of a piece named so made a new blues piece (the words read as a request)."""
    assert plan(planner, NAMED, text)[0] == [("play_music", {"generation_id": "g1"})], text


def test_a_name_saved_in_an_earlier_chat_is_played_and_other_words_are_unchanged(planner):
    saved = planner.model_copy(update={"known_titles": lambda: [("t7", "Blue Morning"), ("t8", "Road Trip")]})
    assert plan(saved, [], "play blue mornin")[0] == [("play_music", {"track_id": "t7"})]
    assert plan(saved, MADE, "play road trip")[0] == [("play_music", {"track_id": "t8"})]
    for history in ([], MADE, NAMED):  # words that are no name are read as before
        assert plan(saved, history, "play some blues")[0][0][0] == "generate_music"
        assert plan(saved, history, "play me some blues")[0][0][0] == "generate_music"
    assert plan(saved, NAMED, "play g1")[0] == [("play_music", {"generation_id": "g1"})]
    assert plan(saved, NAMED, "play it again")[0] == [("play_music", {"generation_id": "g1"})]
    assert plan(saved, NAMED, "play the first one")[0] == [("play_music", {"generation_id": "g1"})]
    assert plan(planner, [], "play Blue Morning")[0][0][0] == "generate_music"  # no such name: as before
    # no such name and no music asked for: said, in one line (it was "I am not sure what you'd like me to do")
    calls, reply = plan(saved, MADE, "play Sunset")
    assert calls == [] and reply.startswith("Nothing you made or saved is called 'Sunset'.") and "\n" not in reply


def test_after_play_my_music_of_saved_tracks_alone_the_second_one_is_the_second_of_them(planner):
    mine = [said("play my music")] + tool_turn("my_music", {"pieces": [], "tracks": [
        {"id": "t7", "title": "Blue Morning", "artist": "Tastemaker", "genre": "jazz"},
        {"id": "t8", "title": "Road Trip", "artist": "", "genre": "rock"}], "more": 0}, 1)
    assert plan(planner, mine, "play the second one")[0] == [("play_music", {"track_id": "t8"})]
    assert plan(planner, mine, "play road trip")[0] == [("play_music", {"track_id": "t8"})]


def _saved_piece(gid: str, tempo: int, key: str) -> dict:
    return {"id": gid, "seconds": 6.0, "tempo": tempo, "key": key, "labels": ["jazz"],
            "parts": [{"name": "alto sax", "family": "reed", "program": 65, "detail": ""}]}


def test_saved_pieces_taken_up_again_are_pieces_of_this_chat(planner):
    """review20: a saved piece played in a later chat was a library track there ("what key is it in?" asked for a
    song); taken up ('play Blue Morning', 'play my music') it is a piece of the chat: asked about, changed, counted."""
    byname = [said("play Blue Morning")] + tool_turn("play_music", {
        "generation_id": "g1", "title": "g1: jazz", "name": "Blue Morning", "from_library": True,
        "piece": _saved_piece("g1", 70, "D minor")}, 1)
    for text, answer in (("what key is it in?", "g1 is in D minor."), ("whats the tempo", "g1 runs at about 70 BPM."),
                         ("does it have a sax?", "Yes: g1 has alto sax.")):
        calls, reply = plan(planner, byname, text)
        assert calls == [] and reply == answer, (text, reply)
    for text in ("slower", "make it slower", "add strings", "not so fast", "in D major", "make the jazz one sadder"):
        calls, _ = plan(planner, byname, text)
        assert calls[-1][0] == "refine_music" and calls[-1][1]["generation_id"] == "g1", (text, calls)
    assert plan(planner, byname, "why did you choose that?")[0] == [("explain_music", {"generation_id": "g1"})]
    assert plan(planner, byname, "play blue morning again")[0] == [("play_music", {"generation_id": "g1"})]
    mine = [said("play my music")] + tool_turn("my_music", {"pieces": [], "more": 0, "tracks": [
        {"id": "t7", "title": "Blue Morning", "artist": "Tastemaker", "genre": "jazz", "generation_id": "g1"},
        {"id": "t8", "title": "Road Trip", "artist": "Tastemaker", "genre": "rock", "generation_id": "g2"}],
        "restored": [_saved_piece("g1", 70, "D minor"), _saved_piece("g2", 120, "E major")]}, 1)
    assert plan(planner, mine, "what key is it in?")[1] == "g2 is in E major."  # the last one listed
    assert plan(planner, mine, "play the first one")[0] == [("play_music", {"generation_id": "g1"})]
    assert plan(planner, mine, "make the first one faster")[0][0][1]["generation_id"] == "g1"
    assert plan(planner, mine, "play road trip")[0] == [("play_music", {"generation_id": "g2"})]


def test_a_saved_piece_named_in_a_change_or_a_question_is_that_piece(planner):
    """'make Blue Morning slower' in a later chat made a new blues piece ('blue' by meaning), 'what key is Blue Morning
    in?' said nothing was made: the name says which piece, taken up from the library when it is not in the chat."""
    saved = planner.model_copy(update={"known_titles": lambda: [("t7", "Blue Morning")]})
    for text in ("make Blue Morning slower", "make blue morning a bit faster", "can you make Blue Morning sadder",
                 "add strings to blue morning", "blue morning but in D minor"):
        calls, _ = plan(saved, [], text)
        assert [name for name, _ in calls] == ["refine_music"] and calls[0][1]["track_id"] == "t7", (text, calls)
        assert calls[0][1]["said"] == text and "blues" not in calls[0][1].get("more", {}), (text, calls)
    for text in ("what key is blue morning in?", "how fast is Blue Morning", "does blue morning have drums?"):
        assert plan(saved, [], text)[0] == [("play_music", {"track_id": "t7"})], text
    assert plan(saved, [], "why did you make Blue Morning like that?")[0] == [("explain_music", {"track_id": "t7"})]
    taken = [said("make Blue Morning slower")] + tool_turn("refine_music", {
        "taken_up": _saved_piece("g1", 70, "D minor") | {"name": "Blue Morning"}, "refined_from": "g1",
        "pieces": [{"id": "g2", "tempo": 58, "key": "D minor", "labels": ["jazz"]}]}, 1)
    assert plan(saved, taken, "what key is blue morning in?")[1] == "g1 is in D minor."
    assert plan(saved, taken, "make blue morning faster")[0][0][1]["generation_id"] == "g1"
    assert plan(saved, taken, "make it faster")[0][0][1]["generation_id"] == "g2"  # 'it': the new take
    for text in ("a blues song for a blue morning", "play some blues"):  # no change of it, no question: as before
        assert plan(saved, [], text)[0][0][0] == "generate_music", text


def test_more_like_this_after_liking_one_is_more_like_that_one_liked_once(planner):
    """'I like the second one' then 'more like this' said "Noted already" before its take (the like was counted
    again); with three pieces it liked and changed the newest instead of the one just liked."""
    three = ROCK_THEN_JAZZ + tool_turn("refine_music", {"pieces": [{"id": "g3", "labels": ["jazz"]}],
                                                        "refined_from": "g2"}, 3)
    for history, liked in ((ROCK_THEN_JAZZ, "g2"), (three, "g2"), (three, "g1")):
        which = {"g1": "the first one", "g2": "the second one"}[liked]
        rated = history + [said(f"I like {which}")] + tool_turn(
            "record_feedback", {"liked": True, "generation_id": liked, "profile": "jazz 0.15"}, 4)
        for text in ("more like this", "more like this please", "more like that one"):
            calls, _ = plan(planner, rated, text)
            assert [name for name, _ in calls] == ["refine_music"], (text, calls)
            assert calls[0][1]["generation_id"] == liked and calls[0][1]["like_last"], (text, calls)
        # a piece named is that piece, liked now
        calls, _ = plan(planner, rated, "more like g1")
        assert calls[-1][1]["generation_id"] == "g1"
    calls, _ = plan(planner, three, "more like this")  # nothing liked just before: the newest, liked now
    assert [name for name, _ in calls] == ["record_feedback", "refine_music"] and calls[1][1]["generation_id"] == "g3"


GROOVED = tool_turn("generate_music", {"pieces": [{
    "id": "g1", "seconds": 8.0, "tempo": 164, "key": "F major", "labels": ["jazz"],
    "parts": [{"name": "drums", "family": "drums", "program": None, "detail": "a jazz kit"},
              {"name": "acoustic bass", "family": "bass", "program": 32, "detail": ""}],
    "rhythm": {"meter": "4/4", "style": "jazz", "groove": "two feel on brushes", "feel": "swung eighths",
               "drums": True}}]}, 1)
SOLO_PIANO = tool_turn("generate_music", {"pieces": [{
    "id": "g1", "seconds": 6.0, "tempo": 58, "key": "C major", "labels": ["piano"],
    "parts": [{"name": "acoustic grand piano", "family": "piano", "program": 0, "detail": ""}],
    "rhythm": {"meter": "4/4", "style": "ambient", "groove": "", "feel": "straight", "drums": False}}]}, 1)


@pytest.mark.parametrize("text", [
    "what groove is it?", "what's the rhythm?", "what beat is this?", "whats the groove like", "wat groove is it",
    "what grove is it?", "what kind of beat is it", "what rhythm does it have?", "what's the drum pattern?",
    "tell me the rhythm", "what time signature is it in?", "how does it groove?"])
def test_what_groove_is_it_is_answered_from_the_arrangement(planner, text):
    """'what groove is it?', "what's the rhythm?", 'what beat is this?' were not understood ('I am not sure what you'd
    like me to do'); 'what time signature is it in?' got the apology for not writing 3/4."""
    calls, reply = plan(planner, GROOVED, text)
    assert calls == [] and reply == ('g1 is in 4/4 at about 164 BPM, swung eighths, on jazz\'s "two feel on brushes" '
                                     "groove, played on a jazz kit. Say 'another one' for another groove, or 'slower'."), \
        (text, reply)
    calls, reply = plan(planner, SOLO_PIANO, text)
    assert reply == ("g1 is in 4/4 at about 58 BPM, straight, with no drums: the acoustic grand piano keeps the time. "
                     "Say 'add drums' for a beat."), (text, reply)
    assert plan(planner, [], text)[1] == answers.NOTHING_TO_ASK_ABOUT  # before any piece: one line


def test_another_styles_groove_under_the_band_is_said_as_its(planner):
    trap = tool_turn("generate_music", {"pieces": [{
        "id": "g1", "seconds": 8.0, "tempo": 140, "key": "A minor", "labels": ["jazz"],
        "parts": [{"name": "drums", "family": "drums", "program": None, "detail": "a TR-808 kit"}],
        "rhythm": {"meter": "4/4", "style": "jazz", "groove": "trap: rolling hats, a sparse kick", "feel": "straight",
                   "drums": True, "groove_of": "hip-hop", "asked": True}}]}, 1)
    assert plan(planner, trap, "what groove is it?")[1] == (
        "g1 is in 4/4 at about 140 BPM, straight, on hip-hop's \"trap\" groove (rolling hats, a sparse kick) under the "
        "jazz band, played on a TR-808 kit. Say 'slower' or 'faster' to change its pace.")


def test_is_it_swung_is_answered_yes_or_no_with_the_groove(planner):
    assert plan(planner, GROOVED, "is it swung?")[1].startswith("Yes: g1 is in 4/4 at about 164 BPM, swung eighths")
    assert plan(planner, GROOVED, "is it swing?")[1].startswith("Yes: g1 ")  # review20: 'I am not sure...'
    assert plan(planner, SOLO_PIANO, "does it swing")[1].startswith("No: g1 is in 4/4 at about 58 BPM, straight")
    assert plan(planner, SOLO_PIANO, "is it straight?")[1].startswith("Yes: g1 is in 4/4")
    assert plan(planner, SOLO_PIANO, "is it in 4/4?")[1].startswith("Yes: g1 is in 4/4")
    assert plan(planner, SOLO_PIANO, "is it in 3/4?")[1].startswith("No: g1 is in 4/4")  # as before


def test_a_beat_or_a_groove_asked_for_is_still_music(planner):
    for text in ("make me a hip hop beat", "a funky groove please", "what beat for a party"):
        assert plan(planner, [], text)[0][0][0] == "generate_music", text


@pytest.mark.parametrize("text", [
    "put on Blue Morning", "Blue Morning please", "blue morning", "Blue Morning again!", "put Blue Morning on",
    "I want to hear Blue Morning", "i'd like to hear blue morning", "lets hear blue mornin", "queue up Blue Morning",
    "could you play Blue Morning for me", "can we hear bleu morning", "ok Blue Morning please", "stick Blue Morning on"])
def test_a_name_said_any_way_plays_the_piece_so_named(planner, text):
    """'Blue Morning please' was not understood and 'put Blue Morning on' made a piece: only 'play X' matched a name."""
    assert plan(planner, NAMED, text)[0] == [("play_music", {"generation_id": "g1"})], text


RENAMED = NAMED + [said("rename it to Grey Evening")] + tool_turn(
    "add_to_library", {"generation_id": "g1", "id": "t1", "title": "Grey Evening", "already_there": True,
                       "renamed_from": "Blue Morning", "genre": "jazz", "tracks_in_library": 1}, 3)


def test_after_a_rename_the_old_name_no_longer_plays_it(planner):
    """After 'rename it to Grey Evening', 'play Blue Morning' still played g1 (the chat kept every name it had shown)."""
    for text in ("play Grey Evening", "grey evening please", "put on grey evenin"):
        assert plan(planner, RENAMED, text)[0] == [("play_music", {"generation_id": "g1"})], text
    for text in ("play Blue Morning", "put on blue morning", "I want to hear Blue Morning", "Blue Morning please"):
        calls, reply = plan(planner, RENAMED, text)
        assert calls == [] and reply.lower() == ("Nothing is called 'Blue Morning' any more: g1 is called **Grey "
                                                 "Evening** now. Say 'play Grey Evening' to hear it.").lower(), text
    back = RENAMED + [said("rename it to Blue Morning")] + tool_turn(  # renamed back: the name plays it again
        "add_to_library", {"generation_id": "g1", "id": "t1", "title": "Blue Morning", "already_there": True,
                           "renamed_from": "Grey Evening", "genre": "jazz", "tracks_in_library": 1}, 4)
    assert plan(planner, back, "play Blue Morning")[0] == [("play_music", {"generation_id": "g1"})]
    assert plan(planner, back, "play Grey Evening")[0] == []


def test_a_name_alone_or_weakly_like_one_is_read_as_before(planner):
    """Words that only resemble a name stay what they were: a new piece, a change, a question."""
    for text in ("play some blues", "blues please", "play me some blue grass"):
        assert plan(planner, NAMED, text)[0][0][0] == "generate_music", text
    for text in ("morning music please", "a blue mood", "good morning", "blue", "morning"):
        assert plan(planner, NAMED, text)[0] != [("play_music", {"generation_id": "g1"})], text
    assert plan(planner, NAMED, "slower please")[0][0][0] == "refine_music"
    assert plan(planner, NAMED, "what is Blue Morning?")[0] != [("play_music", {"generation_id": "g1"})]


def test_a_built_in_title_not_in_the_library_yet_says_it_is_coming(planner):
    """'play Maple Leaf Rag' while the built-in collection was still being made said nothing was called so."""
    building = planner.model_copy(update={"known_titles": lambda: []})
    calls, reply = plan(building, [], "play Maple Leaf Rag")
    assert calls == [] and reply.startswith("**Maple Leaf Rag** is in the built-in collection, which is still being "
                                            "made") and "\n" not in reply
    assert plan(building, [], "play Sunset")[1].startswith("Nothing you made or saved is called 'Sunset'.")


def test_music_like_a_name_is_like_that_piece_or_track(planner):
    """'make something like Blue Morning' made a blues piece ('blue', by meaning), not one like the piece so named."""
    for text in ("make something like Blue Morning", "play something like blue morning", "more like blue mornin"):
        calls, _ = plan(planner, NAMED, text)
        assert calls == [("refine_music", {"said": text, "like_last": True, "generation_id": "g1"})], text
    calls, _ = plan(planner, NAMED, "a track like blue morning but faster")
    assert calls[0][1]["tempo_factor"] == 1.2 and calls[0][1]["like_last"] and calls[0][1]["generation_id"] == "g1"
    saved = planner.model_copy(update={"known_titles": lambda: [("t8", "Road Trip")]})
    calls, _ = plan(saved, MADE, "make me a song like Road Trip")
    assert calls == [("create_music", {"description": "make me a song like Road Trip", "track_id": "t8"})]
    calls, _ = plan(saved, MADE, "something like road trip, 6 seconds")
    assert calls[0][1]["track_id"] == "t8" and calls[0][1]["seconds"] == 6
    for text in ("make me a song like Daft Punk", "make me something like these"):  # no name: as before
        assert plan(saved, NAMED, text)[0][0][1].get("track_id") is None, text
