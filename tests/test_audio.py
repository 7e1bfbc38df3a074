"""tools.audio: every format and rate in, mono float32 out; every kind of bad input refused clearly."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
import soundfile as sf

from tests.conftest import tone_mix
from tools.audio import clip_from_array, load_clip, write_wav
from tools.errors import AudioError


@pytest.mark.parametrize(
    "name,sr,channels,fmt",
    [
        ("a.wav", 8000, 1, {}),
        ("b.wav", 44100, 2, {"subtype": "PCM_24"}),
        ("c.flac", 96000, 2, {}),
        ("d.ogg", 48000, 1, {"format": "OGG", "subtype": "VORBIS"}),
        ("e.mp3", 44100, 2, {"format": "MP3"}),
        ("f.wav", 192000, 6, {"subtype": "FLOAT"}),
    ],
)
def test_reads_formats_rates_and_channels_to_mono_16k(write_audio, name, sr, channels, fmt):
    path = write_audio(name, tone_mix(seconds=3.0, sr=sr), sr=sr, channels=channels, **fmt)
    clip = load_clip(path, sample_rate=16000)
    assert clip.sample_rate == 16000
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert abs(clip.duration - 3.0) < 0.1  # mp3 adds encoder padding
    assert 0.05 < np.abs(clip.samples).max() < 1.0


def test_resampling_matches_librosa_load(write_audio):
    """Same samples as librosa.load(sr=16000), the musicnn reference's reader (soxr_hq)."""
    path = write_audio("x.wav", tone_mix(seconds=2.0, sr=44100), sr=44100, channels=2)
    ours = load_clip(path, 16000).samples
    ref, _ = librosa.load(path, sr=16000)
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_write_wav_is_atomic_and_readable(tmp_path):
    y = tone_mix(seconds=1.5, sr=32000)
    out = write_wav(tmp_path / "sub" / "g.wav", y, 32000)
    assert out.exists() and not list(out.parent.glob(".*part"))
    assert abs(load_clip(out, 32000).duration - 1.5) < 1e-3


# --- bad input: each case gives an AudioError that names the file and says what is wrong ---


def _bad_cases(tmp_path, write_audio, monkeypatch):
    cases = {}
    cases["missing"] = (tmp_path / "nope.wav", "no such file")
    cases["folder"] = (tmp_path, "is a folder")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    cases["zero bytes"] = (empty, "empty (0 bytes)")
    good = write_audio("good.wav", tone_mix(seconds=3.0))
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(good.read_bytes()[:30])
    cases["truncated"] = (truncated, "not audio we can read")
    corrupt = tmp_path / "corrupt.flac"
    corrupt.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    cases["corrupt bytes"] = (corrupt, "not audio we can read")
    text = tmp_path / "notes.mp3"
    text.write_text("these are my favourite songs\n" * 20)
    cases["text renamed mp3"] = (text, "looks like text")
    readme = tmp_path / "README.md"  # UTF-8 with a dash and an accent: was "Error opening <_io.BufferedReader ...>"
    readme.write_text("# Recordings — café sessions\n" * 40, encoding="utf-8")
    cases["UTF-8 text"] = (readme, "looks like text")
    png = tmp_path / "cover.mp3"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    cases["image renamed mp3"] = (png, "PNG image")
    cases["too short"] = (write_audio("short.wav", tone_mix(seconds=0.3)), "too short to analyse")
    cases["silence"] = (write_audio("silent.wav", np.zeros(22050 * 3, dtype=np.float32)), "is silent")
    nan = tone_mix(seconds=2.0)
    nan[100] = np.nan
    cases["nan"] = (write_audio("nan.wav", nan, subtype="FLOAT"), "NaN or infinity")
    inf = tone_mix(seconds=2.0)
    inf[5] = np.inf
    cases["inf"] = (write_audio("inf.wav", inf, subtype="FLOAT"), "NaN or infinity")
    cases["no samples"] = (write_audio("nosamples.wav", np.zeros(0, dtype=np.float32)), "contains no audio samples")
    cases["rate too low"] = (write_audio("lowrate.wav", tone_mix(seconds=2.0, sr=4000), sr=4000), "sample rate of 4000")
    return cases


def test_bad_inputs_raise_clear_errors(tmp_path, write_audio, monkeypatch):
    cases = _bad_cases(tmp_path, write_audio, monkeypatch)
    assert len(cases) >= 12
    for kind, (path, expected) in cases.items():
        with pytest.raises(AudioError) as err:
            load_clip(path)
        message = str(err.value)
        assert str(path) in message, kind
        assert expected in message, f"{kind}: {message}"
        assert "Traceback" not in message and "<_io" not in message and "Error opening" not in message, kind


def test_file_size_limit(write_audio, monkeypatch):
    path = write_audio("big.wav", tone_mix(seconds=6.0, sr=44100), sr=44100)
    monkeypatch.setenv("TASTEMAKER_MAX_FILE_MB", "0.1")
    with pytest.raises(AudioError, match="over the 0.1 MB limit"):
        load_clip(path)


def test_duration_limit_checked_before_decoding(write_audio, monkeypatch):
    path = write_audio("long.flac", tone_mix(seconds=8.0))
    monkeypatch.setenv("TASTEMAKER_MAX_DURATION_S", "5")
    with pytest.raises(AudioError, match="over the 5.0 s limit"):
        load_clip(path)


def test_max_seconds_keeps_the_start(write_audio):
    path = write_audio("long.wav", tone_mix(seconds=6.0))
    assert abs(load_clip(path, 16000, max_seconds=2.0).duration - 2.0) < 1e-3


def test_clip_from_array_rejects_nan_and_empty():
    with pytest.raises(AudioError):
        clip_from_array(np.array([0.0, np.nan]), 16000)
    with pytest.raises(AudioError):
        clip_from_array(np.zeros(0), 16000)
    stereo = np.stack([np.ones(100), np.zeros(100)])
    assert np.allclose(clip_from_array(stereo, 16000).samples, 0.5)


def test_sf_info_is_not_trusted_for_unreadable_files(tmp_path):
    """A file soundfile cannot open at all still gets the friendly message, not the library's error."""
    bogus = tmp_path / "bogus.ogg"
    bogus.write_bytes(b"OggS" + bytes(100))
    with pytest.raises(AudioError, match="not audio we can read"):
        load_clip(bogus)
    assert sf.__version__
