"""The mix bus: processed parts summed, plus one shared room (a reverb fed by each part's send)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.mixing.strip import Strip, process


@dataclass(frozen=True)
class Room:
    """The space the band plays in: a reverb's size, damping, width, and how loud its return is."""

    size: float = 0.4
    damping: float = 0.5
    width: float = 1.0
    return_db: float = -6.0
    predelay_ms: float = 15.0


def mixdown(stems: list[np.ndarray], strips: list[Strip], rate: int, room: Room) -> np.ndarray:
    """Sum of the stems through their strips, with the room's return; (frames, 2) float32."""
    import pedalboard as pb

    if not stems:
        raise ValueError("nothing to mix")
    frames = max(len(s) for s in stems)
    dry = np.zeros((2, frames), dtype=np.float32)
    send = np.zeros((2, frames), dtype=np.float32)
    for stem, strip in zip(stems, strips):
        out = process(stem, rate, strip).T
        dry[:, : out.shape[1]] += out
        if strip.reverb_send > 0:
            send[:, : out.shape[1]] += np.float32(strip.reverb_send) * out
    if send.any():
        board = pb.Pedalboard([
            pb.HighpassFilter(cutoff_frequency_hz=200),  # no muddy low end in the room
            pb.Reverb(room_size=room.size, damping=room.damping, width=room.width, wet_level=1.0, dry_level=0.0),
        ])
        wet = board(send, rate)
        predelay = min(frames, int(room.predelay_ms / 1000 * rate))  # the room answers after a moment
        dry[:, predelay:] += np.float32(10 ** (room.return_db / 20)) * wet[:, : frames - predelay]
    return dry.T
