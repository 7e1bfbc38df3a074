"""The one place that reads audio files.

Any of wav, flac, ogg (Vorbis/Opus) and mp3, any sample rate from 8 to 192 kHz
and any channel count, to a mono float32 `Clip` at the requested rate
(channels averaged, then librosa's default soxr_hq resampler, the one the
musicnn reference uses).

Limits (settings, see README): files larger than TASTEMAKER_MAX_FILE_MB or
longer than TASTEMAKER_MAX_DURATION_S are refused before decoding; audio
shorter than TASTEMAKER_MIN_DURATION_S (1 s) is refused as too short to
analyse. (The tagger loops clips between 1 and 3 s to fill its 3 s window.)
Silence (peak below -80 dBFS) and NaN or infinite samples are refused.
Every problem, a file that cannot be opened or read included (permissions, I/O
errors), is an AudioError whose message names the file (as the caller names it:
`name=` keeps server folders out of what a person sees) and says what to do.
"""

from __future__ import annotations

import errno
import io
import os
import re
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from tools.atomic import write_bytes
from tools.contracts import Clip
from tools.errors import AudioError
from tools.settings import Settings, get_settings

SUPPORTED = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aiff", ".aif")
MIN_RATE, MAX_RATE = 8000, 192000
SILENCE_PEAK = 1e-4  # -80 dBFS

_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\x7fELF": "a program",
}
_FIX = "Please upload a wav, flac, ogg or mp3 recording."


def _describe_non_audio(head: bytes) -> str | None:
    for magic, what in _SIGNATURES.items():
        if head.startswith(magic):
            return what
    try:  # UTF-8 text (a README with a dash or an accent in it); the last character may be cut at 512 bytes
        text = head[:512].decode("utf-8", errors="strict" if len(head) < 512 else "ignore")
    except UnicodeDecodeError:
        return None
    if text and all(c.isprintable() or c in "\t\r\n" for c in text):
        return "text"
    return None


def unreadable(name: object, exc: OSError) -> AudioError:
    """The AudioError for a file the system will not let us read (permissions, I/O errors, a vanished file)."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return AudioError(name, "cannot be read: permission denied.", "Check the file's permissions, or copy it "
                          "somewhere you can read it.")
    if exc.errno == errno.ENOENT:
        return AudioError(name, "no such file.", "Check the path and try again.")
    return AudioError(name, f"cannot be read ({exc.strerror or type(exc).__name__}).",
                      "The disk or the copy may be failing; try the file again.")


def check_file(path: str | os.PathLike, settings: Settings | None = None, name: object = None) -> Path:
    """Checks that need no decoding: exists, is a file, not empty, not too big."""
    settings = settings or get_settings()
    p = Path(path)
    name = p if name is None else name
    try:
        if not p.exists():
            raise AudioError(name, "no such file.", "Check the path and try again.")
        if p.is_dir():
            raise AudioError(name, "is a folder, not an audio file.", "Give the path of one audio file.")
        size = p.stat().st_size
    except OSError as exc:
        raise unreadable(name, exc) from None
    if size == 0:
        raise AudioError(name, "is empty (0 bytes).", "The upload or copy may have failed; try the file again.")
    limit = settings.max_file_mb * 1024 * 1024
    if size > limit:
        raise AudioError(
            name,
            f"is {size / 1e6:.0f} MB, over the {settings.max_file_mb:g} MB limit.",
            "Trim it to a shorter excerpt, or raise TASTEMAKER_MAX_FILE_MB.",
        )
    return p


def _decode(fh, name: object) -> tuple[np.ndarray, int]:
    """Decode an open file (read through Python, so a read error is an OSError with its errno)."""
    head = fh.read(1024)
    fh.seek(0)
    try:
        data, rate = sf.read(fh, dtype="float32", always_2d=True)
    except OSError as exc:
        raise unreadable(name, exc) from None
    except Exception as exc:  # soundfile raises LibsndfileError, RuntimeError, TypeError...
        raise _not_audio(name, head, exc) from None
    return data, int(rate)


def _not_audio(name: object, head: bytes, exc: Exception) -> AudioError:
    """The AudioError for bytes soundfile cannot open: what they look like, else soundfile's reason."""
    what = _describe_non_audio(head)
    if what:
        return AudioError(name, f"is not audio we can read: it looks like {what}.", _FIX)
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    # libsndfile names the open file ("Error opening <_io.BufferedReader name='/srv/...'>: ..."): never a path
    reason = re.sub(r"^Error opening <[^>]*>:\s*", "", reason)
    return AudioError(name, f"is not audio we can read ({reason}).", "The file may be corrupt or truncated. " + _FIX)


def probe_file(path: str | os.PathLike, settings: Settings | None = None, name: object = None) -> Path:
    """check_file, plus the header opened (nothing decoded): a file that is not audio is found at once,
    with the same words load_clip would say after the work."""
    p = check_file(path, settings, name)
    shown = p if name is None else name
    try:
        with open(p, "rb") as fh:
            head = fh.read(1024)
            fh.seek(0)
            try:
                sf.info(fh)
            except OSError as exc:
                raise unreadable(shown, exc) from None
            except Exception as exc:  # noqa: BLE001 - soundfile's many error types, said as load_clip says them
                raise _not_audio(shown, head, exc) from None
    except OSError as exc:
        raise unreadable(shown, exc) from None
    return p


