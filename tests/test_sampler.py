"""The drum sampler (tools/sampler.py) and the sample kits that play the sketch engine's electronic drums."""

from __future__ import annotations

import numpy as np
import pretty_midi
import pytest
import soundfile as sf

from tools.generate.sketch.instruments import SAMPLED_KITS, sample_kit_for
from tools.sampler import SampleKit, load_sample, play, velocity_gain

SR = 44100


def _decay(seconds: float, hz: float, rate: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.8 * np.sin(2 * np.pi * hz * t) * np.exp(-t / (seconds / 4))).astype(np.float32)


@pytest.fixture
def kit(tmp_path) -> SampleKit:
    sf.write(tmp_path / "kick.wav", _decay(0.3, 60), SR)  # mono: played in both channels
    sf.write(tmp_path / "open.wav", np.stack([_decay(0.8, 7000), _decay(0.8, 7100)], axis=1), SR)
    sf.write(tmp_path / "closed.wav", _decay(0.05, 9000), SR)
    return SampleKit("test", str(tmp_path), ((36, "kick.wav", 0.5), (46, "open.wav", 1.0), (42, "closed.wav", 1.0)))


def test_each_hit_is_its_sample_at_its_note_scaled_by_the_kits_gain_and_the_velocity(kit):
    notes = [pretty_midi.Note(100, 36, 0.25, 0.3), pretty_midi.Note(64, 36, 1.0, 1.05)]
    out = play(notes, kit, SR * 2, SR)
    kick = load_sample(kit.folder + "/kick.wav", SR)
    first, second = int(0.25 * SR), SR
    assert not out[:first].any()  # nothing before the first note
    assert np.allclose(out[first:first + len(kick)], kick * 0.5 * velocity_gain(100), atol=1e-6)
    assert np.allclose(out[second:second + len(kick)], kick * 0.5 * velocity_gain(64), atol=1e-6)
    assert velocity_gain(64) < 0.3 * velocity_gain(127)  # soft is much quieter: the square law


def test_a_closed_hat_shuts_the_open_hat_still_ringing(kit):
    notes = [pretty_midi.Note(100, 46, 0.0, 0.1), pretty_midi.Note(100, 42, 0.2, 0.25)]
    out = play(notes, kit, SR, SR)
    shut = int(0.2 * SR)
    closed_len = len(load_sample(kit.folder + "/closed.wav", SR))
    assert np.abs(out[: shut - 300]).max() > 0.1  # the open hat rang until then
    assert not out[shut + closed_len:].any()  # after the closed hat's own sound: nothing (the open hat was 0.8 s)
    alone = play(notes[:1], kit, SR, SR)
    assert np.abs(alone[shut + closed_len:]).max() > 0.01  # and without the closed hat it would still ring


def test_a_sample_at_another_rate_is_resampled_and_a_hit_at_the_end_is_cut_without_a_click(kit):
    kick = load_sample(kit.folder + "/kick.wav", 22050)
    assert len(kick) == pytest.approx(0.3 * 22050, abs=2)
    out = play([pretty_midi.Note(127, 36, 0.9, 1.0)], kit, SR, SR)  # 0.3 s of sample, 0.1 s of piece left
    assert abs(out[-1]).max() < 1e-4 < np.abs(out[-2000:-1000]).max()


@pytest.mark.skipif(not SAMPLED_KITS[25].installed(), reason="Debian hydrogen-drumkits is not installed")
def test_the_sketch_engines_808_plays_the_sample_kit_and_its_own_soundfont_when_the_person_set_one(monkeypatch):
    from tools.generate.sketch.production import _render_placed
    from tools.render import SOUNDFONT_CANDIDATES

    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    drums = pretty_midi.Instrument(program=25, is_drum=True, name="drums")
    drums.notes = [pretty_midi.Note(127, 36, 0.5, 0.6), pretty_midi.Note(110, 75, 1.0, 1.1)]  # a kick, claves
    pm.instruments.append(drums)
    kit = SAMPLED_KITS[25]
    [(file, gain)] = [(f, g) for k, f, g in kit.hits if k == 36]
    kick = load_sample(f"{kit.folder}/{file}", SR) * gain
    start = int(0.5 * SR)

    [stem] = _render_placed(pm, SR, [None], 2.0)
    assert np.allclose(stem[start:start + len(kick)], kick, atol=1e-6)  # the kick is the kit's sample
    assert np.abs(stem[SR:SR + 4000]).max() > 0.01  # the claves, which the kit lacks, still sound (FluidSynth)

    monkeypatch.setenv("TASTEMAKER_SOUNDFONT", SOUNDFONT_CANDIDATES[0])
    assert sample_kit_for(25, True) is None
    [own] = _render_placed(pm, SR, [None], 2.0)
    assert np.abs(own[start:start + 2000]).max() > 0.01  # played, by the person's SoundFont
    assert not np.allclose(own[start:start + len(kick)], kick, atol=1e-3)


def test_a_missing_pack_leaves_the_general_midi_kit(monkeypatch, tmp_path):
    from tools.generate.sketch import instruments

    monkeypatch.setitem(instruments.SAMPLED_KITS, 25, SampleKit("gone", str(tmp_path / "nowhere"),
                                                                ((36, "kick.flac", 1.0),)))
    assert sample_kit_for(25, True) is None
    assert sample_kit_for(0, True) is None and sample_kit_for(25, False) is None  # an acoustic kit; a piano


@pytest.mark.skipif(not SAMPLED_KITS[24].installed(), reason="Debian hydrogen-drumkits is not installed")
def test_techno_plays_the_sampled_drum_machine_and_dance_keeps_the_general_midi_one():
    from tools.contracts import Style
    from tools.generate.sketch.arranger import plan, to_midi
    from tools.generate.sketch.production import _render_placed, parts_for_mix

    for style, sampled in (("techno", True), ("dance", False)):
        arr, pm = next((a, p) for a, p in ((a, to_midi(a)) for a in (plan(Style(genres={style: 1.0}), 6.0, seed)
                                                                    for seed in range(8)))
                       if any(i.is_drum and i.program in SAMPLED_KITS for i in p.instruments))
        k = next(i for i, inst in enumerate(pm.instruments) if inst.is_drum)
        stems, _ = parts_for_mix(arr, pm, SR)
        general_midi = _render_placed(pm, SR, [None] * len(pm.instruments), arr.seconds + 0.01,
                                      [None] * len(pm.instruments))
        assert np.abs(stems[k]).max() > 0.01
        assert np.allclose(stems[k], general_midi[k], atol=1e-6) is not sampled, style


def test_a_damaged_sample_is_one_clear_error_naming_it(tmp_path):
    from tools.errors import TastemakerError

    (tmp_path / "kick.flac").write_text("not a sample")
    broken = SampleKit("broken", str(tmp_path), ((36, "kick.flac", 1.0),))
    with pytest.raises(TastemakerError) as raised:
        play([pretty_midi.Note(100, 36, 0.0, 0.1)], broken, SR, SR)
    said = str(raised.value)
    assert "kick.flac" in said and "Reinstall the package" in said and "upload" not in said and "\n" not in said
