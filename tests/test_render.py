"""Rendering MIDI in stereo with FluidSynth, and mixing/mastering with pedalboard and pyloudnorm (real audio)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pretty_midi
import pytest

from agent.cli import main
from tools.contracts import Style
from tools.errors import TastemakerError
from tools.generate.sketch import render
from tools.generate.sketch.arranger import plan, to_midi
from tools.mixing.master import Master, finish, loudness, true_peak_db
from tools.render import check_soundfont, render_midi, render_parts

SR = 44100


def _two_instruments(pan_left: int, pan_right: int) -> pretty_midi.PrettyMIDI:
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    for program, pan, pitch in ((73, pan_left, 72), (56, pan_right, 67)):  # flute, trumpet: mono samples
        inst = pretty_midi.Instrument(program=program)
        inst.control_changes.append(pretty_midi.ControlChange(10, pan, 0.0))
        inst.notes += [pretty_midi.Note(90, pitch + i % 3, i * 0.5, i * 0.5 + 0.45) for i in range(8)]
        pm.instruments.append(inst)
    return pm


def test_parts_render_in_stereo_where_their_pans_put_them():
    left, right = render_parts(_two_instruments(0, 127), SR)
    assert left.shape == right.shape and left.shape[1] == 2
    assert np.abs(left[:, 0]).sum() > 1.5 * np.abs(left[:, 1]).sum()
    assert np.abs(right[:, 1]).sum() > 1.5 * np.abs(right[:, 0]).sum()
    centred = render_parts(_two_instruments(64, 64), SR)
    assert np.corrcoef(sum(centred).T)[0, 1] > np.corrcoef((left + right).T)[0, 1] + 0.2
    # same notes, same samples (a fresh synthesiser each piece)
    again = render_parts(_two_instruments(0, 127), SR)
    assert all(np.array_equal(a, b) for a, b in zip((left, right), again))


def test_render_midi_is_mono_and_peak_normalised():
    audio = render_midi(_two_instruments(0, 127))
    assert audio.ndim == 1 and abs(float(np.abs(audio).max()) - 0.89) < 1e-3


@pytest.mark.parametrize("bad", ["/etc/passwd", "/nonexistent.sf2"])
def test_a_file_that_is_not_a_soundfont_is_refused_not_rendered_half_silent(monkeypatch, bad, tmp_path, capsys):
    monkeypatch.setenv("TASTEMAKER_SOUNDFONT", bad)
    if bad == "/etc/passwd":
        with pytest.raises(TastemakerError, match="not a SoundFont"):
            check_soundfont(bad)
        with pytest.raises(TastemakerError, match="not a SoundFont"):
            render(plan(Style(genres={"rock": 1.0}), 2.0, seed=0))
    code = main(["generate", "rock", "--engine", "sketch", "--seconds", "2", "-o", str(tmp_path / "x.wav")])
    assert code != 0 and not (tmp_path / "x.wav").exists()
    assert "SoundFont" in capsys.readouterr().err


def test_master_meets_loudness_and_true_peak_and_removes_dc():
    t = np.arange(6 * SR) / SR
    kick = 0.9 * np.exp(-(t % 0.5) / 0.06) * np.sin(2 * np.pi * 55 * (t % 0.5))  # loud transients...
    bed = 0.05 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 277 * t) + np.sin(2 * np.pi * 3300 * t))
    mix = np.stack([kick + bed, kick + 0.8 * bed], axis=1)
    mix = (mix + 0.2).astype(np.float32)  # ...over a quiet chord, and a DC offset
    out = finish(mix, SR, len(mix), Master())
    assert out.shape == mix.shape
    assert abs(loudness(out, SR) + 14) < 0.5
    assert true_peak_db(out) <= -1.0
    assert np.abs(out.mean(axis=0)).max() < 0.002  # from 0.2 (what is left: the filter settling at the start)
    assert not finish(np.zeros_like(mix), SR, len(mix)).any()  # silence stays silence


def test_a_sketch_piece_is_stereo_mastered_and_has_its_pans_in_the_midi():
    arr = plan(Style(genres={"pop": 1.0}), 8.0, seed=3)
    pm = to_midi(arr)
    pans = {i.name: next(c.value for c in i.control_changes if c.number == 10) for i in pm.instruments}
    assert any(v != 64 for v in pans.values())
    assert all(any(c.number == 91 for c in i.control_changes) for i in pm.instruments)  # the reverb sends
    audio = render(arr)
    assert audio.shape == (8 * SR, 2)
    assert np.corrcoef(audio.T)[0, 1] < 0.95
    assert abs(loudness(audio, SR) + 14) < 1.0 and true_peak_db(audio) <= -1.0


def test_block_true_peaks_are_measured_where_they_could_reach_the_floor_and_bounded_elsewhere():
    from tools.mixing.master import BLOCK, block_true_peaks, true_peaks

    rng = np.random.default_rng(0)
    t = np.arange(3 * SR) / SR
    loud = (0.02 + 0.9 * (t % 1.0 < 0.1))[:, None]  # a loud tenth of every second, quiet otherwise
    audio = (loud * np.sin(2 * np.pi * 9000 * t[:, None] + rng.uniform(0, 6, 2))).astype(np.float32)
    exact = true_peaks(audio)
    exact = np.pad(exact, (0, -len(exact) % BLOCK)).reshape(-1, BLOCK).max(axis=1)
    peaks = block_true_peaks(audio, -6.0)
    measured = exact >= 10 ** (-6 / 20)
    assert measured.any() and (~measured).any()
    assert np.allclose(peaks[measured], exact[measured], rtol=1e-5)
    assert (peaks >= exact - 1e-6).all()  # never under the truth: a limiter working from them is never late
    assert true_peak_db(audio, -6.0) == pytest.approx(true_peak_db(audio), abs=1e-4)


def test_a_strip_skips_silence_processes_a_mono_part_once_and_pans_it_after(monkeypatch):
    from tools.mixing import strip as strips
    from tools.mixing.strip import Strip, process

    t = np.arange(8 * SR) / SR
    tone = (0.3 * np.sin(2 * np.pi * 330 * t) * ((t > 1) & (t < 2) | (t > 6) & (t < 7))).astype(np.float32)
    stem = np.stack([tone, tone], axis=1)
    strip = Strip(level_db=-20, highpass_hz=80, eq=(("peak", 1000, 3.0, 1.0),), compress=(6, 3.0))
    centre = process(stem, SR, strip)
    assert np.array_equal(centre[:, 0], centre[:, 1])
    assert not centre[int(3.5 * SR): int(5.5 * SR)].any()  # the long silence between is left silent
    # the same as running the whole stem through the chain: only the silence was skipped
    monkeypatch.setattr(strips, "QUIET_GAP_S", 100.0)
    whole = process(stem, SR, strip)
    monkeypatch.undo()
    assert np.abs(whole - centre).max() < 1e-3 * np.abs(centre).max()
    left = process(stem, SR, dataclasses.replace(strip, pan=-0.6))
    assert np.sqrt(np.mean(left[:, 0] ** 2)) > 3 * np.sqrt(np.mean(left[:, 1] ** 2))
    assert np.allclose(left[:, 0] ** 2 + left[:, 1] ** 2, 2 * centre[:, 0] ** 2, atol=1e-6)  # constant power


@pytest.mark.parametrize("burst_hz", [9000, 13000, 16000])
def test_the_master_keeps_a_bright_mix_under_the_ceiling_by_another_meter(burst_hz):
    # bright transients over a quiet bed: the limiter works at the ceiling, where the master's 48-tap meter read
    # up to 0.7 dB under scipy's longer polyphase interpolator (the realism judge's)
    from scipy.signal import resample_poly

    rng = np.random.default_rng(0)
    t = np.arange(6 * SR) / SR
    x = 0.1 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(len(t))
    burst = 0.9 * np.sin(2 * np.pi * burst_hz * np.arange(64) / SR + 0.7) * np.hanning(64)
    for start in range(0, len(t) - 64, SR // 8):
        x[start:start + 64] += burst
    mix = np.stack([x, np.roll(x, 3)], axis=1).astype(np.float32)
    out = finish(mix, SR, len(mix), Master())
    assert 20 * np.log10(np.abs(resample_poly(out, 4, 1, axis=0)).max()) <= -1.0
    assert abs(loudness(out, SR) + 14) < 1.2  # the peak-to-loudness ratio of this mix allows about -15 LUFS


def test_the_master_leaves_the_rooms_tone_under_a_pause_not_digital_silence():
    # a chord, two seconds of nothing, the chord again: a rendered stem writes exact zeros between notes, a
    # recording never does (the room's rumble is always there); the tone sits 30 dB under the mix, mostly low
    t = np.arange(6 * SR) / SR
    chord = 0.2 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 330 * t))
    chord[2 * SR:4 * SR] = 0.0
    mix = np.stack([chord, chord], axis=1).astype(np.float32)
    out = finish(mix, SR, len(mix), Master(), seed=1)
    pause = out[int(2.5 * SR):int(3.5 * SR)]
    music = out[int(0.5 * SR):int(1.5 * SR)]
    under = 20 * np.log10(np.sqrt(np.mean(pause ** 2)) / np.sqrt(np.mean(music ** 2)))
    assert -45 < under < -28, under
    spectrum = np.abs(np.fft.rfft(pause.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(pause), 1 / SR)
    assert spectrum[freqs < 300].sum() > 0.6 * spectrum.sum()  # a rumble, not a hiss
    assert np.corrcoef(pause.T)[0, 1] < 0.9  # two microphones, not one
    assert np.array_equal(out, finish(mix, SR, len(mix), Master(), seed=1))  # the same seed, the same room
    assert not np.array_equal(out, finish(mix, SR, len(mix), Master(), seed=2))
    quiet = finish(mix, SR, len(mix), dataclasses.replace(Master(), room_tone_db=None), seed=1)
    assert not quiet[int(2.5 * SR):int(3.5 * SR)].any()  # without it, the pause is digital silence


def test_a_piece_fades_into_the_rooms_tone_and_the_file_ends_without_a_click():
    t = np.arange(20 * SR) / SR  # long enough for the whole 1.5 s fade (a piece fades over 10% at most)
    chord = (0.2 * (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 660 * t))).astype(np.float32)
    mix = np.stack([chord, chord], axis=1)
    out = finish(mix, SR, len(mix), Master(fade_out_s=1.5), seed=1)
    # 0.12 to 0.1 s before the end the chord has faded out (its squared fade: 44 dB down) and the room, 30 dB under
    # the music, has not (faded with the band, the room would be 74 dB down there)
    rms = lambda a, b: float(np.sqrt(np.mean(out[int(a * SR):int(b * SR)] ** 2)))  # noqa: E731
    assert rms(19.88, 19.9) > 10 ** (-40 / 20) * rms(2, 18), 20 * np.log10(rms(19.88, 19.9) / rms(2, 18))
    assert np.abs(out[-1]).max() < 1e-4  # and the file ends in silence, the room faded over the last 0.1 s


def test_a_darker_master_takes_the_top_octaves_down_and_the_electronic_styles_have_it():
    from tools.generate.sketch.production import MASTERS

    rng = np.random.default_rng(0)
    noise = (0.1 * rng.standard_normal((4 * SR, 2))).astype(np.float32)

    def top_share(master):
        out = finish(noise, SR, len(noise), dataclasses.replace(master, room_tone_db=None))
        power = np.abs(np.fft.rfft(out.mean(axis=1))) ** 2
        freqs = np.fft.rfftfreq(len(out), 1 / SR)
        return 10 * np.log10(power[freqs > 8000].sum() / power[(freqs > 200) & (freqs < 2000)].sum())

    flat = top_share(Master())
    for style in ("electronic", "house", "techno"):  # 3-6 dB brighter than real electronic music above 4 kHz
        assert top_share(MASTERS[style]) < flat - 3, style
    assert top_share(MASTERS["rock"]) > flat - 1


def test_the_seed_picks_how_dark_an_electronic_record_is_and_a_mood_overrides_it():
    # the real electronic soundtracks run from bright to very dark (spectral centroid 220-4200 Hz); every seed of ours
    # had one tone (docs/sound.md, round 14). Successive seeds take four; "dark" asks for the darkest, "happy" for none
    from tools.generate.sketch.arranger import RECORD_TONES
    from tools.generate.sketch.production import produce

    tones = [plan(Style(genres={"techno": 1.0}), 4.0, seed).tone_hz for seed in range(4)]
    assert len(set(tones)) == 4 and None in tones, tones
    same_band = [plan(Style(genres={"techno": 1.0}), 4.0, seed) for seed in (3, 7, 11, 15)]  # techno's 4 bands
    assert len({a.lineup for a in same_band}) == 1 and len({a.tone_hz for a in same_band}) == 4
    assert {plan(Style(genres={"electronic": 1.0}, moods={"dark": 0.8}), 4.0, s).tone_hz for s in range(4)} == \
        {RECORD_TONES[-1]}
    assert {plan(Style(genres={"techno": 1.0}, moods={"happy": 0.8}), 4.0, s).tone_hz for s in range(4)} == {None}
    for style in ("house", "rock", "classical"):  # house keeps its tone: the tagger heard it darker as techno
        assert {plan(Style(genres={style: 1.0}), 4.0, s).tone_hz for s in range(4)} == {None}, style

    darkest = next(plan(Style(genres={"techno": 1.0}), 4.0, s) for s in range(4) if tones[s] == RECORD_TONES[-1])
    pm = to_midi(darkest)

    def top_share(y):  # the mix's power over 4 kHz against 200-1000 Hz
        power = np.abs(np.fft.rfft(y.mean(axis=1))) ** 2
        hz = np.fft.rfftfreq(len(y), 1 / SR)
        return 10 * np.log10(power[hz > 4000].sum() / power[(hz > 200) & (hz < 1000)].sum())

    dark = produce(darkest, pm, rate=SR)
    as_mixed = produce(dataclasses.replace(darkest, tone_hz=None), pm, rate=SR)
    assert top_share(dark) < top_share(as_mixed) - 6, (top_share(dark), top_share(as_mixed))
    assert abs(loudness(dark, SR) + 14) < 0.5 and true_peak_db(dark) <= -1.0  # still mastered as every piece is


@pytest.mark.parametrize("seconds", [0.3, 0.45, 3.0, 20.0])
def test_the_masters_own_loudness_reading_is_the_meters(seconds):
    """The master reads the loudness from the K-weighted power it already has (no second filtering): the same
    figure as pyloudnorm's meter on quiet, loud and gated passages, and -inf where no 400 ms block fits."""
    from tools.mixing.master import _weighted_power, gated_loudness

    n = int(seconds * SR)
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((n, 2)) * np.linspace(0.001, 0.5, n)[:, None]).astype(np.float32)
    x[: n // 3] *= 0.001  # a stretch under the relative gate
    ours = gated_loudness(_weighted_power(x, SR), SR)
    if seconds < 0.4:
        assert ours == -np.inf
    else:
        assert abs(ours - loudness(x, SR)) < 0.001, (ours, loudness(x, SR))


def test_the_peak_over_the_channels_is_the_largest_of_each_frame():
    from tools.mixing.master import _channel_peak

    x = np.random.default_rng(4).standard_normal((1000, 2)).astype(np.float32)
    assert np.array_equal(_channel_peak(x), np.abs(x).max(axis=1))
    assert np.array_equal(_channel_peak(x[:, :1]), np.abs(x[:, 0]))


def _piano(pedal_down_at: float | None) -> pretty_midi.Instrument:
    inst = pretty_midi.Instrument(program=0)
    inst.notes.append(pretty_midi.Note(90, 60, 0.0, 0.2))
    if pedal_down_at is not None:
        inst.control_changes.append(pretty_midi.ControlChange(64, 127, pedal_down_at))
    return inst


def test_the_sustain_pedal_holds_a_note_and_does_not_leak_into_the_next_part():
    """A pedalled piano rings on after its key is let go; the next part played on the same preset (a solo piano's
    tune after its pedalled chords) starts with the pedal up, as a channel's other controllers do."""
    def rms(stem, start_s, end_s):
        return float(np.sqrt(np.mean(stem[int(start_s * SR): int(end_s * SR)] ** 2)))

    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    pm.instruments += [_piano(pedal_down_at=0.05), _piano(pedal_down_at=None)]
    held, after = render_parts(pm, SR, seconds=3.0)
    assert rms(held, 1.0, 2.0) > 10 * rms(after, 1.0, 2.0)  # pedalled: still sounding 0.8 s after the key


def test_a_solo_pianist_changes_the_pedal_with_the_harmony_only():
    from tools.generate.sketch import performance as P

    arr = plan(Style(instruments={"piano": 1.0, "solo": 1.0}), 20.0, seed=1)
    pm = to_midi(arr)
    comp = next(i for i in pm.instruments if "comp" in i.name)
    pedal = [(c.time, c.value) for c in comp.control_changes if c.number == P.SUSTAIN]
    assert pedal[0][1] == 127 and pedal[-1] == (arr.seconds, 0)
    assert all(a[1] != b[1] for a, b in zip(pedal, pedal[1:]))  # up, down, up, down: never twice the same way
    for t, value in pedal[1:-1]:  # changed at bar lines: lifted just before one, put down just after it
        offset = (t + (0.01 if value == 0 else -0.04)) / arr.bar_seconds
        assert abs(offset - round(offset)) < 1e-6, (t, value)
    lead = next(i for i in pm.instruments if "lead" in i.name)
    assert not any(c.number == P.SUSTAIN for c in lead.control_changes)  # the tune stays clear
    band = to_midi(plan(Style(genres={"pop": 1.0}, instruments={"piano": 1.0}), 20.0, seed=1))
    assert not any(c.number == P.SUSTAIN for i in band.instruments for c in i.control_changes)
