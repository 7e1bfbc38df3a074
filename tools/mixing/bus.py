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
    dry = np.zeros((frames, 2), dtype=np.float32)
    send = np.zeros((frames, 2), dtype=np.float32)
    for stem, strip in zip(stems, strips):
        out = process(stem, rate, strip)
        dry[: len(out)] += out
        send[: len(out)] += strip.reverb_send * out
    if send.any():
        board = pb.Pedalboard([
            pb.Delay(delay_seconds=room.predelay_ms / 1000, feedback=0.0, mix=1.0),
            pb.HighpassFilter(cutoff_frequency_hz=200),  # no muddy low end in the room
            pb.Reverb(room_size=room.size, damping=room.damping, width=room.width, wet_level=1.0, dry_level=0.0),
        ])
        dry += 10 ** (room.return_db / 20) * board(send.T, rate).T
    return dry
