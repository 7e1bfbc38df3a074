"""tools.prompting: profile -> weighted prompt (deterministic) and sketch Style."""

from __future__ import annotations

from tools.contracts import TasteProfile
from tools.prompting import profile_to_prompt, profile_to_style, strength_word


def _profile() -> TasteProfile:
    return TasteProfile(
        genres={"rock": 0.8, "indie": 0.5, "electronic": 0.3, "jazz": 0.1},
        tempo=120.4, key="A", mode="minor", energy=0.8,
        moods={"happy": 0.6, "sad": 0.1}, instruments={"guitar": 0.7, "drums": 0.5, "vocals": 0.6},
        avoid=["vocals"], themes=["a song about two strangers meeting in a rainy city"],
    )


def test_strength_bands():
    assert [strength_word(w) for w in (0.95, 0.7, 0.69, 0.4, 0.39, 0.2, 0.19)] == [
        "strongly", "strongly", "moderate", "moderate", "subtle", "subtle", None]


def test_prompt_is_weighted_ordered_and_deterministic():
    prompt = profile_to_prompt(_profile())
    assert prompt == (
        "strongly rock (0.8), moderate indie (0.5), subtle electronic (0.3), ~120 BPM, in A minor, energetic, "
        "happy mood, featuring guitar and drums, no vocals. a song about two strangers meeting in a rainy city"
    )
    assert profile_to_prompt(_profile()) == prompt
    assert "jazz" not in prompt  # under the lowest band


def test_calm_profile_and_mode_only():
    prompt = profile_to_prompt(TasteProfile(genres={"ambient": 0.9}, mode="major", energy=0.2))
    assert prompt == "strongly ambient (0.9), major key, calm and gentle"


def test_style_for_the_sketch_engine():
    style = profile_to_style(_profile())
    assert style.genres == {"rock": 0.8, "indie": 0.5, "electronic": 0.3}
    assert style.tempo == 120.4 and style.key == "A" and style.mode == "minor" and style.energy == 0.8
    assert "vocals" not in style.instruments and style.avoid == ["vocals"]


def test_energy_moods_never_contradict_the_energy_figure():
    mixed = TasteProfile(genres={"classical": 0.8}, moods={"calm": 0.6, "energetic": 0.5, "sad": 0.45}, energy=0.5)
    prompt = profile_to_prompt(mixed)
    assert "calm" not in prompt and "energetic" not in prompt and "sad mood" in prompt
    lively = profile_to_prompt(TasteProfile(genres={"rock": 0.8}, moods={"calm": 0.6}, energy=0.9))
    assert "energetic" in lively and "calm" not in lively
