"""One part's channel strip: level, filters, EQ, an optional guitar amp, compression, a reverb send."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SILENT_RMS = 1e-5


@dataclass(frozen=True)
class Amp:
    """A guitar amp and cabinet: compression into a soft clipper (drive), then a speaker's band."""

    drive_db: float = 24.0
    low_cut_hz: float = 90.0
    high_cut_hz: float = 6500.0
    mid_scoop_db: float = -3.0  # at 500 Hz: the mud of a driven chord


@dataclass(frozen=True)
class Strip:
    """How one part is treated before it reaches the bus.

    level_db: the part's loudness on the bus (RMS over the time it plays, dBFS), before the master;
    eq: (kind, Hz, gain dB, Q) with kind 'peak', 'low_shelf' or 'high_shelf';
    compress: (threshold dB below the part's level, ratio) or None; reverb_send: 0..1 of the part into the room.
    """

    level_db: float = -20.0
    highpass_hz: float = 30.0
    lowpass_hz: float | None = None
    eq: tuple[tuple[str, float, float, float], ...] = ()
    compress: tuple[float, float] | None = None
    attack_ms: float = 10.0
    amp: Amp | None = None
    reverb_send: float = 0.2
    double: bool = False  # double-tracked: the part left, a second take (delayed, pitch-wobbled) right
    ambience: float = 0.0  # wet level of a short stereo room of the part's own (a drum kit's room microphones)


def active_rms(audio: np.ndarray, rate: int) -> float:
    """RMS over the 100 ms windows where the part plays (within 40 dB of its loudest window)."""
    mono = (audio[::4].mean(axis=1) if audio.ndim == 2 else audio[::4]).astype(np.float32)  # every 4th: plenty
    rate = max(1, rate // 4)
    w = max(1, rate // 10)
    n = len(mono) // w
    if n == 0:
        return float(np.sqrt(np.mean(mono ** 2))) if mono.size else 0.0
    rms = np.sqrt(np.mean(mono[: n * w].reshape(n, w) ** 2, axis=1))
    playing = rms[rms > rms.max() * 0.01]
    return float(np.sqrt(np.mean(playing ** 2))) if playing.size else 0.0


def _board(strip: Strip, level_db: float):
    import pedalboard as pb

    chain = [pb.HighpassFilter(cutoff_frequency_hz=strip.highpass_hz)]
    if strip.amp is not None:
        a = strip.amp
        chain += [pb.Compressor(threshold_db=level_db - 6, ratio=4, attack_ms=5, release_ms=80),
                  pb.HighpassFilter(cutoff_frequency_hz=a.low_cut_hz), pb.Distortion(drive_db=a.drive_db),
                  pb.PeakFilter(cutoff_frequency_hz=500, gain_db=a.mid_scoop_db, q=0.8),
                  pb.LowpassFilter(cutoff_frequency_hz=a.high_cut_hz),
                  pb.LowpassFilter(cutoff_frequency_hz=a.high_cut_hz * 1.4)]
    if strip.lowpass_hz:
        chain.append(pb.LowpassFilter(cutoff_frequency_hz=strip.lowpass_hz))
    for kind, hz, gain, q in strip.eq:
        if kind == "peak":
            chain.append(pb.PeakFilter(cutoff_frequency_hz=hz, gain_db=gain, q=q))
        elif kind == "low_shelf":
            chain.append(pb.LowShelfFilter(cutoff_frequency_hz=hz, gain_db=gain, q=q))
        elif kind == "high_shelf":
            chain.append(pb.HighShelfFilter(cutoff_frequency_hz=hz, gain_db=gain, q=q))
        else:
            raise ValueError(f"unknown EQ kind {kind!r}")
    if strip.ambience > 0:
        chain.append(pb.Reverb(room_size=0.12, damping=0.7, width=1.0, wet_level=strip.ambience, dry_level=1.0))
    if strip.compress is not None:
        below, ratio = strip.compress
        chain.append(pb.Compressor(threshold_db=level_db - below, ratio=ratio, attack_ms=strip.attack_ms,
                                   release_ms=120))
    return pb.Pedalboard(chain)


def _double(stereo: np.ndarray, rate: int) -> np.ndarray:
    """Automatic double tracking, as studios did it on tape: the part hard left, a copy 17 ms late with a slow
    pitch wobble hard right (two takes never line up)."""
    import pedalboard as pb

    mono = np.ascontiguousarray(stereo.mean(axis=1), dtype=np.float32)
    take = pb.Pedalboard([pb.Delay(delay_seconds=0.017, feedback=0.0, mix=1.0),
                          pb.Chorus(rate_hz=0.35, depth=0.12, centre_delay_ms=4.0, feedback=0.0, mix=1.0)])(
        mono[None, :], rate)[0]
    return np.stack([0.93 * mono + 0.07 * take, 0.07 * mono + 0.93 * take], axis=1).astype(np.float32)


def process(stem: np.ndarray, rate: int, strip: Strip) -> np.ndarray:
    """A (frames, 2) stem through its strip, at its level on the bus. A silent stem stays silent."""
    rms = active_rms(stem, rate)
    if rms < SILENT_RMS:
        return np.zeros_like(stem)
    # level it first, so thresholds sit where the part plays whatever its preset's own volume
    level = np.ascontiguousarray(stem.T, dtype=np.float32)
    level *= 10 ** (strip.level_db / 20) / rms
    out = _board(strip, strip.level_db)(level, rate).T
    if strip.double:
        out = _double(out, rate)
    out *= 10 ** (strip.level_db / 20) / max(active_rms(out, rate), 1e-12)
    return out
