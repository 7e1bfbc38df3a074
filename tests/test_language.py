"""tools.language: typo tolerance, the intent table, non-English messages, and the benchmark's targets."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tools.language import intents as I
from tools.language import read_slots, understand
from tools.language.foreign import detect, music_words
from tools.language.spelling import correct


@pytest.mark.parametrize("typed, meant", [
    ("cna u mak me sumthing wiht saxofone, jazzy n relaxd plz",
     "can you make me something with saxophone, jazzy and relaxed please"),
    ("compse a clasical peice", "compose a classical piece"),
    ("ad it to my libary", "add it to my library"),
    ("fastr", "faster"),
    ("the last band had a mood", "the last band had a mood"),  # real words are left alone
    # chat21: 'waht' was 'want' (a swap of two letters is the likelier typo), 'chnage' became 'chase' once occasions
    # ('a car chase') were words to correct toward
    ("waht key is it in", "what key is it in"), ("what did you chnage?", "what did you change?"),
    ("a haloween song for our weding", "a halloween song for our wedding"),
])
def test_typos_and_shorthand_are_corrected_toward_known_words(typed, meant):
    assert correct(typed) == meant


def test_negation_louder_quieter_and_keys_read_as_people_mean_them():
    assert read_slots("jazz, I don't want drums").avoid == ["drums"]
    assert read_slots("the drums are too loud").more == {"drums": -0.3}
    assert read_slots("crank up the bass").more == {"bass": 0.3}
    assert read_slots("try it in a minor key").key is None and read_slots("try it in a minor key").mode == "minor"
    assert (read_slots("transpose it to A minor").key, read_slots("make it in Eb").key) == ("A", "Eb")
    assert read_slots("sad folk, not too fast").energy <= 0.5 and read_slots("sad folk, not too fast").tempo_factor is None
    assert read_slots("the second one").which == 2


@pytest.mark.parametrize("text, key, mode", [
    ("make it in H minor", "B", "minor"), ("in h minor", "B", "minor"), ("a jazz piece in H", "B", None),
    ("in the key of H", "B", None), ("in H major", "B", "major"),
    ("make it in Hb", "Hb", None), ("make it in H# minor", "H#", "minor"),  # no keys: kept so the reply says so
])
def test_h_is_b_as_german_and_nordic_musicians_name_it(text, key, mode):
    """'in H minor' was kept as a key called 'H' (no key), so the take stayed in its old key with a note."""
    slots = read_slots(text)
    assert (slots.key, slots.mode) == (key, mode), text


def test_an_intent_is_a_row_of_cues_and_examples():
    names = [i.name for i in I.INTENTS]
    assert len(names) == len(set(names)) and all(i.examples for i in I.INTENTS)
    assert understand("mix my two favourite songs' styles").intent == I.COMBINE
    nearest = I.nearest_examples("could you put together something that blends the two tracks I sent")
    assert nearest[0][0] == I.COMBINE  # the labelled examples catch what no cue names


def test_non_english_messages_are_recognised_and_their_music_words_read():
    assert detect("Mach mir bitte ein ruhiges Klavierstück zum Einschlafen") == "de"
    assert detect("hazme una canción de rock con guitarra") == "es"
    for english in ("more jazz", "cna u mak me sumthing wiht saxofone, jazzy n relaxd plz", "too slow, speed it up"):
        assert detect(english) is None
    assert music_words("crea una canzone triste con il pianoforte") == ["make", "song", "sad", "piano"]
    reading = understand("fais-moi un morceau de jazz calme au piano")
    assert reading.language == "fr" and reading.intent == I.MAKE
    assert set(reading.slots.genres) == {"jazz"} and "piano" in reading.slots.instruments


@pytest.mark.parametrize("text, seconds", [
    ("Mach mir bitte ein ruhiges Klavierstück zum Einschlafen, 6 Sekunden", 6.0),
    ("hazme una canción de rock de 5 segundos", 5.0),
    ("fais-moi un morceau de jazz calme de 5 secondes", 5.0),
    ("fammi un brano jazz di 2 minuti", 120.0),
    ("maak een rustig liedje van 10 seconden", 10.0),
])
def test_a_length_in_another_language_is_read(text, seconds):
    """The number was dropped with the words the glossary does not hold: 15 s pieces, and no word of it said."""
    reading = understand(text)
    assert reading.language and reading.intent == I.MAKE and reading.slots.seconds == seconds
    assert any(word.endswith(("seconds", "minutes")) for word in reading.understood)


@pytest.mark.parametrize("text", ["solo piano 6 seconds", "solo piano in D minor, 6 seconds", "sad solo piano in D minor",
                                  "piano solo in C minor, 6 seconds"])
def test_musics_own_italian_in_an_english_request_is_english(text):
    """A stranger's 'solo piano in D minor, 6 seconds' scored Italian: 'That looks like Italian', and the key, the
    length and the solo were dropped with the words the glossary does not hold."""
    reading = understand(text)
    assert reading.language is None and reading.intent == I.MAKE
    assert reading.slots.instruments.get("solo") == 1.0
    assert reading.slots.mode == ("minor" if "minor" in text else None)
    assert reading.slots.seconds == (6.0 if "6 seconds" in text else None)


def _benchmark():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "understanding.py"
    spec = importlib.util.spec_from_file_location("understanding_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["held-out"])  # the set it was not tuned on (the dev figures: the benchmark)
def test_the_understanding_benchmark_meets_its_targets(name):
    bench = _benchmark()
    result = bench.evaluate(bench.SETS[name])
    assert result["utterances"] >= (200 if name == "dev" else 60)
    assert result["intent_accuracy"] >= 0.95, result["errors"]
    assert result["slot_f1"] >= 0.90, result["errors"]


@pytest.mark.parametrize("text, genres, not_moods", [
    ("I want some funky music", {"funk": 1.0}, set()),  # 'some' is a determiner here, not 'a touch of'
    ("play me something funky and groovy", {"funk": 1.0}, {"dark"}),  # 'groovy' is not a typo of 'gloomy'
])
def test_funky_and_groovy_ask_for_funk(text, genres, not_moods):
    slots = read_slots(text, meaning=True)
    assert slots.genres == genres and not set(slots.moods) & not_moods


def test_an_electric_guitar_is_a_guitar_not_electronic_music():
    slots = read_slots("electric guitar rock", meaning=True)
    assert slots.genres == {"rock": 1.0} and "guitar" in slots.instruments and "electric" not in slots.themes


def test_epic_and_ballad_set_the_energy_and_name_a_genre_only_when_nothing_else_does():
    epic_metal = read_slots("epic metal", meaning=True)
    assert epic_metal.genres == {"metal": 1.0} and epic_metal.energy >= 0.75
    assert "classical" in read_slots("an epic battle theme", meaning=True).genres
    ballad = read_slots("sad piano ballad", meaning=True)
    assert "soul" not in ballad.genres and "pop" in ballad.genres and ballad.energy <= 0.3
    jazz_ballad = read_slots("a jazz ballad", meaning=True)
    assert jazz_ballad.genres == {"jazz": 1.0} and jazz_ballad.energy <= 0.3
    # 'epic trailer music' came out in D major: a trailer's epic is minor, unless a mode or a happy mood is said
    assert read_slots("epic trailer music", meaning=True).mode == "minor"
    assert read_slots("an epic happy anthem", meaning=True).mode is None
    assert read_slots("epic music in D major", meaning=True).mode == "major"


def test_a_groove_named_is_kept_and_names_its_style_when_nothing_else_does():
    """'a breakbeat track' was chillout and rnb by meaning; 'bossa nova' and 'metal with blast beats' lost the groove."""
    breakbeat = read_slots("a breakbeat track", meaning=True)
    assert breakbeat.groove == "breakbeat" and breakbeat.genres == {"electronic": 0.8}
    assert read_slots("a bossa nova", meaning=True).groove == "bossa nova"
    blast = read_slots("metal with blast beats", meaning=True)
    assert blast.groove == "blast beats" and blast.genres == {"metal": 1.0}
    assert read_slots("a shuffle", meaning=True).genres == {"blues": 0.8}
    assert read_slots("jazz with a trap beat", meaning=True).genres == {"jazz": 1.0}  # the genre named leads
    for refused in ("metal, no blast beats", "metal without the blast beats", "remove the blast beats",
                    "get rid of the trap beat", "without the half-time feel", "less blast beats"):
        slots = read_slots(refused, meaning=True)
        assert slots.groove is None and slots.drop_groove and slots.genres in ({}, {"metal": 1.0}), refused
        assert slots.is_change() and not slots.avoid, refused  # not 'no drums', not a style left out
    # typos, and words the spelling fix turned into others ('boom bap' was 'boom rap', 'd-beat' 'beat')
    for said, groove in (("a boom bap beat", "boom bap"), ("a bosanova", "bossanova"), ("d-beat punk", "d-beat"),
                         ("a brakbeat track", "breakbeat")):
        assert read_slots(said, meaning=True).groove == groove, said
    assert read_slots("give me a break", meaning=True).groove is None


def test_what_music_is_for_and_how_many_are_read_not_guessed():
    """review20: 'something to fall asleep to' was techno at 132 BPM (the sentence's meaning), 'music to help me
    sleep' the help menu, 'make me 2 bossa novas' one piece."""
    asleep = read_slots("something to fall asleep to", meaning=True)
    assert asleep.genres == {"ambient": 0.8} and asleep.energy <= 0.15
    assert understand("music to help me sleep, 8 s").intent == I.MAKE
    assert understand("help me").intent == I.HELP
    assert read_slots("make me 2 bossa novas").candidates == 2 and read_slots("a bossa nova").candidates is None
    assert read_slots("three waltzes please").candidates == 3


# (words, the style that plays, a mood it has or None, the tempo range the arranger then picks from, its mode or None)
OCCASIONS_SAID = [
    ("a spooky halloween track", "classical", "dark", (60, 110), "minor"),
    ("a song for our wedding first dance", "soul", "beautiful", (55, 90), "major"),
    ("a song for our 1st dance", "soul", "beautiful", (55, 90), "major"),
    ("music for a birthday party", "pop", "happy", (100, 125), "major"),
    ("something for a funeral", "classical", "sad", (50, 80), "minor"),
    ("music for my graduation", "pop", "happy", (100, 125), "major"),
    ("a song for my workout", "dance", None, (115, 130), None),
    ("music for yoga", "new age", None, (50, 70), None),
    ("something to study to", "chillout", None, (56, 90), None),
    ("dinner party music", "jazz", "party", (55, 100), "major"),
    ("a road trip song", "rock", "happy", (110, 140), "major"),
    ("music for a rainy sunday", "chillout", "mellow", (50, 90), None),
    ("beach music", "pop", "happy", (95, 125), "major"),
    ("campfire songs", "folk", "mellow", (85, 115), "major"),
    ("a video game boss fight", "classical", "dark", (120, 180), "minor"),
    ("music for a horror film", "classical", "dark", (60, 110), "minor"),
    ("romantic dinner music", "soul", "beautiful", (55, 90), "major"),
    ("music for a kids' party", "pop", "happy", (100, 125), "major"),
    ("meditation music", "new age", None, (50, 70), None),
    ("coffee shop music", "jazz", "mellow", (55, 100), "major"),
    ("new year's eve party music", "dance", "party", (115, 130), "major"),
    ("a sunset track", "chillout", "mellow", (50, 90), "major"),
    ("thanksgiving dinner music", "folk", "happy", (85, 120), "major"),
    ("a song for a toast", "pop", "happy", (95, 125), "major"),
    ("heist movie music", "funk", "dark", (95, 130), "minor"),
    ("christmas music", "pop", "happy", (95, 125), "major"),
    ("a chase scene", "rock", "energetic", (115, 145), "minor"),
    ("valentine's day song", "soul", "beautiful", (55, 90), "major"),
    ("a haloween song", "classical", "dark", (60, 110), "minor"),  # typos too
    ("music for our weding", "classical", "beautiful", (60, 110), "major"),
    ("chrismas songs", "pop", "happy", (95, 125), "major"),
]


@pytest.mark.parametrize("text", ["a pop song, not for a funeral", "make something upbeat, nothing spooky",
                                  "a song about running away from home", "a jazz piece with focus on the piano",
                                  "rock song with a coffee break", "a summer of love song"])
def test_an_occasion_said_not_to_be_one_or_an_everyday_word_is_no_occasion(text):
    """'not for a funeral' made a sad piece in minor; 'with focus on the piano' was music for studying."""
    assert read_slots(text).occasion is None


@pytest.mark.parametrize("said, style, mood, tempo, mode", OCCASIONS_SAID)
def test_an_occasion_chooses_a_fitting_style_mood_and_pace(said, style, mood, tempo, mode):
    """review20: 'a spooky halloween track' was house and folk, 'a song for our wedding first dance' 121 BPM disco (the
    'dance' in it); 'christmas music', 'beach music', 'a road trip song' were not understood at all. An occasion
    (words.OCCASIONS) now chooses the style, its mood, its energy (which places the tempo) and its mode."""
    from tools.generate.request import MusicAsk
    from tools.generate.sketch.arranger import plan

    reading = understand(said)
    assert reading.intent == I.MAKE, said
    assert next(iter(reading.slots.genres)) == style, (said, reading.slots.genres)
    assert mood is None or mood in reading.slots.moods, (said, reading.slots.moods)
    made = [plan(MusicAsk.from_slots(reading.slots, said).style(), 8.0, seed, None, []) for seed in (1, 2, 3)]
    assert all(tempo[0] <= a.tempo <= tempo[1] for a in made), (said, [a.tempo for a in made])
    assert mode is None or all(a.mode == mode for a in made), (said, [a.key for a in made])


def test_a_style_mood_or_key_said_wins_over_the_occasions_and_a_change_is_no_occasion():
    first_dance = read_slots("a jazz song for our first dance", meaning=True)
    assert first_dance.genres == {"jazz": 1.0} and "beautiful" in first_dance.moods and first_dance.energy == 0.3
    assert "dance" not in first_dance.genres
    funeral = read_slots("something for a funeral in D major", meaning=True)
    assert (funeral.key, funeral.mode) == ("D", "major") and "classical" in funeral.genres
    upbeat = read_slots("an upbeat christmas song", meaning=True)
    assert upbeat.energy == 0.75 and upbeat.genres == {"pop": 1.0}
    assert read_slots("make it spookier", meaning=True).occasion is None
    for change in ("make it spookier", "make it creepier", "a scarier version"):  # (a mood of the piece in hand)
        assert read_slots(change).more == {"dark": 0.3}, change
    # the most particular occasion, not a mere setting beside it
    assert read_slots("boss fight music for my video game").occasion == "boss fight"
    assert read_slots("christmas dinner music").occasion == "christmas"
    assert read_slots("make it more christmassy", meaning=True).occasion is None
    assert read_slots("search the library for road trip").genres == {}
    assert read_slots("make me a 30-minute playlist for a dinner party").moods == {"party": 1.0}


def test_saying_what_you_love_is_not_a_theme_but_a_love_song_is():
    assert "love" not in read_slots("I love jazz", meaning=True).themes
    assert "love" not in read_slots("i really love rainy days", meaning=True).themes
    assert "love" in read_slots("a love song on the piano", meaning=True).themes


def test_radio_and_playlist_requests_are_intents_of_the_one_parser_typos_included():
    for text in ("play my radio", "strat a jaz staton", "plya my raido", "jazz radio", "radio for running"):
        assert understand(text).intent == I.RADIO, text
    for text in ("make me a 30-minute playlist for a dinner party", "I want a plalist of calm music"):
        assert understand(text).intent == I.PLAYLIST, text
    for text in ("stop the radio", "what is a radio station?", "make me a jazz track", "how do playlists work"):
        assert understand(text, use_examples=False).intent not in (I.RADIO, I.PLAYLIST), text


@pytest.mark.parametrize("text, era", [("make me an 80s synth pop song", "80s"), ("make me a 2000s rock song", "2000s"),
                                       ("a 1990s grunge song", "1990s"), ("something from an '80s movie", "80s"),
                                       ("60's soul", "60s")])
def test_a_decade_is_an_era_never_a_length(text, era):
    """'80s' made an 80-second piece and '2000s' a 33-minute request."""
    slots = read_slots(text)
    assert slots.seconds is None and slots.era == era


def test_lengths_written_with_s_are_still_lengths():
    assert read_slots("a 30s rock clip").seconds == 30 and read_slots("a 90s long piece").seconds == 90
    assert read_slots("make me a 45 s jazz track").seconds == 45


def test_common_style_names_reach_a_genre():
    assert read_slots("a 1990s grunge song").genres == {"rock": 1.0}  # it was heard as nothing, then made pop
    assert "jazz" in read_slots("some bossa nova please").genres


def test_a_number_of_songs_is_how_many_to_make_and_the_genre_is_still_read():
    """'make me 3 rock songs' made one piece and said nothing."""
    three = read_slots("make me 3 rock songs")
    assert three.candidates == 3 and three.genres == {"rock": 1.0}
    assert read_slots("a couple of jazz tracks please").candidates == 2
    assert read_slots("make me something like these two songs").candidates is None  # the songs already there
    assert read_slots("make me a 3 minute song").candidates is None


@pytest.mark.parametrize("text, tempo, energy", [
    ("plus rapide", 1.2, None), ("plus lent", 0.83, None), ("schneller bitte", 1.2, None),
    ("langsamer", 0.83, None), ("más lento por favor", 0.83, None), ("più veloce", 1.2, None),
    ("un peu plus calme", None, -0.25),
])
def test_a_change_said_in_another_language_changes_the_piece(text, tempo, energy):
    """'plus rapide' was corrected to 'plus rapped' (a rapped hip-hop piece); 'schneller bitte', 'plus lent' were
    not understood; 'más lento por favor' made a new piece."""
    reading = understand(text)
    assert reading.intent == I.REFINE and reading.slots.tempo_factor == tempo, (text, reading)
    assert getattr(reading.slots, "energy_delta", None) == energy and not reading.slots.genres


@pytest.mark.parametrize("text, tempo, energy, language", [
    ("plus lent s il vous plait", 0.83, None, "fr"), ("plus vite s il vous plait", 1.2, None, "fr"),
    ("moins vite", 0.83, None, "fr"), ("plus lent svp", 0.83, None, "fr"), ("fais le plus calme", None, -0.25, "fr"),
    ("mach es schneller bitte", 1.2, None, "de"), ("langsamer bitte", 0.83, None, "de"),
    ("bitte langsamer", 0.83, None, "de"), ("mach es ruhiger", None, -0.25, "de"),
    ("mas lento por favor", 0.83, None, "es"), ("hazlo mas lento", 0.83, None, "es"),
    ("piu lento per favore", 0.83, None, "it"), ("rendilo più lento", 0.83, None, "it"),
    ("mais lento por favor", 0.83, None, "pt"), ("un poco mas lento porfavor", 0.83, None, "es"),
    ("un po piu veloce", 1.2, None, "it"),
])
def test_a_change_typed_without_accents_or_apostrophes_is_a_change_in_its_language(text, tempo, energy, language):
    """'plus lent s il vous plait' (no apostrophe) made a new piece while "s'il" was a change; 'mach es schneller
    bitte', 'piu lento per favore', 'hazlo mas lento' made new pieces or were not understood; a German change got no
    language line ('langsamer bitte' is two words, too few for detection) where French had one."""
    reading = understand(text)
    assert reading.intent == I.REFINE and reading.slots.tempo_factor == tempo, (text, reading)
    assert getattr(reading.slots, "energy_delta", None) == energy and not reading.slots.genres
    assert reading.language == language, (text, reading.language)


def test_english_change_words_get_no_language_and_a_short_german_request_does():
    """'a little calmer please' is English; 'ein trauriges Lied bitte' (langid 0.81 German) was not understood."""
    assert understand("a little calmer please").language is None
    assert understand("faster please").language is None
    sad = understand("ein trauriges Lied bitte")
    assert sad.intent == I.MAKE and sad.language == "de" and "sad" in sad.slots.moods


@pytest.mark.parametrize("text", ["plus", "more drums", "slow", "en plus", "plus de batterie", "schnell"])
def test_only_a_compared_pace_or_mood_is_read_as_such_a_change(text):
    from tools.language.foreign import change_words

    assert change_words(text) is None


@pytest.mark.parametrize("text, players", [("harp alone, 6 seconds", {"harp"}),
                                           ("something for solo flute, 6s", {"flute"}),
                                           ("a piano and drums piece", {"piano", "drums"})])
def test_the_words_that_ask_for_a_solo_say_who_plays_not_the_mood(text, players):
    """'harp alone' was a sad country-and-folk piece (the meaning of 'alone'); 'solo flute' rock and folk."""
    slots = understand(text).slots
    assert set(slots.instruments) == players | {"solo"}
    assert not slots.moods and not {"country", "folk", "rock"} & set(slots.genres), (slots.moods, slots.genres)


@pytest.mark.parametrize("text, note", [("that's too loud", "I took 'too loud' as calmer music"),
                                        ("heyy can u do a quick piano thing, 6 sec", None),
                                        ("a relaxing fast song", None)])
def test_only_a_loudness_word_gets_the_loudness_note(text, note):
    """'a quick piano thing' was told 'I took 'quick' as 'quick' music: every piece is levelled alike (-14 LUFS)'."""
    from tools.language.slots import read_slots
    from tools.language.words import stand_in_notes

    notes = [n for n in stand_in_notes(read_slots(text).reasons) if "levelled alike" in n]
    assert (notes[0].startswith(note) if note else not notes), notes
