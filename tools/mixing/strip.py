"""One part's channel strip: level, filters, EQ, an optional guitar amp, compression, a reverb send."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SILENT_RMS = 1e-5
SILENT_SAMPLE = 1e-6  # under this a stretch of a stem is silence (FluidSynth writes exact zeros between notes)
QUIET_GAP_S = 2.0  # silences at least this long are not run through the chain...
RING_S = 1.0  # ...except for the first RING_S of them, where the effects ring out


@dataclass(frozen=True)
class Amp:
    """A guitar amp and cabinet: compression into a soft clipper (drive), then a speaker's band."""

    drive_db: float = 24.0
    low_cut_hz: float = 90.0
    high_cut_hz: float = 6500.0
    mid_scoop_db: float = -3.0  # at 500 Hz: the mud of a driven chord
    presence_db: float = 0.0  # at 3 kHz: the cabinet's bite (a driven chord's harmonics pile up there)


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
    pan: float = 0.0  # -1 left .. 1 right, applied after the chain (a mono part is processed once, then panned)
    width: float = 1.0  # a stereo part's side signal kept (1: as sampled; 0: its mono sum)


def active_rms(audio: np.ndarray, rate: int) -> float:
    """RMS over the 100 ms windows where the part plays (within 40 dB of its loudest window). `audio`: (frames,)
    or (channels, frames)."""
    mono = (audio[:, ::4].mean(axis=0) if audio.ndim == 2 else audio[::4]).astype(np.float32)  # every 4th: plenty
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
                  pb.PeakFilter(cutoff_frequency_hz=3000, gain_db=a.presence_db, q=0.7),
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


def _double(mono: np.ndarray, rate: int) -> np.ndarray:
    """Automatic double tracking, as studios did it on tape: the part hard left, a copy 17 ms late with a slow
    pitch wobble hard right (two takes never line up). (2, frames)."""
    import pedalboard as pb

    late = np.zeros_like(mono)
    lag = int(0.017 * rate)
    late[lag:] = mono[: len(mono) - lag]
    take = pb.Chorus(rate_hz=0.35, depth=0.12, centre_delay_ms=4.0, feedback=0.0, mix=1.0)(late[None, :], rate)[0]
    return np.stack([0.93 * mono + 0.07 * take, 0.07 * mono + 0.93 * take]).astype(np.float32)


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan: the left and right gains for -1 (left) .. 1 (right); 1 and 1 in the middle."""
    angle = (float(np.clip(pan, -1.0, 1.0)) + 1) * np.pi / 4
    return float(np.sqrt(2) * np.cos(angle)), float(np.sqrt(2) * np.sin(angle))


def playing_spans(signal: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """(start, end) sample ranges of a (channels, frames) signal that need processing: where it plays, and RING_S
    after each stretch; silences of QUIET_GAP_S or more are left out (a part that plays only in the choruses
    costs only the choruses)."""
    block = 1024
    n = signal.shape[1]
    whole = n // block * block
    loud = np.abs(signal[:, :whole].reshape(len(signal), -1, block)).max(axis=(0, 2))
    if whole < n:
        loud = np.r_[loud, np.abs(signal[:, whole:]).max()]
    playing = np.flatnonzero(loud > SILENT_SAMPLE)
    if not len(playing):
        return []
    gap = int(QUIET_GAP_S * rate / block)
    breaks = np.flatnonzero(np.diff(playing) > gap)
    starts, ends = playing[np.r_[0, breaks + 1]], playing[np.r_[breaks, len(playing) - 1]]
    ring = int(RING_S * rate)
    return [(int(a) * block, min(n, (int(b) + 1) * block + ring)) for a, b in zip(starts, ends)]


def process(stem: np.ndarray, rate: int, strip: Strip) -> np.ndarray:
    """A (frames, 2) stem through its strip, at its level on the bus and at its pan; (frames, 2). A stem whose
    channels are the same (a mono sample in the middle) is processed once and panned after; silent stretches are
    skipped. A silent stem stays silent."""
    channels = stem.T
    mono = bool(np.array_equal(channels[0], channels[1]))
    signal = channels[:1] if mono else channels
    rms = active_rms(signal, rate)
    if rms < SILENT_RMS:
        return np.zeros((channels.shape[1], 2), dtype=np.float32)
    # level it first, so thresholds sit where the part plays whatever its preset's own volume
    level = signal * np.float32(10 ** (strip.level_db / 20) / rms)
    if mono and strip.ambience > 0 and not strip.double:
        level = np.repeat(level, 2, axis=0)  # its room is stereo
    board = _board(strip, strip.level_db)
    out = np.zeros_like(level)
    for start, end in playing_spans(level, rate):
        out[:, start:end] = board(level[:, start:end], rate)
    if strip.double:
        out = _double(out.mean(axis=0), rate)
    if len(out) == 2 and strip.width != 1.0 and not strip.double:  # narrowed about its middle: the side scaled, the mid kept
        mid, side = (out[0] + out[1]) / 2, (out[0] - out[1]) / 2 * np.float32(strip.width)
        out = np.stack([mid + side, mid - side])
    out *= np.float32(10 ** (strip.level_db / 20) / max(active_rms(out, rate), 1e-12))
    left, right = pan_gains(strip.pan)
    if len(out) == 1:
        return np.stack([left * out[0], right * out[0]], axis=1)
    out[0] *= left
    out[1] *= right
    return out.T
