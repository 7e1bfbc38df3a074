"""The sketch engine: real arrangements, real FluidSynth rendering, judged by the real pretrained tagger."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from agent.cli import main
from tools.audio import clip_from_array, write_wav
from tools.contracts import Style
from tools.errors import TastemakerError
from tools.generate import GenerationRequest, generate
from tools.generate.sketch import render
from tools.generate.sketch.arranger import plan, to_midi
from tools.generate.sketch.conditioning import from_audio, from_midi
from tools.generate.sketch import form
from tools.generate.sketch import styles as S
from tools.generate.sketch.styles import STYLES
from tools.generate.sketch.theory import NOTE_NAMES, SCALES, estimate_key, parse_roman, pitch_class
from tools.genres import GENRES
from tools.tagger import tag_full

SR = 44100


def _key_of(pm: pretty_midi.PrettyMIDI) -> tuple[int, str]:
    hist = np.zeros(12)
    for inst in pm.instruments:
        if not inst.is_drum:
            for n in inst.notes:
                hist[n.pitch % 12] += n.end - n.start
    tonic, mode, _ = estimate_key(hist)
    return tonic, mode


def test_style_book_has_twelve_plus_vocabulary_styles_that_all_plan():
    assert len(STYLES) >= 12 and set(STYLES) <= set(GENRES)
    for name, spec in STYLES.items():
        assert spec.tempo[0] < spec.tempo[1] and spec.progressions and spec.parts
        for mode in ("major", "minor"):
            arr = plan(Style(genres={name: 1.0}, mode=mode), 20.0, seed=0)
            assert arr.mode == mode
            for chord in arr.progression:
                parse_roman(chord, arr.tonic, arr.mode)  # every chord symbol is valid in the key


def test_same_seed_same_audio_and_exact_duration():
    style = Style(genres={"rock": 1.0})
    a = render(plan(style, 4.0, seed=7))
    b = render(plan(style, 4.0, seed=7))
    c = render(plan(style, 4.0, seed=8))
    assert len(a) == 4 * SR and np.array_equal(a, b)
    assert not np.array_equal(a, c)
    # mastered: rock is a loud record turned down (limited at -6.5 dBTP, then -14 LUFS), never clipped
    assert 10 ** (-10 / 20) < np.abs(a).max() <= 10 ** (-1 / 20)


def test_honours_tempo_key_mode_and_energy():
    arr = plan(Style(genres={"pop": 1.0}, tempo=100, key="D", mode="minor", energy=0.9), 12.0, seed=1)
    assert (arr.tempo, arr.tonic, arr.mode) == (100, 2, "minor")
    pm = to_midi(arr)
    assert _key_of(pm) in ((2, "minor"), (5, "major"))  # D minor (or its relative, F major)
    in_key = {(2 + s) % 12 for s in SCALES["minor"]}
    bass = next(i for i in pm.instruments if i.name.endswith("bass (pop)"))
    assert all(n.pitch % 12 in in_key for n in bass.notes)
    calm = to_midi(plan(Style(genres={"pop": 1.0}, tempo=100, energy=0.1), 12.0, seed=1))
    loud_v = np.mean([n.velocity for i in pm.instruments for n in i.notes])
    calm_v = np.mean([n.velocity for i in calm.instruments for n in i.notes])
    assert loud_v > calm_v + 10
    slow = plan(Style(genres={"rock": 1.0}, energy=0.05), 12.0, seed=3)
    fast = plan(Style(genres={"rock": 1.0}, energy=0.95), 12.0, seed=3)
    assert slow.tempo < fast.tempo


def test_sections_for_longer_pieces():
    arr = plan(Style(genres={"rock": 1.0}, tempo=120), 60.0, seed=0)
    kinds = [k for k, _, _ in arr.sections]
    assert kinds[0] == "intro" and kinds[-1] == "outro" and {"verse", "chorus"} <= set(kinds)
    assert arr.bars * arr.bar_seconds >= 60.0
    short = plan(Style(genres={"rock": 1.0}, tempo=120), 4.0, seed=0)
    assert [k for k, _, _ in short.sections] == ["verse"]


def test_weighted_genres_blend_into_one_arrangement():
    arr = plan(Style(genres={"rock": 0.8, "electronic": 0.3}), 20.0, seed=2)
    assert arr.primary == "rock" and set(arr.blend) == {"rock", "electronic"}
    assert arr.blend["rock"] > arr.blend["electronic"]
    programs = {v.program for v in arr.voices}
    assert 29 in programs  # rock's overdriven guitar
    assert programs & {80, 81, 90}  # electronic's synths
    assert plan(Style(genres={"rock": 0.95, "electronic": 0.05}), 20.0, seed=2).blend == {"rock": 1.0}


def test_instruments_and_negations():
    arr = plan(Style(genres={"pop": 1.0}, instruments={"flute": 1.0}, avoid=["drums", "vocals"]), 12.0, seed=4)
    pm = to_midi(arr)
    assert not any(i.is_drum for i in pm.instruments)
    programs = {i.program for i in pm.instruments}
    assert 73 in programs and not programs & {52, 53, 54}
    with_drums = to_midi(plan(Style(genres={"ambient": 1.0}, instruments={"drums": 1.0}), 12.0, seed=4))
    assert any(i.is_drum for i in with_drums.instruments)
    with pytest.raises(TastemakerError, match="not a key"):
        plan(Style(genres={"pop": 1.0}, key="H"), 5.0, seed=0)


def _reference_midi(path) -> None:
    """A MIDI in A minor at 90 BPM: Am Dm E Am, one bar each, with a melody on top."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=90)
    bar = 4 * 60 / 90
    chords = pretty_midi.Instrument(program=0)
    for b, triad in enumerate([(57, 60, 64), (50, 53, 57), (52, 56, 59), (45, 57, 64)] * 2):
        for p in triad:
            chords.notes.append(pretty_midi.Note(80, p, b * bar, (b + 1) * bar))
    melody = pretty_midi.Instrument(program=73)
    for i, p in enumerate([76, 74, 72, 71, 69, 72, 76, 77]):
        melody.notes.append(pretty_midi.Note(90, p, i * bar / 4, (i + 1) * bar / 4 - 0.02))
    pm.instruments += [chords, melody]
    pm.write(str(path))


def test_midi_reference_lends_tempo_key_progression_and_motif(tmp_path):
    _reference_midi(tmp_path / "ref.mid")
    ref = from_midi(tmp_path / "ref.mid")
    assert ref.tempo == pytest.approx(90) and (ref.tonic, ref.mode) == (9, "minor")
    assert ref.progression == ["i", "iv", "V", "i"]
    assert ref.motif and [deg for _, _, deg in ref.motif] == [0, -1, -2, -3, -4, -2, 0, 1]
    arr = plan(Style(genres={"folk": 1.0}), 16.0, seed=0, reference=ref)
    assert (arr.tempo, arr.tonic, arr.mode, arr.progression) == (90, 9, "minor", ["i", "iv", "V", "i"])
    assert arr.motif == ref.motif
    # the note a person reads: the reference may be their own earlier piece, never shown to them as "MIDI"
    assert "its tune grows from the melody of the piece it is based on" in arr.notes
    assert not any("MIDI" in note for note in arr.notes)
    # the lead plays the motif's rhythm: onsets every quarter note from the first bar
    lead = next(i for i in to_midi(arr).instruments if "lead" in i.name)
    beat = 60 / 90
    first = sorted(n.start for n in lead.notes)[:4]
    assert np.allclose(np.diff(first), beat, atol=0.03)
    with pytest.raises(TastemakerError):
        from_midi(tmp_path / "missing.mid")


def test_audio_reference_lends_tempo_and_key(tmp_path, monkeypatch):
    # rendered with the General MIDI kit: the AVL acoustic kit's toms ring near F and pull this key estimate
    # (Krumhansl-Kessler on the whole chroma) to C major (a known limit, docs/sound.md)
    from tools.render import SOUNDFONT_CANDIDATES

    monkeypatch.setenv("TASTEMAKER_SOUNDFONT", SOUNDFONT_CANDIDATES[0])
    audio = render(plan(Style(genres={"rock": 1.0}, tempo=120, key="E", mode="minor"), 12.0, seed=5))
    path = write_wav(tmp_path / "ref.wav", audio, SR)
    ref = from_audio(path)
    assert ref.tempo == pytest.approx(120, rel=0.05) or ref.tempo == pytest.approx(60, rel=0.05)
    assert (ref.tonic, ref.mode) in ((4, "minor"), (7, "major"))
    assert len(ref.chroma) == 12 and ref.progression
    [g] = generate(GenerationRequest(prompt="folk", seconds=3.0, seed=1, engine="sketch", like=str(path),
                                     output=str(tmp_path / "folk.wav")))
    assert g.conditioning["reference"]["kind"] == "audio"
    assert g.conditioning["tempo"] == pytest.approx(ref.tempo)


def test_generate_writes_wav_midi_and_sidecar(tmp_path):
    results = generate(GenerationRequest(prompt="calm piano for a rainy night", seconds=3.0, seed=21,
                                         candidates=2, engine="sketch"))
    assert [g.seed for g in results] == [21, 22]
    for g in results:
        assert g.engine == "sketch" and g.model.startswith("sketch-2") and g.sample_rate == SR
        assert g.duration == pytest.approx(3.0) and g.style is not None
        side = json.loads(Path(g.conditioning["sidecar"]).read_text())
        assert side["seed"] == g.seed and side["arrangement"]["instruments"]
        assert pretty_midi.PrettyMIDI(g.midi_path).instruments
        assert "generations" in g.audio_path
    assert results[0].audio_path != results[1].audio_path


def test_tagger_recognises_the_styles_floor():
    """A floor under the benchmark (benchmarks/generation.py, target 80%): 4 distinct styles, 10 s each."""
    hits = []
    for name in ("metal", "classical", "jazz", "techno"):
        audio = render(plan(Style(genres={name: 1.0}), 10.0, seed=0))
        top = [g for g, _ in tag_full(clip_from_array(audio, SR)).genres.top(5)]
        hits.append(name in top)
    assert sum(hits) >= 3, hits