def _length_words(seconds: float) -> str:
    return f"{seconds / 60:.1f} minutes" if seconds >= 120 else f"{seconds:.1f} s"


def _too_long(name: object, seconds: float, settings: Settings) -> AudioError:
    return AudioError(
        name,
        f"is {_length_words(seconds)} long, over the {_length_words(settings.max_duration_s)} limit.",
        "Trim it to an excerpt, or raise TASTEMAKER_MAX_DURATION_S.",
    )


def load_clip(
    path: str | os.PathLike,
    sample_rate: int = 16000,
    settings: Settings | None = None,
    max_seconds: float | None = None,
    name: str | None = None,
) -> Clip:
    """Read, validate and resample one file to a mono float32 Clip.

    `max_seconds` keeps only the start of long files (after the duration
    limit has been checked), for callers that need only an excerpt. `name` is
    how errors call the file (default: the path as given), e.g. the name a
    person uploaded it under, so a server's folders are never shown.
    """
    settings = settings or get_settings()
    shown = path if name is None else name
    p = check_file(path, settings, shown)
    try:
        with open(p, "rb") as fh:
            data, rate = _read_within_limits(fh, shown, settings)
    except OSError as exc:
        raise unreadable(shown, exc) from None
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(shown, f"has a sample rate of {rate} Hz; we read 8 kHz to 192 kHz.", "Please convert it first.")
    if data.size == 0 or data.shape[0] == 0:
        raise AudioError(shown, "contains no audio samples.", "The file may be truncated. " + _FIX)
    if not np.isfinite(data).all():
        raise AudioError(shown, "contains invalid samples (NaN or infinity).", "Re-export it from your audio editor.")
    seconds = data.shape[0] / rate
    if seconds > settings.max_duration_s:
        raise _too_long(shown, seconds, settings)
    if seconds < settings.min_duration_s:
        raise AudioError(
            shown,
            f"is only {seconds:.2f} s long, too short to analyse (at least {settings.min_duration_s:g} s).",
            "Please use a longer excerpt (3 s or more is best).",
        )
    if max_seconds is not None:
        data = data[: int(max_seconds * rate)]
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if float(np.abs(mono).max()) < SILENCE_PEAK:
        raise AudioError(shown, "is silent (no sound above -80 dBFS).", "Please choose a recording with music in it.")
    if rate != sample_rate:
        mono = librosa.resample(mono, orig_sr=rate, target_sr=sample_rate, res_type="soxr_hq")
    return Clip(samples=np.ascontiguousarray(mono, dtype=np.float32), sample_rate=sample_rate, path=str(p))


def _read_within_limits(fh, name: object, settings: Settings) -> tuple[np.ndarray, int]:
    """The duration limit checked from the header before decoding (a 2-hour file is never decoded), then decode."""
    try:
        info = sf.info(fh)
        if info.frames > 0 and info.samplerate > 0:
            seconds = info.frames / info.samplerate
            if seconds > settings.max_duration_s:
                raise _too_long(name, seconds, settings)
    except (AudioError, OSError):
        raise
    except Exception:
        pass  # _decode reports unreadable files with a better message
    fh.seek(0)
    return _decode(fh, name)


def read_stereo(path: str | os.PathLike, name: str | None = None) -> tuple[np.ndarray, int]:
    """A short sound the program ships with or installs (a drum sample), or a piece it made (to draw it): (frames, 2)
    float32 as recorded, a mono file in both channels, and its rate. No duration or silence rules (a hi-hat is
    0.04 s); an unreadable file is an AudioError naming it (`name`, else the path)."""
    p = Path(path)
    shown = p if name is None else name
    try:
        with open(p, "rb") as fh:
            data, rate = _decode(fh, shown)
    except OSError as exc:
        raise unreadable(shown, exc) from None
    data = np.repeat(data[:, :1], 2, axis=1) if data.shape[1] == 1 else data[:, :2]
    return np.ascontiguousarray(data, dtype=np.float32), rate


def clip_from_array(samples: np.ndarray, sample_rate: int, name: str = "<memory>") -> Clip:
    """A Clip from samples already in memory (generated audio), validated the same way."""
    y = np.asarray(samples, dtype=np.float32)
    if y.ndim == 2:
        y = y.mean(axis=0) if y.shape[0] < y.shape[1] else y.mean(axis=1)
    if y.size == 0:
        raise AudioError(name, "contains no audio samples.")
    if not np.isfinite(y).all():
        raise AudioError(name, "contains invalid samples (NaN or infinity).")
    return Clip(samples=np.ascontiguousarray(y), sample_rate=int(sample_rate), path=name)


def write_wav(path: str | os.PathLike, samples: np.ndarray, sample_rate: int) -> Path:
    """Write 16-bit WAV atomically (a temp file, then rename); a failed write leaves nothing and is a StorageError.

    Encoded in memory first: libsndfile reports a full disk only as "System error" and leaves a partial
    file, while Python's own write says ENOSPC.
    """
    buffer = io.BytesIO()
    sf.write(buffer, np.asarray(samples, dtype=np.float32), int(sample_rate), subtype="PCM_16", format="WAV")
    return write_bytes(path, buffer.getvalue())


def is_audio_name(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in SUPPORTED
