"""tools.taste: features from real rendered audio, text outranking clips, persistence and feedback."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pretty_midi
import pytest

from tools.audio import clip_from_array
from tools.contracts import Generation, Tags, TasteProfile
from tools.render import render_midi
from tools.taste import (
    apply_feedback,
    build_profile,
    estimate_key,
    estimate_tempo,
    explain,
    feedback_count,
    load_profile,
    record_feedback,
    save_profile,
)


def _render(program: int, chords: list[list[int]], seconds: float = 10.0, bpm: float = 100.0,
            drums: bool = False) -> np.ndarray:
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    inst = pretty_midi.Instrument(program)
    beat = 60.0 / bpm
    t, i = 0.0, 0
    while t < seconds:
        for p in chords[i % len(chords)]:
            inst.notes.append(pretty_midi.Note(90, p, t, t + 2 * beat))
        t += 2 * beat
        i += 1
    pm.instruments.append(inst)
    if drums:
        kit = pretty_midi.Instrument(0, is_drum=True)
        for b in range(int(seconds / beat)):
            kit.notes.append(pretty_midi.Note(120, 36 if b % 2 == 0 else 38, b * beat, b * beat + 0.1))
        pm.instruments.append(kit)
    return render_midi(pm, 22050)


A_MINOR = [[69, 72, 76], [65, 69, 72], [64, 68, 71], [69, 72, 76]]  # Am F E Am, violin register


@pytest.fixture(scope="module")
def strings_clip():
    return clip_from_array(_render(48, A_MINOR), 22050, "strings.wav")


def test_key_and_tempo_from_audio(strings_clip):
    key, mode, clarity = estimate_key(strings_clip.samples, strings_clip.sample_rate)
    assert (key, mode) == ("A", "minor") and clarity > 0.5
    drums = _render(0, [[60]], seconds=12.0, bpm=120.0, drums=True)
    assert abs(estimate_tempo(drums, 22050) - 120.0) < 4.0


def test_profile_from_clip_then_words_outrank(strings_clip):
    from_clip = build_profile([strings_clip])
    assert next(iter(from_clip.genres)) == "classical" and from_clip.genres["classical"] == pytest.approx(0.8)
    assert from_clip.key == "A" and from_clip.mode == "minor"
    both = build_profile([strings_clip], "energetic rock with guitar, no vocals, a song about a rainy city")
    assert max(both.genres, key=both.genres.get) == "rock"
    assert both.genres["rock"] > both.genres.get("classical", 0.0)
    assert "vocals" in both.avoid and "vocals" not in both.instruments
    assert both.energy is not None and both.energy >= 0.65
    assert any("rainy" in t for t in both.themes)
    line = explain(both)
    assert line.startswith("rock") and "no vocals" in line


def test_a_sentence_that_names_no_genre_keeps_the_clips_genres(strings_clip):
    # 'for the gym' names no genre: what the music is for implies dance (before that, the sentence's nearest genre
    # by meaning was new age), a guess that must not push the clip's classical aside. The words still count: the
    # gym is energetic.
    profile = build_profile([strings_clip], "something for the gym")
    assert next(iter(profile.genres)) == "classical" and profile.genres["classical"] == pytest.approx(0.8)
    assert "new age" not in profile.genres or profile.genres["new age"] < 0.5
    assert profile.moods.get("energetic", 0.0) >= 0.5 and "gym" in profile.themes
    # with no clip, the guess is all there is to go on, and is used
    assert build_profile([], "something for the gym").genres


def test_two_clips_share_genres(strings_clip):
    other = clip_from_array(_render(48, A_MINOR, bpm=80.0), 22050, "strings2.wav")
    profile = build_profile([strings_clip, other])
    assert "classical" in profile.shared
    assert profile.clips == ["strings.wav", "strings2.wav"]


def test_profiles_survive_a_restart():
    profile = TasteProfile(genres={"jazz": 0.8}, tempo=95.0, avoid=["drums"], themes=["late night"])
    save_profile("ada", profile)
    code = "from tools.taste import load_profile; import json, dataclasses; " \
           "print(json.dumps(dataclasses.asdict(load_profile('ada'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    restored = json.loads(out)
    assert restored["genres"] == {"jazz": 0.8} and restored["avoid"] == ["drums"] and restored["tempo"] == 95.0
    assert load_profile("nobody") is None


def test_feedback_moves_the_profile():
    profile = TasteProfile(genres={"rock": 0.5, "jazz": 0.5})
    gen = Generation("x.wav", 32000, "sketch", "sketch-1", "jazz", 1, tags=Tags("genres", {"jazz": 0.6, "blues": 0.3}))
    liked = apply_feedback(profile, gen, liked=True)
    disliked = apply_feedback(profile, gen, liked=False)
    assert liked.genres["jazz"] > 0.5 > disliked.genres["jazz"]
    assert liked.genres["rock"] == disliked.genres["rock"] == 0.5
    save_profile("bo", profile)
    updated = record_feedback("bo", gen, liked=True)
    assert load_profile("bo").genres == updated.genres and updated.genres["jazz"] > 0.5
    assert feedback_count("bo") == {"liked": 1, "disliked": 0}


def test_energy_is_what_the_tagger_hears_more_than_how_loud_it_is(strings_clip):
    from tools.taste.analysis import energy_of, loudness_of

    y = strings_clip.samples
    loud = loudness_of(y)
    assert 0.7 < loud < 1.0  # a loud clip...
    assert energy_of(y, {"calm": 0.4, "energetic": 0.01}) < 0.35  # ...that sounds calm is calm
    assert energy_of(y, {"calm": 0.02, "energetic": 0.3}) > 0.65
    assert energy_of(y, {"happy": 0.2}) == pytest.approx(loud)  # no opinion either way: loudness decides
    assert energy_of(0.01 * y, {"calm": 0.02, "energetic": 0.3}) < energy_of(y, {"calm": 0.02, "energetic": 0.3})


def test_the_explanation_never_says_energetic_and_calm_at_once():
    line = explain(TasteProfile(genres={"classical": 0.8}, moods={"calm": 0.8, "beautiful": 0.6}, energy=0.8))
    assert "energetic" in line and "calm" not in line and "beautiful" in line
    assert "calm" in explain(TasteProfile(moods={"calm": 0.8}))  # no energy figure: the mood says it


def test_the_taste_line_says_each_weight_as_its_chart_bar_does():
    """'rock 0.3' was said beside a chart bar labelled 0.35 (one decimal, rounded half to even)."""
    line = explain(TasteProfile(genres={"jazz": 1.0, "rock": 0.35, "blues": 0.8}))
    assert line.startswith("jazz 1.0, rock 0.35, blues 0.8"), line