def test_cli_generate_json_and_errors(tmp_path, capsys):
    out = tmp_path / "metal.wav"
    code = main(["generate", "heavy metal with fast drums", "--engine", "sketch", "--seconds", "3", "--seed", "1",
                 "--json", "-o", str(out)])
    record = json.loads(capsys.readouterr().out)
    assert code == 0 and record["engine"] == "sketch" and record["path"] == str(out) and out.is_file()
    assert set(record) == {"engine", "model", "path", "sample_rate", "duration_s", "seed", "prompt", "midi_path"}
    code = main(["generate", "jazz", "--engine", "sketch", "--seconds", "2", "--candidates", "2", "--json"])
    assert code == 0 and len(json.loads(capsys.readouterr().out)) == 2
    assert main(["generate", "jazz", "--seconds", "0"]) == 2
    assert "out of range" in capsys.readouterr().err
    assert main(["generate", "jazz", "--engine", "sketch", "--midi", str(tmp_path / "nope.mid")]) == 2
    assert "does not exist" in capsys.readouterr().err
    for flag in ("--like", "--melody", "--midi"):  # a folder was said not to exist
        assert main(["generate", "jazz", "--engine", "sketch", flag, str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert "is a folder, not a file" in err and len(err.strip().splitlines()) == 1, err


def test_a_secondary_genre_lends_its_main_melody_voice_not_a_counter_line():
    # classical has two lead parts (the melody: violin, flute, oboe or clarinet; a horn answering it); lent to
    # jazz, the melody's player takes it, never the horn
    melody = next(p for p in S.STYLES["classical"].parts if p.role == "lead")
    for seed in range(4):
        arr = plan(Style(genres={"jazz": 0.8, "classical": 0.6}), 8.0, seed=seed)
        leads = [(v.program, v.style) for v in arr.voices if v.role == "lead"]
        assert arr.primary == "jazz" and len(leads) == 1 and leads[0][1] == "classical"
        assert leads[0][0] in melody.programs and leads[0][0] != 60


def test_hip_hop_is_rapped_and_the_voice_is_what_the_tagger_hears_as_hip_hop():
    arr = plan(Style(genres={"hip-hop": 1.0}), 10.0, seed=1)
    assert [bar for bar, _ in arr.vocals] == list(range(arr.bars)), "a line on every bar"
    assert not any(v.role == "lead" for v in arr.voices), "the rapper is the melody"
    rapped = render(arr)
    assert np.array_equal(rapped, render(plan(Style(genres={"hip-hop": 1.0}), 10.0, seed=1)))  # same seed, same audio
    instrumental = plan(Style(genres={"hip-hop": 1.0}), 10.0, seed=1)
    instrumental.vocals = []
    with_voice = tag_full(clip_from_array(rapped, SR)).genres
    without = tag_full(clip_from_array(render(instrumental), SR)).genres
    assert "hip-hop" in [g for g, _ in with_voice.top(3)], with_voice.top(5)
    assert with_voice.probabilities["hip-hop"] > 0.1 > 0.05 > without.probabilities["hip-hop"]


def test_rapped_words_start_on_the_sixteenth_note_grid():
    import librosa

    from tools.generate.sketch.rap import FILL, fit_line, render_rap

    RAP_SR = 32000  # the onset detector's hop (128 samples) as it was tuned

    def on_grid(arr, voice):  # the share of the voice's onsets within 25 ms of a (swung) 16th note
        onsets = librosa.onset.onset_detect(y=voice, sr=RAP_SR, units="time", hop_length=128, backtrack=True)
        grid = np.array([arr.grid_time(bar, step) for bar in range(arr.bars) for step in range(arr.beats * 4)])
        return float(np.mean([np.abs(grid - t).min() < 0.025 for t in onsets]))

    arr = plan(Style(genres={"hip-hop": 1.0}), 10.0, seed=0)
    spoken_lines = np.zeros(round(arr.seconds * RAP_SR), dtype=np.float32)  # each line read at its own pace instead
    for bar, text in arr.vocals:
        line = fit_line(text, FILL * arr.bar_seconds, RAP_SR)
        start = round(bar * arr.bar_seconds * RAP_SR)
        spoken_lines[start : start + len(line)] += line[: len(spoken_lines) - start]
    assert on_grid(arr, render_rap(arr, RAP_SR)) >= 0.6 > 0.45 > on_grid(arr, spoken_lines)


def test_rap_lyrics_name_the_themes_ride_in_the_midi_and_respect_no_vocals(tmp_path):
    g = generate(GenerationRequest(prompt="hip-hop about a rainy city", seconds=12.0, seed=3, engine="sketch"))[0]
    side = json.loads(Path(g.conditioning["sidecar"]).read_text())
    lines = [text for _, text in side["arrangement"]["vocals"]]
    assert any("rainy" in line and "city" in line for line in lines), lines  # the hook
    assert any(("rainy" in line or "city" in line) and "talk about" not in line for line in lines), "and a verse"
    lyrics = pretty_midi.PrettyMIDI(g.midi_path).lyrics
    assert [ly.text for ly in lyrics] == lines
    assert lyrics[1].time == pytest.approx(4 * 60 / side["arrangement"]["tempo"])  # the second line on bar 2
    for asked in ("instrumental hip-hop", "hip-hop, no vocals"):
        from tools.language import parse_text

        arr = plan(parse_text(asked).style, 8.0, seed=3)
        assert arr.vocals == [] and "no rap vocals, as asked" in arr.notes
    assert plan(Style(genres={"jazz": 1.0, "hip-hop": 0.2}), 8.0, seed=3).vocals == [], "a hint of hip-hop is not rapped"
    from tools.generate.sketch.rap import on_the_beat

    # themes in any script are words too (an ASCII-only split read "café" as "caf")
    hook = plan(Style(genres={"hip-hop": 1.0}), 6.0, seed=1, themes=["café", "東京"]).vocals[0][1]
    assert hook.startswith("café, 東京") and len(on_the_beat(hook, 16, 0.15, SR)) == 8


def test_without_a_working_espeak_hip_hop_stays_instrumental_and_says_why(monkeypatch):
    import tools.generate.sketch as sketch

    monkeypatch.setattr(sketch, "espeak", lambda: None)
    arr = plan(Style(genres={"hip-hop": 1.0}), 6.0, seed=2)
    audio = render(arr)
    assert np.array_equal(audio, sketch.render_band(arr, to_midi(arr)))
    assert any("espeak-ng is not installed" in n for n in arr.notes)
    # a speech program that fails (here /bin/false) leaves the piece instrumental too, never half-made
    monkeypatch.setattr(sketch, "espeak", lambda: "/bin/false")
    import tools.generate.sketch.rap as rap

    monkeypatch.setattr(rap, "espeak", lambda: "/bin/false")
    arr = plan(Style(genres={"hip-hop": 1.0}), 6.0, seed=2)
    assert np.array_equal(render(arr), audio)
    assert any("espeak-ng failed (CalledProcessError" in n for n in arr.notes)
    # one that runs but prints something that is not audio (here /bin/echo) likewise
    monkeypatch.setattr(rap, "espeak", lambda: "/bin/echo")
    arr = plan(Style(genres={"hip-hop": 1.0}), 6.0, seed=2)
    assert np.array_equal(render(arr), audio)
    assert any("espeak-ng failed (LibsndfileError" in n for n in arr.notes)


# ------------------------------------------------------------------ bugs found by listening (issue 12)

def _bar_levels_db(audio: np.ndarray, arr, sr: int) -> np.ndarray:
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    n = int(arr.bar_seconds * sr)
    bars = [mono[i * n:(i + 1) * n] for i in range(len(mono) // n)]
    return np.array([20 * np.log10(np.sqrt(np.mean(b ** 2)) + 1e-9) for b in bars])


def test_ambient_pad_holds_across_the_bar_line():
    # a two-bar pad pattern ('C' then 31 holds) was cut at the bar line: every second bar fell to -60 dBFS
    arr = plan(Style(genres={"ambient": 1.0}), 20.0, seed=0)
    pm = to_midi(arr)
    for inst in (i for i in pm.instruments if "pad" in i.name):
        for bar in range(arr.bars - 1):
            middle = (bar + 0.5) * arr.bar_seconds
            assert any(n.start <= middle < n.end for n in inst.notes), (inst.name, bar)
    audio = render(arr)
    levels = _bar_levels_db(audio, arr, len(audio) // round(arr.seconds))
    body = levels[:-1]  # the last bar fades out
    assert body.min() > levels.max() - 20, np.round(levels, 1)


@pytest.mark.parametrize("prompt", ["lofi", "deep house", "sad piano ballad"])
def test_no_dc_offset(tmp_path, prompt):
    import soundfile as sf

    for seed in (0, 1):
        [g] = generate(GenerationRequest(prompt=prompt, seconds=8.0, seed=seed, engine="sketch",
                                         output=str(tmp_path / "x.wav")))
        y, sr = sf.read(g.audio_path, always_2d=True)
        power = np.abs(np.fft.rfft(y.mean(axis=1))) ** 2
        freqs = np.fft.rfftfreq(len(y), 1 / sr)
        assert np.abs(y.mean(axis=0)).max() < 0.002, (prompt, seed, y.mean(axis=0))
        assert power[freqs < 20].sum() < 0.005 * power.sum(), (prompt, seed)


def test_funky_disco_is_not_deep_house():
    from tools.language import parse_text

    house = parse_text("deep house").style
    for prompt in ("funky disco", "disco"):  # 'disco' alone was the house style under another name
        disco = parse_text(prompt).style
        for seed in (0, 1, 2):
            a, b = plan(disco, 6.0, seed), plan(house, 6.0, seed)
            assert a.primary != "house" and b.primary == "house", (prompt, a.primary)
            assert {v.program for v in a.voices} != {v.program for v in b.voices}
            if seed == 0:
                assert not np.array_equal(render(a), render(b))


@pytest.mark.parametrize("prompt", ["relaxed jazz", "calm jazz", "sleepy jazz", "sad piano ballad"])
def test_calm_words_make_slow_sparse_pieces(prompt):
    from tools.language import parse_text

    style = parse_text(prompt).style
    lively = parse_text("energetic jazz").style
    for seed in range(4):
        arr = plan(style, 20.0, seed)
        assert arr.tempo <= 100 and arr.energy <= 0.35, (prompt, seed, arr.tempo, arr.energy)
        busy = [k for kind, pattern in arr.drums.items() if kind != "chorus"
                for k, p in pattern.items() if k in (S.HAT, S.RIDE) and p.count(".") < len(p) / 2]
        assert not busy, (prompt, arr.drums)
        assert plan(lively, 20.0, seed).tempo > arr.tempo + 30


def test_a_sad_piano_ballad_is_slow_and_its_tune_is_on_the_piano():
    """'a sad piano ballad' came out at 84-88 BPM (energy 0.25 sat high in pop's 62-96 ballad range), and a band
    whose keyboard is a Rhodes played the tune on it."""
    from tools.generate.sketch.arranger import ACOUSTIC_PIANOS
    from tools.language import parse_text

    style = parse_text("a sad piano ballad").style
    for seed in range(8):
        arr = plan(style, 20.0, seed)
        assert arr.tempo <= 78, (seed, arr.tempo)
        leads = [v.program for v in arr.voices if v.role == "lead"]
        assert leads and set(leads) <= set(ACOUSTIC_PIANOS), (seed, leads)
    # a band's electric piano is kept when a person asks for one
    rhodes = plan(Style(genres={"chillout": 1.0}, instruments={"electric piano": 1.0}), 10.0, seed=0)
    assert {v.program for v in rhodes.voices if v.role == "lead"} == {4}


def test_a_groove_asked_for_is_played_at_its_pace_or_said_why_not():
    """'bossa nova' was jazz's seed groove (swing or brushes at 140-160 BPM on three seeds of four); 'jazz with a trap
    beat' and 'rock with a half-time feel' kept their own drums without a word."""
    from tools.generate.request import fit_groove
    from tools.generate.sketch.styles import groove_asked
    from tools.language import parse_text
    from tools.language.words import GROOVE_WORDS

    for words, by_style in GROOVE_WORDS.items():  # every groove the words name is in the style book
        for style in by_style:
            assert groove_asked(words, style) is not False, (words, style)
    bossa = parse_text("a bossa nova").style
    for seed in range(4):
        arr = plan(bossa, 20.0, seed)
        assert arr.groove == "bossa nova" and 110 <= arr.tempo <= 140 and arr.swing == 0.0, (seed, arr.groove)
        assert "the bossa nova groove, as asked" in arr.notes
    trap = plan(parse_text("jazz with a trap beat").style, 20.0, 0)
    assert trap.primary == "jazz" and trap.groove.startswith("trap") and trap.kit == 25  # the 808, under the jazz band
    assert S.KICK in trap.drums["verse"] and trap.drums["verse"][S.HAT] == "x" * 16
    for seed in range(3):  # heard from the first bar: a 10 s blast-beat piece had no drums for its first 4.6 s
        blast = to_midi(plan(parse_text("metal with blast beats").style, 10.0, seed))
        assert min(n.start for i in blast.instruments if i.is_drum for n in i.notes) == 0.0
    calm = plan(Style(genres={"ambient": 1.0}, energy=0.2, groove="breakbeat"), 20.0, 0)
    assert any(calm.drums.values()), "a groove asked for brings its drums to calm ambient music"
    alone = plan(Style(genres={"jazz": 1.0}, instruments={"piano": 1.0, "solo": 1.0}, groove="bossa nova"), 10.0, 0)
    assert "no drums play in it, so no bossa nova groove" in alone.notes
    assert fit_groove("polka-step")[0] is None and "not a groove I know" in fit_groove("polka-step")[1][0]
    assert fit_groove("Bossa  Nova") == ("bossa nova", [])


def test_an_instrument_named_over_a_band_with_no_melody_part_plays_one():
    """review20: 'a saxophone solo over a funk band' put the sax among funk's horn stabs (funk's book has no melody)."""
    from tools.language import parse_text

    for seed in range(4):
        arr = plan(parse_text("a saxophone solo over a funk band").style, 12.0, seed)
        leads = [i for i, v in enumerate(arr.voices) if v.role == "lead"]
        assert [arr.voices[i].program for i in leads] == [65], (seed, [(v.role, v.program) for v in arr.voices])
        assert arr.primary == "funk" and "the saxophone plays the melody" in arr.notes
        tune = [t for t in to_midi(arr).instruments if t.name.startswith(f"{leads[0] + 1}.")]
        assert tune and len(tune[0].notes) >= 12


def test_a_piece_has_a_form_not_one_loop():
    arr = plan(Style(genres={"rock": 1.0}, tempo=120), 45.0, seed=0)
    kinds = [k for k, _, _ in arr.sections]
    assert kinds[0] == "intro" and kinds[-1] == "outro" and {"verse", "chorus", "bridge"} <= set(kinds)
    assert arr.section_chords["chorus"] != arr.section_chords["verse"] != arr.section_chords["bridge"]
    lead = next(i for i in to_midi(arr).instruments if "lead" in i.name)
    bar = arr.bar_seconds
    phrases = {}  # every two-bar phrase of the lead as (onset in the phrase, pitch): repeats are varied
    for n in lead.notes:
        phrases.setdefault(int(n.start // (2 * bar)), []).append((round((n.start % (2 * bar)) / bar * 8), n.pitch))
    shapes = [tuple(p) for p in phrases.values() if len(p) > 2]
    assert len(set(shapes)) == len(shapes), "no phrase of the melody is an exact copy of another"


def test_seeds_choose_instruments_layouts_and_kits():
    arrs = [plan(Style(genres={"rock": 1.0}), 40.0, seed=s) for s in range(8)]
    assert len({tuple(v.program for v in a.voices) for a in arrs}) > 1
    assert len({tuple(k for k, _, _ in a.sections) for a in arrs}) > 1
    assert len({a.kit for a in arrs}) > 1


def test_a_named_instrument_keeps_the_melody_from_a_lent_lead():
    from tools.generate.sketch.arranger import _family

    arr = plan(Style(genres={"rock": 0.6, "electronic": 0.4}, instruments={"guitar": 1.0}), 20.0, seed=0)
    leads = [v for v in arr.voices if v.role == "lead"]
    assert leads and all(_family(v.program) == "guitar" for v in leads), [v.program for v in leads]
    assert "the guitar plays the melody" in arr.notes
    strings = plan(Style(genres={"rock": 1.0}, instruments={"strings": 1.0}), 10.0, seed=0)
    assert "the strings play the melody" in strings.notes  # 'strings plays the melody'


def test_the_notes_say_truly_why_a_voice_was_left_out():
    """'Choir Aahs left out (asked for no vocals)' after 'combine my songs': nobody asked; the songs' tags said
    'instrumental'."""
    from tools.generate.sketch.arranger import Voice, _apply_instruments

    def notes_for(style: Style) -> list[str]:
        pads = [Voice("pad", 52, "C---", 55, "open", 70, ["verse"], False, 0.7, "classical"),  # Choir Aahs
                Voice("pad", 48, "C---", 55, "open", 70, ["verse"], False, 0.7, "classical")]  # strings
        notes: list[str] = []
        _apply_instruments(pads, style, notes)
        return notes

    assert notes_for(Style(genres={"classical": 1.0}, instruments={"instrumental": 0.6})) == \
        ["choir aahs left out (the piece is instrumental)"]
    assert notes_for(Style(genres={"classical": 1.0}, avoid=["vocals"])) == ["choir aahs left out (asked for no vocals)"]
    assert notes_for(Style(genres={"classical": 1.0}, avoid=["vocals"], left_out={"vocals": "the loop heard them"})) \
        == ["choir aahs left out (the loop heard them)"]


def test_the_seed_picks_the_band_the_drummers_feel_the_intro_the_octave_and_the_tempo():
    lo, hi = S.STYLES["rock"].tempo
    arrs = [plan(Style(genres={"rock": 1.0}, energy=0.6), 40.0, seed=s) for s in range(12)]
    assert len({len(a.voices) for a in arrs}) > 1  # parts some bands have (an organ, a second guitar) and others not
    cymbals = {tuple(sorted((k, p) for k, p in a.drums["verse"].items() if k in (S.HAT, S.RIDE, S.OPEN_HAT)))
               for a in arrs}
    assert len(cymbals) > 1  # the book's one verse groove, kept as written, busier, on the beat or on the ride
    intros = {(bool(a.drums.get("intro")), any(v.role == "bass" and "intro" in v.sections for v in a.voices))
              for a in arrs}
    assert len(intros) > 1  # everyone, the chords alone, or drums and bass alone
    assert len({next(v.low for v in a.voices if v.role == "lead") for a in arrs}) > 1  # the tune's octave
    tempi = [a.tempo for a in arrs]
    assert max(tempi) - min(tempi) > 0.3 * (hi - lo)  # one energy: a tempo spread wider than it alone allowed


@pytest.mark.parametrize("name", ["rock", "jazz", "electronic", "funk", "metal"])
def test_an_intro_has_no_gaps_whoever_plays_it(name):
    # the seed's 'chords alone' intro once went to a sparse comp: stabs with half a bar of silence between
    for seed in range(6):
        arr = plan(Style(genres={name: 1.0}, energy=0.6), 30.0, seed=seed)
        pm = to_midi(arr)
        _, first, bars = arr.sections[0]
        start, end = first * arr.bar_seconds, (first + bars) * arr.bar_seconds
        sounding = sorted((n.start, n.end if not inst.is_drum else n.start + 0.25) for inst in pm.instruments
                          for n in inst.notes if n.end > start and n.start < end)
        reached, worst = start, 0.0
        for a, b in sounding:
            worst, reached = max(worst, a - reached), max(reached, b)
        worst = max(worst, end - reached)
        assert worst < 0.5 * arr.bar_seconds, (name, seed, arr.sections[0], round(worst, 2))


def test_the_kit_pieces_stand_where_they_are_hats_right_ride_left():
    from tools.generate.sketch.production import _render_placed

    def part(pitch: int) -> pretty_midi.PrettyMIDI:
        pm = pretty_midi.PrettyMIDI(initial_tempo=120)
        kit = pretty_midi.Instrument(program=0, is_drum=True, name="drums")
        kit.notes = [pretty_midi.Note(100, pitch, i * 0.25, i * 0.25 + 0.1) for i in range(8)]
        pm.instruments.append(kit)
        return pm

    def sides(pitch: int) -> tuple[float, float]:
        [stem] = _render_placed(part(pitch), SR, [None], 2.5)
        return tuple(float(np.sqrt(np.mean(stem[:, c] ** 2))) for c in (0, 1))

    hats, ride, kick = sides(S.HAT), sides(S.RIDE), sides(36)
    assert hats[1] > 1.5 * hats[0] and ride[0] > 1.5 * ride[1]
    assert kick[0] == pytest.approx(kick[1], rel=0.05)  # the kick in the middle


def test_rocks_rhythm_guitars_are_carved_out_of_the_low_mids_under_the_bass():
    # real rock's long-term spectrum has 3-5 dB less 300-1000 Hz against its bass and kick than ours had; the mix cuts
    # the driven rhythm guitars there. Before the cut, on this piece: their 300-1000 Hz +2.0 dB over their own body
    # (under 300 Hz) and -5.9 dB against the bass's whole energy; with it -1.1 and -6.9
    from tools.generate.sketch.production import parts_for_mix, voice_index
    from tools.mixing.strip import process

    arr = plan(Style(genres={"rock": 1.0}), 8.0, seed=0)
    pm = to_midi(arr)
    mixed = {}
    for inst, stem, strip in zip(pm.instruments, *parts_for_mix(arr, pm, SR)):
        i = voice_index(inst.name)
        if i is not None and (arr.voices[i].role == "bass" or arr.voices[i].double):
            mixed["bass" if arr.voices[i].role == "bass" else "guitar"] = process(stem, SR, strip).mean(axis=1)

    def db(x: np.ndarray, band: tuple[float, float], y: np.ndarray, other: tuple[float, float]) -> float:
        def power(z, low, high):
            freqs = np.fft.rfftfreq(len(z), 1 / SR)
            return float((np.abs(np.fft.rfft(z)) ** 2)[(freqs >= low) & (freqs < high)].sum())
        return 10 * np.log10(power(x, *band) / power(y, *other))

    guitar, bass = mixed["guitar"], mixed["bass"]
    assert db(guitar, (300, 1000), guitar, (20, 300)) < -0.5
    assert db(guitar, (300, 1000), bass, (20, SR / 2)) < -6.4


@pytest.mark.parametrize("name", ["rock", "metal"])
def test_loud_bands_are_mastered_as_loud_records_turned_down(name):
    from scipy.signal import resample_poly
    from tools.mixing.master import loudness

    arr = plan(Style(genres={name: 1.0}), 8.0, seed=0)
    audio = render(arr)
    # limited at -6.5 dBTP, then brought to -14 LUFS (real rock and metal at -14 LUFS peak near -5 dBTP); the true
    # peak read by scipy's polyphase resampler, not the master's own 48-tap meter
    peak_db = 20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=0)).max())
    assert abs(loudness(audio, SR) + 14) < 1.0 and peak_db <= -6.0, peak_db


def test_an_epic_film_score_has_percussion_and_a_brass_swell():
    from tools.language import parse_text

    style = parse_text("epic orchestral film score").style
    for seed in range(3):
        arr = plan(style, 20.0, seed)
        pm = to_midi(arr)
        assert arr.energy >= 0.75 and any(i.is_drum for i in pm.instruments), seed
        assert 47 in {i.program for i in pm.instruments if not i.is_drum}, seed  # timpani
        swell = [c.value for i in pm.instruments if not i.is_drum and 56 <= i.program <= 63
                 for c in i.control_changes if c.number == 11]
        assert swell and max(swell) - min(swell) >= 30, seed  # the brass swells in (CC11 expression)


def test_classical_seeds_are_played_by_different_orchestras_each_with_timpani_and_brass():
    # the real orchestral soundtracks differ from song to song in who leads and how dark the orchestra is; one
    # string orchestra with a cello line for every seed kept our pieces' spectra too alike (docs/sound.md, 8c)
    basses, melodies = set(), set()
    for seed in range(6):
        arr = plan(Style(genres={"classical": 1.0}), 20.0, seed)
        pm = to_midi(arr)
        programs = {i.program for i in pm.instruments if not i.is_drum}
        basses.add(next(v.program for v in arr.voices if v.role == "bass"))
        melodies.add(next(v.program for v in arr.voices if v.role == "lead"))
        assert arr.lineup and 47 in programs and programs & set(range(56, 64)), (seed, arr.lineup, programs)
    assert len(basses) >= 3 and len(melodies) >= 4, (basses, melodies)


def test_a_classical_piece_is_heard_in_a_hall_its_seed_picks_with_the_halls_low_end_and_air():
    # the real orchestral recordings differ in how much hall there is around the orchestra, and sound fuller under
    # 200 Hz with more air over 9 kHz than the close samples (docs/sound.md, 8c): the mix as the old path made it
    # (the style's one room, nothing between the bus and the master) against produce()
    from tools.generate.sketch.production import DEFAULT_ROOM, MASTERS, ROOMS, parts_for_mix, produce, room_for
    from tools.mixing.bus import mixdown
    from tools.mixing.master import finish

    halls = {room_for(plan(Style(genres={"classical": 1.0}), 8.0, seed)) for seed in range(8)}
    assert len(halls) >= 2 and max(h.return_db for h in halls) - min(h.return_db for h in halls) >= 6, halls
    arr = plan(Style(genres={"classical": 1.0}), 8.0, seed=2)
    pm = to_midi(arr)
    now = produce(arr, pm, rate=SR).mean(axis=1)
    stems, strips = parts_for_mix(arr, pm, SR)
    old = finish(mixdown(stems, strips, SR, ROOMS.get("classical", DEFAULT_ROOM)), SR, len(now),
                 MASTERS["classical"], arr.seed).mean(axis=1)

    def share_db(y, lo, hi):  # a band's power against 1-4 kHz
        power = np.abs(np.fft.rfft(y)) ** 2
        hz = np.fft.rfftfreq(len(y), 1 / SR)
        return 10 * np.log10(power[(hz >= lo) & (hz < hi)].sum() / power[(hz >= 1000) & (hz < 4000)].sum())

    assert share_db(now, 40, 150) - share_db(old, 40, 150) >= 2.0
    assert share_db(now, 10000, 16000) - share_db(old, 10000, 16000) >= 1.5


def test_a_classical_piece_has_orchestral_percussion_beyond_a_bass_drum_and_one_crash():
    # the real orchestral soundtracks march: a concert snare and toms in the chorus, the bass drum marking the verse's
    # bars (the Fréchet distance's largest drop of round 8c); a calm piece still has none
    for seed in range(4):
        arr = plan(Style(genres={"classical": 1.0}), 20.0, seed)
        [kit] = [i for i in to_midi(arr).instruments if i.is_drum]
        chorus = [(first * arr.bar_seconds, (first + n) * arr.bar_seconds) for kind, first, n in arr.sections
                  if kind == "chorus"]
        snares = [n for n in kit.notes if n.pitch == S.SNARE and any(a <= n.start < b for a, b in chorus)]
        assert chorus and len(snares) >= 2 * sum(n for kind, _, n in arr.sections if kind == "chorus"), seed
        assert "verse" not in {kind for kind, _, _ in arr.sections} or arr.drums.get("verse"), seed
    calm = plan(Style(genres={"classical": 1.0}, energy=0.2), 20.0, 0)
    assert not any(i.is_drum for i in to_midi(calm).instruments)


def test_a_classical_orchestra_sits_where_its_sections_sit_on_the_stage():
    # violins and harp left, cellos and basses right (the MIDI's pans, CC10): a band's mix put the bass line and the
    # melody in the middle, and the orchestra's L/R correlation read 0.58 against the real recordings' 0.25
    for seed in range(6):
        pm = to_midi(plan(Style(genres={"classical": 1.0}), 20.0, seed))
        pans = {i.program: next(c.value for c in i.control_changes if c.number == 10) for i in pm.instruments
                if not i.is_drum}
        low = [pans[p] for p in (42, 43, 58, 70) if p in pans]  # the bass line: cellos, basses, tuba, bassoon
        high = [pans[p] for p in (40, 45, 46) if p in pans]  # violins, their pizzicato, the harp
        assert low and all(v >= 72 for v in low) and all(v <= 52 for v in high), (seed, pans)


def test_a_sixteenth_note_hat_line_stays_on_the_hi_hat():
    # the drummer's 'on the ride' feel moved funk's 16th hats to the ride: the tagger heard techno (2 of 3 funk
    # pieces out of its top 5)
    verse = S.STYLES["funk"].drums["verse"]
    assert verse[S.HAT].count(".") < len(verse[S.HAT]) / 2
    for seed in range(8):
        groove = plan(Style(genres={"funk": 1.0}, energy=0.6), 20.0, seed).drums["verse"]
        assert S.HAT in groove and S.RIDE not in groove, (seed, groove)


@pytest.mark.parametrize("style", ["electronic", "house", "techno"])
def test_electronic_pieces_are_written_in_any_key(style):
    # synthesisers have no open strings: these styles were in 4 or 5 keys, so their seeds kept meeting in A minor
    keys = {plan(Style(genres={style: 1.0}), 4.0, seed).tonic for seed in range(30)}
    assert len(keys) >= 8, sorted(keys)


def test_a_techno_piece_moves_its_harmony_instead_of_holding_one_chord():
    # round 7: techno held one chord for a whole 20 s piece (i i i VI at two bars a chord: the VI never came), so
    # its chroma barely moved and the independent judge put it furthest from the real electronic music
    for seed in range(4):
        arr = plan(Style(genres={"techno": 1.0}), 20.0, seed)
        bar = arr.beats * 60.0 / arr.tempo
        bass = next(i for i in to_midi(arr).instruments if "bass" in i.name)
        roots = [{n.pitch % 12 for n in bass.notes if int(n.start // bar) == b} for b in range(8)]
        assert len(set().union(*roots)) >= 3, (seed, roots)
        assert sum(a != b for a, b in zip(roots, roots[1:])) >= 4, (seed, roots)


@pytest.mark.parametrize("name", ["electronic", "techno", "house"])
def test_electronic_kits_are_darkened_in_the_mix_like_the_real_electronic_music(name):
    # round 8a: the electronic styles had 6-11 dB more above 2.5 kHz than the real electronic excerpts, almost all of
    # it the drum kit's (its hats alone 12 dB over the real music's whole 5-10 kHz band). The kit's strip now shelves
    # 10 dB off above 2 kHz. Before, on these pieces, 2.6-7% of the power lay above 5 kHz; with it 0.8% at most
    for seed in (0, 1):
        audio = render(plan(Style(genres={name: 1.0}), 8.0, seed=seed)).mean(axis=1)
        power = np.abs(np.fft.rfft(audio)) ** 2
        freqs = np.fft.rfftfreq(len(audio), 1 / SR)
        assert power[freqs >= 5000].sum() < 0.01 * power.sum(), (name, seed)


@pytest.mark.parametrize("name", ["electronic", "techno"])
def test_electronic_parts_are_sent_deep_into_the_reverb(name):
    from tools.generate.sketch.production import strip_for

    # round 10 (elec10): an electronic record's space is an effect: every part twice as deep into the reverb as a
    # band's, plus 0.1 (before: the kit 0.12, the synth bass 0.02, the synths 0.2-0.35; rock and house keep those)
    for seed in (0, 1):
        arr = plan(Style(genres={name: 1.0}), 20.0, seed=seed)
        sends = {v.role: strip_for(v.role, v.program, v.drive, v.style, arr.primary, v.send).reverb_send
                 for v in arr.voices}
        kit = strip_for("drums", 0, 0.0, name, arr.primary, None).reverb_send
        assert kit >= 0.3 and sends["bass"] >= 0.1 and all(sends[r] >= 0.5 for r in sends if r != "bass"), sends
    for band in ("rock", "house"):  # a band's, and house's (wet, the tagger heard it as techno)
        assert strip_for("drums", 0, 0.0, band, plan(Style(genres={band: 1.0}), 20.0, seed=0).primary,
                         None).reverb_send < 0.2


@pytest.mark.parametrize("name", ["techno", "house"])
def test_techno_and_house_synths_open_and_close_their_filter_over_the_piece(name):
    # round 9a: our techno and house frames spread half as much in spectral tilt as the real electronic music's; the
    # synths now play through a resonant low-pass whose cutoff opens and closes over bars. The sequence's (house:
    # the stabs') spectral centroid, half-second windows, 10th to 90th percentile: before 0.23-0.57 octaves on
    # seeds 0-3, with the sweep 0.84-3.43
    from tools.generate.sketch.production import parts_for_mix, voice_index

    for seed in (0, 1):
        arr = plan(Style(genres={name: 1.0}), 20.0, seed=seed)
        pm = to_midi(arr)
        stems, _ = parts_for_mix(arr, pm, SR)
        [stem] = [stem for inst, stem in zip(pm.instruments, stems) if voice_index(inst.name) is not None
                  and arr.voices[voice_index(inst.name)].role == "comp"
                  and arr.voices[voice_index(inst.name)].sections != ["chorus"]]
        x, w = stem.mean(axis=1), SR // 2
        freqs = np.fft.rfftfreq(w, 1 / SR)
        centroids = []
        for start in range(0, len(x) - w, w):
            power = np.abs(np.fft.rfft(x[start:start + w])) ** 2
            if power.sum() > 1e-6 * len(x):  # where it plays
                centroids.append((power * freqs).sum() / power.sum())
        octaves = np.log2(centroids)
        assert np.percentile(octaves, 90) - np.percentile(octaves, 10) > 1.0, (name, seed)


@pytest.mark.parametrize("name", sorted(S.LINEUPS))
def test_successive_seeds_are_played_by_different_bands(name):
    # round 4: seeds shared one sound set per style; now each seed brings one of the style's line-ups in turn
    spec, bands = S.STYLES[name], S.LINEUPS[name]
    assert all(len(b.players) == len(spec.parts) for b in bands), "a line-up names a player for every part"
    arrs = [plan(Style(genres={name: 1.0}, energy=0.6), 20.0, seed=s) for s in range(len(bands))]
    assert [a.lineup for a in arrs] == [b.name for b in bands]
    assert len({tuple(sorted(v.program for v in a.voices if v.style == name)) for a in arrs}) == len(bands)
    for a, b in zip(arrs, bands):
        assert {v.program for v in a.voices} <= {p for p in b.players if p is not None}
        if b.kits:  # (a groove with a kit of its own brings it: round 10, trap's 808)
            own = next((g.kit for g in S.GROOVES.get(name, ()) if g.name == a.groove), None)
            assert a.kit in b.kits or a.kit == own
    far = plan(Style(genres={name: 1.0}, energy=0.6), 20.0, seed=104729)  # the chat's 'something different'
    assert far.lineup != arrs[0].lineup


def test_a_jazz_piano_trio_is_piano_bass_and_brushes_and_an_organ_trio_has_no_piano():
    trio = next(plan(Style(genres={"jazz": 1.0}), 20.0, seed=s) for s in range(12)
                if plan(Style(genres={"jazz": 1.0}), 20.0, seed=s).lineup == "piano trio")
    assert sorted(v.program for v in trio.voices) == [0, 0, 32] and trio.kit in (32, 40)
    organ = next(plan(Style(genres={"jazz": 1.0}), 20.0, seed=s) for s in range(12)
                 if plan(Style(genres={"jazz": 1.0}), 20.0, seed=s).lineup == "organ trio")
    assert 16 in {v.program for v in organ.voices} and 0 not in {v.program for v in organ.voices}


@pytest.mark.parametrize("name", sorted(S.GROOVES))
def test_successive_seeds_lay_down_different_grooves(name):
    # round 8b: every seed of a style kept its book's one drum groove, so a style's seeds differed less than two
    # halves of one real song (the judge's seed variety: metal 3.00, jazz 4.77 against 8.29 within a song)
    grooves = S.GROOVES[name]
    arrs = [plan(Style(genres={name: 1.0}, energy=0.6), 20.0, seed=s) for s in range(len(grooves))]
    assert [a.groove for a in arrs] == [g.name for g in grooves]
    hits = {}
    for a, g in zip(arrs, grooves):
        pm = to_midi(a)
        [kit] = [i for i in pm.instruments if i.is_drum]
        bar = a.beats * 60.0 / a.tempo
        hits[g.name] = frozenset((n.pitch, round((n.start % bar) / (bar / 16)) % 16) for n in kit.notes)
        own = {k: set(p) for k, p in (g.drums or S.STYLES[name].drums).get("verse", {}).items()}
        assert {k for k, p in a.drums["verse"].items()} >= {k for k in own if k not in (S.HAT, S.RIDE, S.OPEN_HAT)}
        for index, pattern in g.patterns:  # the part plays the groove's figure
            role, program = S.STYLES[name].parts[index].role, S.LINEUPS[name][a.seed % len(S.LINEUPS[name])].players[index]
            if program is not None:
                assert any(v.role == role and v.pattern == pattern for v in a.voices), (g.name, index)
    assert len(set(hits.values())) == len(grooves)  # which drum plays where in the bar differs
    assert plan(Style(genres={"jazz": 1.0}), 20.0, seed=2).swing == 0.0  # the bossa nova is played straight


@pytest.mark.parametrize("name", sorted(set(S.GROOVES) & set(S.LINEUPS)))
def test_every_band_meets_every_groove_as_the_seeds_come_round(name):
    """The groove was taken as (seed + rounds) % grooves: with five bands and three grooves, band b got groove b % 3
    on every round, so an electronic, house or funk band only ever played one groove (seeds 5-7 replayed 0-2)."""
    from tools.generate.sketch.arranger import _groove, _lineup

    met: dict[str, set[str]] = {}
    for seed in range(len(S.LINEUPS[name]) * len(S.GROOVES[name])):
        met.setdefault(_lineup(name, seed).name, set()).add(_groove(name, seed).name)
    assert all(len(grooves) == len(S.GROOVES[name]) for grooves in met.values()), met


def test_an_arc_rests_the_drums_in_the_first_verse_and_brings_them_back():
    seed = next(s for s in range(40) if plan(Style(genres={"pop": 1.0}, energy=0.6), 20.0, s).arc
                == "the drums come in after the first verse")
    arr = plan(Style(genres={"pop": 1.0}, energy=0.6), 20.0, seed)
    [(_, first, n)] = [s for s in arr.sections if s[0] == "verse"][:1]
    bar = arr.beats * 60.0 / arr.tempo
    [kit] = [i for i in to_midi(arr).instruments if i.is_drum]
    in_verse = [d for d in kit.notes if first * bar - 0.05 <= d.start < (first + n) * bar - 0.05]
    after = [d for d in kit.notes if d.start >= (first + n) * bar - 0.05]
    assert not in_verse and after
    # something plays through the resting verse
    others = [x for i in to_midi(arr).instruments if not i.is_drum for x in i.notes]
    assert {int(x.start // bar) for x in others} >= set(range(first, first + n))
    # successive seeds build differently, and a piece too short to rest anyone keeps its band together
    assert len({plan(Style(genres={"pop": 1.0}, energy=0.6), 20.0, s).arc for s in range(4)}) == 4
    assert plan(Style(genres={"pop": 1.0}), 4.0, seed).arc == ""


def test_a_short_pieces_breakdown_falls_on_its_first_verse():
    # a 20 s piece has no second verse and no bridge, where the breakdown arc rests the drums and bass: its seed's
    # choice did nothing (the band together from the first bar). Now the drums and bass come in at the chorus.
    breakdown = "a breakdown: the second verse without drums and bass"
    arr = next(a for a in (plan(Style(genres={"blues": 1.0}), 20.0, s) for s in range(40)) if a.arc == breakdown
               and not {k for k, _, _ in a.sections} & {"bridge"} and [k for k, _, _ in a.sections].count("verse") == 1)
    [(_, first, n)] = [s for s in arr.sections if s[0] == "verse"]
    bar = arr.beats * 60.0 / arr.tempo
    pm = to_midi(arr)
    rhythm = [i for i in pm.instruments if i.is_drum or i.name.split(". ")[-1].startswith("bass")]
    assert len(rhythm) == 2, [i.name for i in pm.instruments]
    for part in rhythm:
        in_verse = [x for x in part.notes if first * bar - 0.05 <= x.start < (first + n) * bar - 0.05]
        after = [x for x in part.notes if x.start >= (first + n) * bar - 0.05]
        assert not in_verse and after, part.name
    others = [x for i in pm.instruments if i not in rhythm for x in i.notes]  # the chords play through it
    assert {int(x.start // bar) for x in others} >= set(range(first, first + n))
    # funk is its groove: a short funk piece keeps its drums and bass from the first bar (the tagger lost it)
    assert all(plan(Style(genres={"funk": 1.0}), 20.0, s).arc != breakdown for s in range(8))
    # a piece long enough for a second verse keeps the breakdown there
    long = next(a for a in (plan(Style(genres={"blues": 1.0}), 60.0, s) for s in range(40)) if a.arc == breakdown)
    [(_, first, n)] = [s for s in long.sections if s[0] == "verse"][:1]
    [kit] = [i for i in to_midi(long).instruments if i.is_drum]
    bar = long.beats * 60.0 / long.tempo
    assert [d for d in kit.notes if first * bar - 0.05 <= d.start < (first + n) * bar - 0.05]


def test_successive_seeds_voice_the_chords_in_another_register_but_not_the_power_chords():
    # round 8b: the chords always sat where the style book put them; a band's keyboard player or guitarist voices
    # them higher or lower. Driven power chords stay where the guitar's low strings are.
    means = []
    for seed in range(3):
        arr = plan(Style(genres={"soul": 1.0}, energy=0.6), 20.0, seed)
        organ = next(i for i in to_midi(arr).instruments if i.name.startswith("2. comp"))
        means.append(float(np.mean([n.pitch for n in organ.notes])))
        book = S.STYLES["soul"].parts[1].low
        assert next(v for v in arr.voices if v.role == "comp").low == book + (0, -5, 7)[seed]
    assert means[2] - means[0] > 4 and means[0] - means[1] > 2, means
    for seed in range(3):
        metal = plan(Style(genres={"metal": 1.0}), 20.0, seed)
        assert next(v for v in metal.voices if v.role == "comp").low == S.STYLES["metal"].parts[1].low


@pytest.mark.parametrize("name", sorted(S.KEYS_IN_TURN))
def test_successive_seeds_play_in_the_styles_keys_in_turn(name):
    # round 9b: these styles drew from three to five neighbouring keys (punk E, A, D), so two takes of a request
    # were often in one key; now successive seeds take the style's wider list in turn, neighbours sharing few notes
    keys = S.STYLES[name].keys
    arrs = [plan(Style(genres={name: 1.0}, energy=0.6), 20.0, seed=s) for s in range(len(keys))]
    assert [NOTE_NAMES[a.tonic] for a in arrs] == [NOTE_NAMES[pitch_class(k)] for k in keys]
    for a in arrs:  # the parts are written in the seed's key: two thirds of what sounds is in its scale or more (the
        # rest: blue notes, a dorian sixth, borrowed chords)
        profile = np.zeros(12)
        for inst in to_midi(a).instruments:
            for n in ([] if inst.is_drum else inst.notes):
                profile[n.pitch % 12] += n.end - n.start
        in_scale = [(a.tonic + step) % 12 for step in SCALES[a.mode]]
        assert profile[in_scale].sum() >= 2 / 3 * profile.sum(), (a.seed, a.key)


def test_successive_hip_hop_seeds_are_rapped_by_different_mcs():
    # round 9b: one espeak-ng voice rapped every seed's piece, and the voice is the loudest part of hip-hop's mix:
    # its seeds differed less than any other style's (seed variety 4.67 against 8.29 within a real song)
    import librosa
    from dataclasses import replace as changed
    from tools.generate.sketch.rap import MCS, render_rap

    arr = plan(Style(genres={"hip-hop": 1.0}), 6.0, seed=0)
    rate = 22050
    takes = [render_rap(changed(arr, seed=s), rate) for s in range(len(MCS))]  # the same lines, each seed's MC
    assert all(not np.array_equal(a, b) for i, a in enumerate(takes) for b in takes[i + 1:])
    f0 = []
    for take in takes:
        pitch, voiced, _ = librosa.pyin(take, fmin=60, fmax=500, sr=rate, frame_length=1024)
        f0.append(float(np.nanmedian(pitch[voiced])))
    assert f0[1] < f0[0] < f0[2], f0  # a deeper MC than the book's, and a woman's voice above both


def _guitars_top_by_lineup(style: str, seeds) -> dict[str, float]:
    """Per seed's line-up, its rhythm guitars through their strips: the power over 3.5 kHz against 200 Hz-3.5 kHz
    (an amp's gain piles harmonics up there). Each strip must carry its line-up's own amp."""
    from tools.generate.sketch.production import AMPS, LINEUP_AMPS, parts_for_mix, voice_index
    from tools.mixing.strip import process

    top = {}
    for seed in seeds:
        arr = plan(Style(genres={style: 1.0}), 6.0, seed=seed)
        pm = to_midi(arr)
        guitars = []
        for inst, stem, strip in zip(pm.instruments, *parts_for_mix(arr, pm, SR)):
            i = voice_index(inst.name)
            if i is not None and arr.voices[i].role == "comp":
                assert strip.amp == LINEUP_AMPS.get((style, arr.lineup), AMPS[style])
                guitars.append(process(stem, SR, strip).mean(axis=1))
        mix = np.sum(guitars, axis=0)
        power, freqs = np.abs(np.fft.rfft(mix)) ** 2, np.fft.rfftfreq(len(mix), 1 / SR)
        top[arr.lineup] = power[freqs > 3500].sum() / power[(freqs > 200) & (freqs <= 3500)].sum()
    return top


def test_a_punk_bands_guitars_go_through_its_own_amp():
    # round 9b: every punk band's guitars went through one amp; the crunch band's through a low-gain amp with its
    # mids forward, the one-guitar band's through a scooped fuzz with a darker cabinet
    top = _guitars_top_by_lineup("punk", range(3))
    # the fuzz's gain piles harmonics above 3.5 kHz even through its darker cabinet; the crunch amp has the fewest
    assert top["crunch guitars"] < top["two guitars"] < top["one distorted guitar"], top


def test_trap_synth_funk_and_synth_pop_are_played_on_a_drum_machine():
    # round 10: a trap beat, a synth-funk band and a synth-pop band were played on whatever kit the drummer drew,
    # acoustic ones too; trap is made on the 808, and so were the early-80s synth-funk and synth-pop records
    trap = [a for a in (plan(Style(genres={"hip-hop": 1.0}), 20.0, seed=s) for s in range(16))
            if a.groove.startswith("trap")]
    assert len(trap) >= 3 and {a.kit for a in trap} == {25}, [(a.seed, a.kit) for a in trap]
    for name, lineup in (("funk", "synth funk"), ("pop", "piano and synth pad")):
        arrs = [a for a in (plan(Style(genres={name: 1.0}), 20.0, seed=s) for s in range(12)) if a.lineup == lineup]
        assert len(arrs) >= 2 and {a.kit for a in arrs} == {25}, (name, [(a.seed, a.kit) for a in arrs])
        [drums] = [i for i in to_midi(arrs[0]).instruments if i.is_drum]
        assert drums.program == 25


def test_a_metal_bands_guitars_go_through_its_own_amp():
    # round 10: every metal band's guitars went through one amp; a one-guitar death-metal band's through more gain
    # and a deeper scoop, a gothic band's through a warmer, less saturated one
    top = _guitars_top_by_lineup("metal", (0, 2, 4))
    # more gain, fewer mids: the death-metal wall's harmonics over 3.5 kHz; the gothic band's the fewest
    assert top["gothic: guitars and church organ"] < top["symphonic: guitars and strings"] < top["one guitar"], top


def test_metal_bands_tune_down_to_c_and_b_and_rock_bands_play_in_more_keys():
    # round 11: every metal seed was in E, C# or D and every rock seed in E, A, D or G; a metal band may tune to C
    # standard or play a seven-string (B), a rock band tune a half step down (Eb) or play barre chords (C, B)
    metal = {plan(Style(genres={"metal": 1.0}), 20.0, seed=s).key: s for s in range(5)}
    assert {"B minor", "C minor"} <= set(metal), metal
    lowest = {}
    for key in ("B minor", "C minor", "D minor"):
        pm = to_midi(plan(Style(genres={"metal": 1.0}), 20.0, seed=metal[key]))
        tonic = pitch_class(key.split()[0])
        lowest[key] = min(n.pitch for i in pm.instruments if not i.is_drum and i.program == 30 for n in i.notes
                          if n.pitch % 12 == tonic)
    assert lowest == {"B minor": 35, "C minor": 36, "D minor": 38}, lowest  # B1, C2: the low string tuned down
    rock = {plan(Style(genres={"rock": 1.0}), 20.0, seed=s).key for s in range(24)}
    assert len(rock) >= 6 and "Eb major" in rock, rock


def test_electronic_and_house_seeds_lay_down_other_beats():
    # round 11: every electronic and house seed played the book's four on the floor with off-beat hats; electronic
    # seeds also bring a breakbeat and an electro beat (on the 808), house seeds a tribal and a jackin' groove, its
    # kick on every beat all the same
    def verse_hits(arr):
        [kit] = [i for i in to_midi(arr).instruments if i.is_drum]
        bar = arr.beats * 60.0 / arr.tempo
        first, n = next((f, n) for kind, f, n in arr.sections if kind == "verse")
        return kit, {(d.pitch, round((d.start % bar) / (bar / 16)) % 16) for d in kit.notes
                     if first * bar - 0.05 <= d.start < (first + n) * bar - 0.05}

    grooves = {}
    for s in range(6):
        arr = plan(Style(genres={"electronic": 1.0}, energy=0.6), 20.0, seed=s)
        grooves.setdefault(arr.groove, (arr, verse_hits(arr)))
    assert set(grooves) == {"four on the floor", "breakbeat", "electro"}, set(grooves)
    kicks = {g: {step for key, step in hits if key == S.KICK} for g, (_, (_, hits)) in grooves.items()}
    assert kicks["four on the floor"] == {0, 4, 8, 12} and kicks["breakbeat"] != kicks["four on the floor"], kicks
    assert {step for key, step in grooves["breakbeat"][1][1] if key == S.SNARE} >= {4, 12}
    assert grooves["electro"][0].kit == 25 and grooves["electro"][1][0].program == 25
    house = {}
    for s in range(12):
        arr = plan(Style(genres={"house": 1.0}, energy=0.6), 20.0, seed=s)
        if "drums" in form.arc_rests(arr.arc, arr.sections).get(("verse", 0), ()):
            continue  # a short piece's breakdown: its verse is the chords alone, the groove comes in at the chorus
        house.setdefault(arr.groove, verse_hits(arr)[1])
    assert len(house) == 3, set(house)
    for groove, hits in house.items():
        assert {step for key, step in hits if key == S.KICK} >= {0, 4, 8, 12}, groove
    tribal = house["tribal: toms and rims"]
    assert {key for key, _ in tribal} & {S.LOW_TOM, S.HIGH_TOM} and not {key for key, _ in tribal} & {S.HAT, S.OPEN_HAT}


def _finished_and_unfinished(monkeypatch, name: str, seconds: float, seed: int = 0):
    """A real piece as produce() finishes it, and the mix it finished with the master it used (round 9c)."""
    from tools.generate.sketch import production

    seen = {}

    def keep(mix, rate, frames, master, seed):
        seen.update(mix=mix.copy(), rate=rate, frames=frames, master=master, seed=seed)
        return finish(mix, rate, frames, master, seed)

    from tools.mixing.master import finish
    monkeypatch.setattr(production, "finish", keep)
    arr = plan(Style(genres={name: 1.0}), seconds, seed=seed)
    return production.produce(arr, to_midi(arr), rate=SR), seen


@pytest.mark.parametrize("name", ["pop", "rock"])
def test_a_band_plays_to_its_last_beat_and_a_hall_rings_out(monkeypatch, name):
    # a 2 s fade of a 20 s piece sagged through its last bar, which the real excerpts (from the middle of songs) never
    # do; a band's piece now fades over its last beat only, a hall's and electronic loops over 1.5 s (docs/sound.md,
    # round 9c)
    from dataclasses import replace
    from tools.mixing.master import finish

    def envelope_db(name):
        piece, seen = _finished_and_unfinished(monkeypatch, name, 20.0)
        unfaded = finish(seen["mix"], seen["rate"], seen["frames"], replace(seen["master"], fade_out_s=0.0), seen["seed"])
        rms = lambda y, a, b: float(np.sqrt(np.mean(y[int(a * SR):int(b * SR)] ** 2)))  # noqa: E731
        body = rms(piece, 2, 17) / rms(unfaded, 2, 17)
        return lambda a, b: 20 * np.log10(rms(piece, a, b) / rms(unfaded, a, b) / body)

    band = envelope_db(name)
    assert band(18.0, 19.7) > -0.5, band(18.0, 19.7)  # the band plays on to its last beat
    assert band(19.85, 20.0) < -6, band(19.85, 20.0)  # and stops there, without a click
    for longer in ("classical", "techno"):
        fading = envelope_db(longer)
        assert fading(19.0, 19.5) < -6, (longer, fading(19.0, 19.5))  # the hall's last chord dies away, a loop fades


@pytest.mark.parametrize("name, lowest, highest", [("jazz", -32, -26), ("rock", -30, -23), ("techno", -37, -30.5)])
def test_a_band_plays_in_a_room_the_recording_hears_and_a_drum_machine_does_not(monkeypatch, name, lowest, highest):
    # the room's rumble under a band sits 30 dB under the mix (at 36 the bands' bottom octave stayed peakier than the
    # real recordings': spectral contrast 0-200 Hz, docs/sound.md round 9c); electronic pieces keep the faint one.
    # (Read after the master: its compressor and a loud band's limiter hold the music down and leave the room, so
    # the room reads 1-3 dB over its setting; techno's filter sweep, round 9a, leaves its synths quieter on average,
    # so its faint room reads up to 5.5 dB over its -36.)
    from dataclasses import replace
    from tools.mixing.master import finish

    piece, seen = _finished_and_unfinished(monkeypatch, name, 8.0)
    dry = finish(seen["mix"], seen["rate"], seen["frames"], replace(seen["master"], room_tone_db=None), seen["seed"])
    room = (piece - dry)[SR:-SR]
    level = 20 * np.log10(np.sqrt(np.mean(room ** 2)) / np.sqrt(np.mean(dry[SR:-SR] ** 2)))
    assert lowest < level < highest, level


@pytest.mark.parametrize("name, lowest, highest", [("rock", -28.2, -24.0), ("jazz", -20.8, -16.0), ("house", -26.6, -24.2)])
def test_players_recorded_together_hear_their_room_and_a_drum_machine_stays_dry(name, lowest, highest):
    # the room's return (the whole piece's reverb, read as the mix minus the same stems with the room muted) against
    # the dry mix: a band's comes back 3 dB over the room table's balance (round 10: rock read -29.7 dB, jazz -22.3
    # before); house, a drum machine recorded direct, keeps the table's (-25.4 dB before and after; docs/sound.md,
    # round 10). (Electronic and techno are sent deep into the reverb as an effect: their own test, round 10e.)
    from dataclasses import replace
    from tools.generate.sketch import production
    from tools.mixing.bus import mixdown

    arr = plan(Style(genres={name: 1.0}), 8.0, seed=0)
    stems, strips = production.parts_for_mix(arr, to_midi(arr), SR)
    room = production.room_for(arr)
    dry = mixdown(stems, strips, SR, replace(room, return_db=-200.0))
    wet = mixdown(stems, strips, SR, room) - dry
    level = 20 * np.log10(np.sqrt(np.mean(wet ** 2)) / np.sqrt(np.mean(dry ** 2)))
    assert lowest < level < highest, level


def test_houses_filter_rings_at_its_cutoff_more_than_technos():
    """House's sweep is the wetter, filter-disco squelch (round 9, after the merge: its Fréchet ratio 1.52 -> 1.41 on
    the judge's seeds); techno keeps 0.8, the most round 8a's top-band test allows it."""
    from tools.generate.sketch.production import SWEEP_BLOCK, SWEEP_RESONANCE, filter_sweep

    noise = np.random.default_rng(0).standard_normal((SR * 2, 2)).astype(np.float32) * 0.1
    cutoffs = np.full(len(noise) // SWEEP_BLOCK + 1, 1000.0)

    def peak_db(style):  # the band at the cutoff over the passband below it
        y = filter_sweep(noise, SR, cutoffs, SWEEP_RESONANCE[style])[:, 0]
        power, freqs = np.abs(np.fft.rfft(y)) ** 2, np.fft.rfftfreq(len(y), 1 / SR)
        return 10 * np.log10(power[(freqs > 900) & (freqs < 1100)].mean() / power[(freqs > 150) & (freqs < 250)].mean())

    assert peak_db("house") > peak_db("techno") + 4 > 15, (peak_db("house"), peak_db("techno"))


def test_a_bass_asked_for_is_the_bass_line_up_front_not_the_melody():
    """'more bass' as a first message asked for bass, and the bass took the melody ('bass plays the melody')."""
    from tools.generate.sketch.arranger import BASS_PROGRAMS, FORWARD_DB

    for genres in ({}, {"jazz": 1.0}, {"ambient": 1.0}):  # ambient has no bass part: one is added
        arr = plan(Style(genres=genres, instruments={"bass": 0.8}), 12.0, seed=3)
        assert not [v for v in arr.voices if v.role == "lead" and v.program in BASS_PROGRAMS], arr.notes
        basses = [v for v in arr.voices if v.role == "bass"]
        assert basses and all(v.level_db == FORWARD_DB for v in basses), genres
        assert "bass plays the melody" not in arr.notes and any("bass brought forward" in n for n in arr.notes)
    slap = plan(Style(genres={"funk": 1.0}, instruments={"slap bass": 0.8}), 12.0, seed=3)
    assert [v.program for v in slap.voices if v.role == "bass"][0] == S.GM_PROGRAMS["slap bass"]


def test_a_part_turned_up_is_louder_in_the_mix_and_only_that_part():
    """'I can't hear the melody': the lead's channel strip 4 dB up, every other part's as it was."""
    from tools.generate.sketch.production import parts_for_mix, voice_index

    style = Style(genres={"pop": 1.0})
    plain, louder = plan(style, 8.0, seed=5), plan(Style(genres={"pop": 1.0}, levels={"lead": 4.0}), 8.0, seed=5)
    assert "the melody up 4 dB in the mix" in louder.notes
    _, before = parts_for_mix(plain, to_midi(plain))
    _, after = parts_for_mix(louder, to_midi(louder))
    roles = ["drums" if voice_index(i.name) is None else plain.voices[voice_index(i.name)].role
             for i in to_midi(plain).instruments]
    assert "lead" in roles
    for role, a, b in zip(roles, before, after):
        assert b.level_db - a.level_db == pytest.approx(4.0 if role == "lead" else 0.0), role


def test_a_fade_out_asked_for_ends_the_piece_quietly():
    """'can the ending fade out': the last seconds fall away (the band's master stopped on the last beat)."""
    def rms(x):
        return float(np.sqrt(np.mean(x ** 2)))

    style = dict(genres={"rock": 1.0}, energy=0.7)
    plain = plan(Style(**style), 12.0, seed=2)
    faded = plan(Style(**style, fade_out_s=4.0), 12.0, seed=2)
    assert faded.fade_out_s == pytest.approx(3.6)  # at most 30% of the piece
    assert "it fades out over its last 3.6 s" in faded.notes
    a, b = render(plain), render(faded)
    sr = 44100
    assert len(a) == len(b) == 12 * sr
    end_a, end_b = rms(a[-sr:]), rms(b[-sr:])
    assert end_b < 0.3 * end_a, (end_a, end_b)
    assert rms(b[-4 * sr:-3 * sr]) > 2 * end_b  # falling through the fade, not silent throughout


@pytest.mark.parametrize("program, spoken", [(89, "warm pad"), (95, "sweep pad"), (81, "sawtooth synth lead"),
                                             (87, "bass-and-lead synth"), (48, "string ensemble"),
                                             (33, "electric bass"), (30, "distortion guitar")])
def test_parts_are_named_as_people_say_them(program, spoken):
    """'does it have drums?' about an ambient piece answered 'No: g1 has pad 2, two pad 8s and vibraphone'."""
    from tools.generate.sketch.arranger import spoken_name

    assert spoken_name(program) == spoken


@pytest.mark.parametrize("style", ["electronic", "techno"])
def test_an_electronic_pieces_synths_are_stereo(style):
    # a General MIDI synth is one mono sample: panned, its L/R correlation stays 1.00, and the electronic pieces read
    # 0.80-0.95 against the real electronic music's 0.67 (the realism judge); each synth part is double-tracked
    from tools.generate.sketch.production import parts_for_mix, voice_index
    from tools.mixing.strip import process

    for seed in range(2):
        arr = plan(Style(genres={style: 1.0}), 8.0, seed=seed)
        pm = to_midi(arr)
        widths = {}
        for inst, stem, strip in zip(pm.instruments, *parts_for_mix(arr, pm, SR)):
            i = voice_index(inst.name)
            if i is not None and arr.voices[i].role in ("comp", "pad", "lead"):
                out = process(stem, SR, strip)
                if np.abs(out).max() > 0:
                    widths[inst.name] = float(np.corrcoef(out.T)[0, 1])
        assert widths and max(widths.values()) < 0.9, (seed, widths)


def test_an_orchestra_plays_its_verse_soft_and_its_chorus_loud():
    # the real orchestral recordings' frame loudness spreads almost twice as wide as our classical pieces' did: a band's
    # section levels (verse 4-5 dB under the chorus) and each player compressed; now the orchestra's own levels
    from tools.generate.sketch.production import produce, strip_for

    for seed in range(2):
        arr = plan(Style(genres={"classical": 1.0}), 20.0, seed)
        y = produce(arr, to_midi(arr), rate=SR).mean(axis=1)

        def level(kind: str) -> float:
            first, n = [(f, n) for k, f, n in arr.sections if k == kind][-1]
            a, b = int(first * arr.bar_seconds * SR), int((first + n) * arr.bar_seconds * SR)
            return 10 * np.log10(np.mean(y[a:b] ** 2))

        assert level("chorus") - level("verse") > 5.5, seed  # 6.3 and 7.1 dB (a band's levels, compressed: 4.1, 4.8)
        assert all(strip_for(v.role, v.program, v.drive, v.style, arr.primary, v.send).compress is None
                   for v in arr.voices)


def _longest_silence(pm: pretty_midi.PrettyMIDI, seconds: float) -> float:
    """The longest stretch of the piece in which no note sounds."""
    sounding = sorted((n.start, n.end) for inst in pm.instruments for n in inst.notes)
    reached, worst = 0.0, 0.0
    for a, b in sounding:
        worst, reached = max(worst, a - reached), max(reached, b)
    return max(worst, seconds - reached)


@pytest.mark.parametrize("asked", ["solo piano", "a piano piece", "just an acoustic guitar", "jazz, solo piano"])
def test_a_solo_piece_is_played_by_the_instrument_named_alone(asked):
    """'Named instruments lead': a bare 'piano piece' was a pop band with drums, bass and a synth pad, the piano
    on the tune. Alone, the instrument plays the tune, the chords and the bass, from the first bar to the last."""
    from tools.language import parse_text

    style = parse_text(asked).style
    family = "guitar" if "guitar" in asked else "piano"
    for seed in range(3):
        arr = plan(style, 20.0, seed=seed)
        pm = to_midi(arr)
        assert not arr.drums and not any(i.is_drum for i in pm.instruments)
        assert {p["family"] for p in arr.parts()} == {family}, (asked, seed, arr.parts())
        assert {v.role for v in arr.voices} >= {"lead", "comp", "bass"}
        assert _longest_silence(pm, arr.seconds) < 0.5 * arr.bar_seconds, (asked, seed)
        assert arr.notes[-1].startswith(f"played by the {'acoustic guitar' if family == 'guitar' else 'piano'} alone")
        assert arr.lineup.startswith("solo ")


def test_a_piece_for_a_melody_instrument_and_piano_gives_each_its_job():
    from tools.language import parse_text

    arr = plan(parse_text("a piece for cello and piano").style, 20.0, seed=1)
    by_role = {v.role: pretty_midi.program_to_instrument_name(v.program) for v in arr.voices}
    assert by_role == {"lead": "Cello", "comp": "Acoustic Grand Piano", "bass": "Acoustic Grand Piano"}
    lead = next(v for v in arr.voices if v.role == "lead")
    cello = [n.pitch for i in to_midi(arr).instruments if i.program == 42 for n in i.notes]
    assert max(cello) <= 76 and lead.low < 60  # the tune in a cello's register, not a violin's
    assert "the cello plays the melody" in arr.notes[-1] and not arr.drums
    alone = plan(parse_text("violin only").style, 20.0, seed=0)
    assert [v.role for v in alone.voices] == ["lead"] and _longest_silence(to_midi(alone), 20.0) < 2.0


@pytest.mark.parametrize("asked", ["a rock song with a guitar solo", "I only like piano music", "calm piano music",
                                   "jazz with piano"])
def test_a_band_with_an_instrument_named_is_still_a_band(asked):
    from tools.language import parse_text

    style = parse_text(asked).style
    assert "solo" not in style.instruments
    arr = plan(style if style.genres else Style(genres={"pop": 1.0}, instruments=style.instruments), 20.0, seed=0)
    assert len({p["family"] for p in arr.parts()}) > 1


@pytest.mark.parametrize("asked", ["a drum solo", "just drums", "drums only", "a hip hop beat with only drums"])
def test_a_drum_solo_is_the_kit_alone_with_its_fills(asked):
    """'a drum solo' was a pop band (chords, bass, a tune); the drums alone now, with their fills, and no key."""
    from tools.language import parse_text

    style = parse_text(asked).style
    for seed in range(2):
        arr = plan(style, 16.0, seed=seed)
        pm = to_midi(arr)
        assert arr.voices == [] and arr.drums and arr.fills and arr.solo, (asked, seed)
        assert [i.is_drum for i in pm.instruments] == [True]
        assert [p["family"] for p in arr.parts()] == ["drums"]
        assert arr.notes[-1] == "played by the drums alone, as asked"
        assert _longest_silence(pm, arr.seconds) < 0.5 * arr.bar_seconds, (asked, seed)
        # a drummer alone fills every other bar of the verse and chorus (a band's drummer: every fourth): two or more
        # snare or tom hits in the bar's last beat
        fills = [S.SNARE, S.HIGH_TOM, S.MID_TOM, S.LOW_TOM]
        bars = [b for kind, f, n in arr.sections if kind in ("verse", "chorus") for b in range(f, f + n)]
        filled = [b for b in bars if sum(1 for x in pm.instruments[0].notes if x.pitch in fills and
                                         (b + 0.75) * arr.bar_seconds - 0.02 <= x.start < (b + 1) * arr.bar_seconds) >= 2]
        assert len(filled) >= len(bars) // 2, (asked, seed, bars, filled)


def test_a_drum_solo_is_mastered_to_the_target_loudness():
    """The limiter let go of a kit alone too slowly (120 ms) to come back between its hits: -15.6 and -16.9 LUFS."""
    import pyloudnorm

    for genres, seed in (({}, 0), ({"hip-hop": 1.0}, 1)):
        audio = render(plan(Style(genres=genres, instruments={"drums": 1.0, "solo": 1.0}), 20.0, seed=seed))
        assert abs(pyloudnorm.Meter(SR).integrated_loudness(audio) + 14.0) < 1.0, (genres, seed)


def test_with_drums_and_bass_alone_a_piano_added_takes_the_tune():
    from tools.language import parse_text

    style = parse_text("just drums and bass").style
    style.instruments["piano"] = 0.3  # 'add a piano'
    arr = plan(style, 12.0, seed=0)
    assert arr.solo and {p["family"] for p in arr.parts()} == {"drums", "bass", "piano"}, arr.parts()
    by_role = {v.role: v.program for v in arr.voices}
    assert by_role["lead"] == 0 and by_role["bass"] in range(32, 40), by_role  # not the bass on the tune


def test_a_solo_guitar_is_recorded_in_stereo():
    audio = render(plan(Style(instruments={"guitar": 1.0, "solo": 1.0}), 10.0, seed=1))
    assert audio.shape[1] == 2 and np.corrcoef(audio[:, 0], audio[:, 1])[0, 1] < 0.9


def test_a_soloist_from_a_style_without_chords_or_bass_still_plays_them():
    """'a calm piano piece' is ambient, whose parts are pads and a sparse tune: it was four piano notes in ten
    seconds. The pianist breaks the pads' chords and plays the roots."""
    from tools.language import parse_text

    for seed in range(3):
        arr = plan(parse_text("a calm piano piece").style, 12.0, seed=seed)
        assert arr.primary == "ambient" and arr.solo
        notes = {i.name.split(". ")[1].split()[0]: len(i.notes) for i in to_midi(arr).instruments}
        assert notes["comp"] >= 8 and notes["bass"] >= 2 and notes["lead"] >= 3, (seed, notes)


def test_a_solo_tune_sits_in_its_instruments_range_and_a_lone_one_does_not_stop():
    from tools.language import parse_text

    for asked, program, (lo, hi) in (("a cello piece", 42, (36, 76)), ("solo flute", 73, (60, 96)),
                                     ("a piece for trombone and piano", 57, (40, 72))):
        for seed in range(4):
            arr = plan(parse_text(asked).style, 12.0, seed=seed)
            pm = to_midi(arr)
            tune = [n.pitch for i in pm.instruments if i.program == program for n in i.notes]
            assert tune and lo <= min(tune) and max(tune) <= hi, (asked, seed, min(tune), max(tune))
            if len(pm.instruments) == 1:  # a melody alone: no stretch of silence a listener would take for the end
                assert _longest_silence(pm, arr.seconds) < 1.0, (asked, seed)


def test_a_soloists_sampled_stereo_does_not_cancel_in_mono():
    """The cello's samples are nearly opposite left and right (L/R -0.48 alone): a phone's one speaker lost 5 dB."""
    for seed in (0, 1):
        audio = render(plan(Style(instruments={"cello": 1.0, "solo": 1.0}), 8.0, seed=seed))
        assert np.corrcoef(audio[:, 0], audio[:, 1])[0, 1] > 0.2


def test_drums_beside_a_solo_are_a_drummers_and_the_others_named_hold_the_chords():
    from tools.language import parse_text

    style = parse_text("a piece for violin and piano").style
    style.instruments.update({"strings": 0.8, "drums": 0.8})  # 'add strings', 'add drums'
    arr = plan(style, 20.0, seed=1)
    assert arr.primary == "classical" and arr.kit == 8  # a room kit, not the orchestra's bass drum
    pm = to_midi(arr)
    hits = {n.pitch for i in pm.instruments if i.is_drum for n in i.notes}
    assert {36, 38} <= hits or {36, 40} <= hits  # a kick and a snare
    assert any(i.program == 48 and i.notes for i in pm.instruments)  # the strings play
    assert arr.notes[-1].startswith("played by the violin, the piano, the strings and the drums alone")


def test_the_parts_said_are_the_parts_that_play():
    """'What instruments are in it?' named players written only for a section the piece does not have (a 10 s
    string quartet's oboe, timpani and brass, chorus-only): 50 of 171 pieces over every style, 6-20 s, seeds 0-2."""
    for name in S.STYLES:
        for seconds, seed in ((6.0, 0), (10.0, 1), (20.0, 2)):
            arr = plan(Style(genres={name: 1.0}), seconds, seed=seed)
            pm = to_midi(arr)
            sounding = {i.program for i in pm.instruments if i.notes and not i.is_drum}
            parts = arr.parts()
            assert {p["program"] for p in parts if p["family"] != "drums"} == sounding, (name, seconds, seed)
            assert any(p["family"] == "drums" for p in parts) == any(i.notes for i in pm.instruments if i.is_drum)


@pytest.mark.parametrize("asked, players", [
    ("a duet for flute and guitar", {73, 25}), ("a flute and guitar duet", {73, 25}), ("a string quartet", {40, 41, 42}),
])
def test_a_duet_and_a_string_quartet_are_their_players_alone(asked, players):
    """'a duet for flute and guitar' was a band with drums; 'a string quartet' an orchestra with timpani and brass.
    Each player named plays (the duet's flute had the style's chorus-only tune, never reached in 10 s)."""
    from tools.language import parse_text

    for seed in range(3):
        arr = plan(parse_text(asked).style, 10.0, seed=seed)
        pm = to_midi(arr)
        assert arr.solo and not arr.drums
        assert {i.program for i in pm.instruments if i.notes} == players, (asked, seed)


def test_a_bass_line_alone_is_in_a_basss_register():
    """'just a bass line' played its tune at F4-G5, nothing under 250 Hz."""
    from tools.language import parse_text

    for seed in range(3):
        pm = to_midi(plan(parse_text("just a bass line").style, 10.0, seed=seed))
        pitches = [n.pitch for i in pm.instruments for n in i.notes]
        assert max(pitches) <= 60 and min(pitches) >= 28, (seed, min(pitches), max(pitches))


def test_players_left_out_are_named_as_people_say_them_and_not_at_all_under_a_solo():
    """'just the piano please' after 'get rid of the guitars' noted 'Acoustic Guitar (steel) left out (asked for no
    guitar)': General MIDI's names, for players nobody would hear anyway with the piano alone."""
    band = plan(Style(genres={"pop": 1.0}, avoid=["guitar"]), 10.0, seed=1)
    gone = [n for n in band.notes if " out (asked for no guitar)" in n]
    assert gone and all(n[0].islower() and "(steel)" not in n for n in gone), band.notes
    alone = plan(Style(genres={"pop": 1.0}, instruments={"piano": 1.0, "solo": 1.0}, avoid=["guitar"]), 10.0, seed=1)
    assert not [n for n in alone.notes if " out (" in n], alone.notes


def test_the_rhythm_said_is_the_groove_the_arranger_chose():
    """'what groove is it?' had nothing to be answered from: the arrangement's rhythm names its meter, the groove the
    seed chose (one of the style's), swung or straight, and whether drums play."""
    for seed in range(4):
        jazz = plan(Style(genres={"jazz": 1.0}), 8.0, seed)
        told = jazz.rhythm()
        assert told["meter"] == "4/4" and told["style"] == "jazz" and told["drums"]
        assert told["groove"] == jazz.groove and told["groove"] in {g.name for g in S.GROOVES["jazz"]}
        assert told["groove_of"] == "jazz" and not told["asked"]
        assert told["feel"] == ("straight" if jazz.swing < 0.1 else "swung eighths"), (told, jazz.swing)
    piano = plan(Style(instruments={"piano": 1.0, "solo": 1.0}, moods={"calm": 1.0}), 6.0, 1)
    assert not piano.rhythm()["drums"]
