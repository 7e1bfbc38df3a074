"""How a sketch piece is produced: each part's sound, its channel strip, the style's room, and the master.

The arranger decides the notes, the pans and the reverb sends (they travel in the MIDI as CC10 and CC91); this
module renders every part as a stereo stem (tools/render) and mixes them like a small studio would (tools/mixing):
parts levelled by role, driven guitars through an amp instead of a clipper, drums that cut through in rock and
metal, a room per style, and a master at -14 LUFS with its true peak at or under -1 dBTP.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pretty_midi

from tools.generate.sketch import styles as S
from tools.generate.sketch.instruments import sample_kit_for, source_for
from tools.mixing.bus import Room, mixdown
from tools.mixing.master import Master, finish
from tools.mixing.strip import Amp, Strip, pan_gains, playing_spans
from tools.render import RENDER_RATE, midi_pan, render_parts
from tools.sampler import SampleKit, play

# Channel strips by role; the styles below adjust them.
# no compressor on the kit: squeezed, its cymbals sustained into a wash the tagger heard as techno (funk's rank
# 8-11 with one, 5 without; blues 10 -> 4)
DRUMS = Strip(level_db=-17, highpass_hz=30, compress=None,
              eq=(("peak", 400, -2.5, 1.0), ("high_shelf", 9000, 2.0, 0.7)), reverb_send=0.12, ambience=0.3)
BASS = Strip(level_db=-19, highpass_hz=35, lowpass_hz=5000, compress=(6, 4.0), attack_ms=8,
             eq=(("low_shelf", 90, 2.0, 0.7), ("peak", 250, -2.0, 1.0)), reverb_send=0.0)
COMP = Strip(level_db=-22, highpass_hz=90, compress=(6, 2.0), eq=(("peak", 3200, -1.5, 1.0),), reverb_send=0.22)
PAD = Strip(level_db=-25, highpass_hz=140, eq=(("peak", 2800, -2.0, 0.8),), reverb_send=0.35)
LEAD = Strip(level_db=-20, highpass_hz=140, compress=(5, 2.5), eq=(("peak", 3000, -1.0, 1.0),), reverb_send=0.25)
VOICE = Strip(level_db=-17, highpass_hz=110, compress=(8, 3.0), attack_ms=5, eq=(("peak", 3500, 2.0, 1.0),),
              reverb_send=0.08)
ROLE_STRIPS = {"bass": BASS, "comp": COMP, "pad": PAD, "lead": LEAD}
GUITAR_AMP = Amp(drive_db=22, high_cut_hz=5500, mid_scoop_db=-3)
# measured against the real recordings' long-term spectrum (docs/sound.md): rock's driven guitars had 5 dB too
# much 2-4 kHz; metal's kit and amp too little above 4 kHz
AMPS = {"rock": replace(GUITAR_AMP, high_cut_hz=7000, presence_db=-6.0),
        "punk": replace(GUITAR_AMP, high_cut_hz=4500, presence_db=-4.0),
        "metal": replace(GUITAR_AMP, drive_db=42, high_cut_hz=7500)}
# a band's own amp where it is not the style's (styles.LINEUPS, by style and line-up name): punk's crunch guitars
# through a low-gain amp with the mids forward (a cranked plexi), its one-guitar band through a scooped, dark fuzz
LINEUP_AMPS = {
    ("punk", "crunch guitars"): replace(AMPS["punk"], drive_db=12, high_cut_hz=6000, mid_scoop_db=2.0,
                                        presence_db=0.0),
    ("punk", "one distorted guitar"): replace(AMPS["punk"], drive_db=34, high_cut_hz=3500, mid_scoop_db=-7.0,
                                              presence_db=-2.0),
    # metal: a death-metal band's scooped, saturated wall against a gothic band's warmer, less saturated tone
    ("metal", "one guitar"): replace(AMPS["metal"], drive_db=48, mid_scoop_db=-8.0),
    ("metal", "gothic: guitars and church organ"): replace(AMPS["metal"], drive_db=36, high_cut_hz=6500,
                                                           mid_scoop_db=0.0),
}
# rock's driven rhythm guitars after the amp, as a mixing engineer would carve them out of the bass and kick: their
# low mids 3-5 dB over the real rock's long-term spectrum and a honk at 2-3 kHz (docs/sound.md, round 5); a cut
# here, on the mix side, leaves the notes (and what the key estimator reads from them) as they are
ROCK_RHYTHM_EQ = (("peak", 500, -6.0, 0.7), ("peak", 2500, -5.0, 1.0))


# The room each style plays in (reverb size, damping, return level).
ROOMS = {
    "classical": Room(size=0.85, damping=0.35, return_db=-5, predelay_ms=25),
    "ambient": Room(size=0.95, damping=0.3, return_db=-3, predelay_ms=30),
    "new age": Room(size=0.9, damping=0.35, return_db=-4, predelay_ms=25),
    "chillout": Room(size=0.65, damping=0.5, return_db=-7),
    "jazz": Room(size=0.35, damping=0.55, return_db=-10, predelay_ms=8),
    "blues": Room(size=0.4, damping=0.5, return_db=-10),
    "hip-hop": Room(size=0.3, damping=0.6, return_db=-11),
    "metal": Room(size=0.4, damping=0.6, return_db=-14),
    "punk": Room(size=0.3, damping=0.6, return_db=-15),
    "rock": Room(size=0.45, damping=0.55, return_db=-12),
    "techno": Room(size=0.55, damping=0.45, return_db=-9),
    "house": Room(size=0.5, damping=0.45, return_db=-9),
    "electronic": Room(size=0.6, damping=0.45, return_db=-9),
    "dance": Room(size=0.5, damping=0.5, return_db=-11),
}
DEFAULT_ROOM = Room(size=0.45, damping=0.5, return_db=-10)
# players recorded together in a room, its microphones part of the sound: the room comes back 3 dB louder than the
# table's send-return balance (dev seeds 4-7, the judge's detector 0.804 -> 0.798, docs/sound.md round 10); a drum
# machine and synths recorded direct (ELECTRONIC) keep theirs, and an orchestra's hall is HALLS'
BAND_ROOM_DB = 3.0
# the orchestral recordings the judge compares with differ from song to song in how much hall there is around the
# orchestra (their spectral contrast's spread between songs, docs/sound.md round 8c): a classical piece's seed picks
# a studio stage, the book's concert hall or a large, wet hall
HALLS = (Room(size=0.6, damping=0.5, return_db=-10, predelay_ms=15), ROOMS["classical"],
         Room(size=0.93, damping=0.4, return_db=-1, predelay_ms=35))
LOUD_BANDS = {"rock", "metal", "punk"}
ELECTRONIC = {"electronic", "techno", "house"}
# An electronic record's space is an effect, not a room the players stand in: its synths and drum machine are sent
# deep into a long reverb (the clap's plate, the pad's hall), twice as deep as a band's parts plus a little more,
# so that even the synth bass's upper harmonics get a tail (a part's send becomes 2 x send + 0.1, at most 1; the
# detector told them from the real electronic music a little less well, docs/sound.md round 10, elec10). House keeps
# a band's sends: its piano and organ stabs are a record's sample, and wet the tagger heard it as techno (a seed's
# house fell out of its top 5)
ELECTRONIC_SENDS = (2.0, 0.1)
DEEP_SENDS = {"electronic", "techno"}
# ...and its synths are stereo (unison voices, chorus), where a General MIDI preset is one mono sample panned: the real
# electronic music's L/R correlation is 0.67, ours was 0.80-0.85 (techno up to 0.95). Each synth part of an electronic
# or techno piece is double-tracked (Strip.double: a second, late, wobbling take on the other side): 0.66-0.72, the
# judge's detector and Fréchet distances unchanged or a little closer (docs/sound.md, round 16). House keeps mono
# synths: with stereo ones the tagger heard a house seed as techno and electronic (its rank 5 -> 9)
STEREO_SYNTH_ROLES = {"comp", "pad", "lead"}
STEREO_SYNTHS = {"electronic", "techno"}
# Dense masters for loud genres (real metal has a crest factor near 11 dB), gentle ones for acoustic music.
RELEASE_MS_DRUMS = 40.0  # the limiter lets go between the hits (-15.6..-16.9 LUFS at 120 ms)
DENSE = Master(glue_db=0.0, glue_ratio=3.0)
# electronic, techno, house: 3 to 6 dB brighter above 4 kHz than the real electronic recordings (the long-term
# spectrum, docs/sound.md round 3); a darker master brings them within 3 dB. Its high-pass lower: their sub-bass
# (the real music's is 9-11 dB over ours under 40 Hz, round 8a)
# Their room floor stays faint (-36 dB): a drum machine and synths recorded direct have little room under them (at
# -30, as the bands have, house's Fréchet distance to the real electronic music rose, docs/sound.md round 9c). And
# they end as loop music does, faded out over 1.5 s, not stopped on a beat as a band stops (with the band's ending,
# techno's Fréchet distance rose 1.65 -> 1.76 on the dev seeds, round 9c)
DARK = Master(glue_db=0.0, glue_ratio=3.0, top_shelf_db=-4.0, highpass_hz=18.0, room_tone_db=-36.0, fade_out_s=1.5)
LOUD = Master(glue_db=0.0, glue_ratio=3.0, peak_dbtp=-6.5)  # rock, metal, punk: a loud record, turned down
GENTLE = Master(glue_db=6.0, glue_ratio=1.5)
DRUMS_ALONE = Master(glue_db=3.0, release_ms=RELEASE_MS_DRUMS)
# a hall's music ends as the hall lets it: its last chord dies away into the reverb over 1.5 s (classical's frames
# need those quiet last moments: its Fréchet distance rose without them, docs/sound.md round 9c)
RINGING = replace(GENTLE, fade_out_s=1.5)
MASTERS = {name: DENSE for name in ("techno", "house", "dance", "hip-hop", "electronic")}
MASTERS.update({name: DARK for name in ("techno", "house", "electronic")})
MASTERS.update({name: LOUD for name in LOUD_BANDS})
MASTERS.update({name: GENTLE for name in ("classical", "ambient", "new age", "jazz", "folk")})
MASTERS.update({name: RINGING for name in ("classical", "ambient", "new age")})
# Where each piece of the kit sits, from the audience (kick, snare, claps and rim in the middle): hats right, ride
# left, toms from high (right) to floor (left), hand percussion wide. A kit is recorded with overheads: its width
# comes from where the pieces stand, not from an effect.
KIT_PANS = {S.HAT: 0.3, S.PEDAL_HAT: 0.3, S.OPEN_HAT: 0.3, S.RIDE: -0.35, S.RIDE_BELL: -0.35, S.CRASH: -0.25,
            S.CHINA: 0.45, S.HIGH_TOM: 0.3, S.MID_TOM: 0.0, S.LOW_TOM: -0.35, S.TAMBOURINE: 0.55, S.SHAKER: -0.55,
            S.COWBELL: 0.4}


def strip_for(role: str, program: int, drive: float, style: str, primary: str, send: float | None,
              double: bool = False) -> Strip:
    """A part's strip: the role's, adjusted for its instrument and the piece's style."""
    if role == "drums":
        strip = DRUMS
        if primary in LOUD_BANDS:  # drums that cut through a guitar wall
            strip = replace(strip, level_db=-15, eq=(("peak", 400, -3.0, 1.0), ("peak", 4000, 2.0, 1.0),
                                                      ("high_shelf", 9000, 3.0, 0.7)))
            if primary == "metal":  # real metal's cymbals: 4 to 6 dB more above 4 kHz than this kit gave
                strip = replace(strip, eq=strip.eq[:1] + (("high_shelf", 5000, 6.0, 0.7),))
        elif primary in ("classical", "ambient", "new age", "jazz", "folk"):
            strip = replace(strip, level_db=-20)
        elif primary in ELECTRONIC:
            # their kits (the 808's metallic hats above all) gave these mixes 6-11 dB more above 2.5 kHz than the
            # real electronic music and a spiky top band (spectral contrast 6.4-11 kHz); a cut here, not on the
            # master, leaves the synths' bite (docs/sound.md, round 8a: Fréchet down for all three)
            strip = replace(strip, eq=(("peak", 400, -2.5, 1.0), ("high_shelf", 2000, -10.0, 0.7)))
    elif role == "voice":
        strip = VOICE
    else:
        strip = ROLE_STRIPS.get(role, COMP)
    if role == "bass" and primary in ELECTRONIC:  # the real electronic music has 9-11 dB more under 40 Hz
        strip = replace(strip, highpass_hz=20)
    if role == "bass" and primary in ("rock", "punk"):  # real rock has 2-3 dB less below 60 Hz
        strip = replace(strip, eq=(("low_shelf", 90, 0.0, 0.7), ("peak", 250, -2.0, 1.0)), highpass_hz=45)
    if drive > 0 or program in (29, 30):  # overdriven and distortion guitars: a real amp, not a clipper
        # metal: more gain (drive 28 dB: the tagger heard rock, electronic, experimental; 40: metal ranked 4)
        amp = AMPS.get(primary, GUITAR_AMP)
        # rock's and punk's guitars 2 dB under metal's wall: their real mixes have 3 dB less 0.5-4 kHz
        level = (-21 if primary in ("rock", "punk") else -19) if role == "comp" else strip.level_db
        strip = replace(strip, amp=amp, lowpass_hz=None, compress=None, highpass_hz=70 if role == "bass" else 90,
                        level_db=level)
        if primary == "rock" and role == "comp":
            # carved, at the same level: 2 dB lower measured closer still, but then the audio reference's key
            # estimate (the whole mix's chroma, test_audio_reference_lends_tempo_and_key) read C major for E minor
            strip = replace(strip, eq=strip.eq + ROCK_RHYTHM_EQ)
    if 40 <= program <= 51 or 60 <= program <= 71:  # strings and winds: tame the upper mids, more hall
        strip = replace(strip, eq=(("peak", 2600, -4.0, 0.7), ("high_shelf", 7000, -2.0, 0.7)))
    if primary == "classical" and role != "drums":  # an orchestra's players keep their dynamics (form)
        strip = replace(strip, compress=None)
    if send is not None:
        strip = replace(strip, reverb_send=send)
    if primary in DEEP_SENDS:
        scale, more = ELECTRONIC_SENDS
        strip = replace(strip, reverb_send=min(1.0, scale * strip.reverb_send + more))
    return replace(strip, double=double or (primary in STEREO_SYNTHS and role in STEREO_SYNTH_ROLES))


def voice_index(name: str) -> int | None:
    """The arrangement voice a MIDI track plays ('3. comp (rock)' -> 2; the drum kit -> None)."""
    head = name.split(".", 1)[0]
    return int(head) - 1 if head.isdigit() else None


def kit_pieces(drums: pretty_midi.Instrument) -> list[tuple[float, pretty_midi.Instrument]]:
    """A drum part split by where its pieces stand (KIT_PANS): (pan, the notes of the pieces there)."""
    by_pan: dict[float, pretty_midi.Instrument] = {}
    for note in drums.notes:
        pan = KIT_PANS.get(note.pitch, 0.0)
        if pan not in by_pan:
            by_pan[pan] = pretty_midi.Instrument(program=drums.program, is_drum=True, name=drums.name)
            by_pan[pan].control_changes = list(drums.control_changes)
        by_pan[pan].notes.append(note)
    return sorted(by_pan.items())


# Styles whose drum machine stays the General MIDI one: with the sampled electronic kit the tagger that steers the
# loop lost dance's seeds 0 and 2 (ranks 3 and 4 -> 7 and 6; electronic and techno above), docs/sound.md round 15
GM_KIT_STYLES = {"dance"}


def _render_placed(pm, rate: int, sources: list, seconds: float,
                   kits: list[SampleKit | None] | None = None) -> list[np.ndarray]:
    """Every part of the MIDI as a stem rendered in the middle; a drum kit as one stereo stem of its pieces, each
    panned where it stands (rendered on a channel of its own with the kit's preset, so the hats still choke). The
    keys a part's sample kit has (`kits`, default instruments.sample_kit_for) are played from its samples, the rest
    by FluidSynth."""
    frames = int(seconds * rate)
    kits = kits or [sample_kit_for(inst.program, inst.is_drum) for inst in pm.instruments]
    parts, owner, sampled = [], [], []
    for i, (inst, kit) in enumerate(zip(pm.instruments, kits)):
        if kit is not None:
            sampled.append((i, kit, [n for n in inst.notes if n.pitch in kit.keys()]))
            inst = copy.copy(inst)
            inst.notes = [n for n in inst.notes if n.pitch not in kit.keys()]
        pieces = kit_pieces(inst) if inst.is_drum else [(None, inst)]
        parts += [(pan, piece, sources[i]) for pan, piece in pieces]
        owner += [i] * len(pieces)
    split = copy.copy(pm)
    split.instruments = [piece for _, piece, _ in parts]
    rendered = render_parts(split, rate, [src for _, _, src in parts], seconds=seconds, centred=True)
    stems: list[np.ndarray] = [np.zeros((frames, 2), dtype=np.float32) for _ in pm.instruments]
    for i, (pan, _, _), stem in zip(owner, parts, rendered):
        stems[i] = stems[i] + (stem if pan is None else stem * np.array(pan_gains(pan), dtype=np.float32))
    for i, kit, notes in sampled:
        for pan in sorted({KIT_PANS.get(n.pitch, 0.0) for n in notes}):
            here = [n for n in notes if KIT_PANS.get(n.pitch, 0.0) == pan]
            stems[i] += play(here, kit, frames, rate) * np.array(pan_gains(pan), dtype=np.float32)
    return stems


# the classical mix's tone before the master, as the hall's microphones hear the orchestra: fuller under 200 Hz
# and more air over 9 kHz than the close General MIDI samples give (the frame features' distance to the real
# orchestral recordings, dev seeds, docs/sound.md round 8c)
HALL_TONE = (("low_shelf", 200, 3.0, 0.7), ("high_shelf", 9000, 4.0, 0.7))


def hall_tone(mix: np.ndarray, rate: int) -> np.ndarray:
    """A classical mix (frames, 2) through HALL_TONE."""
    import pedalboard as pb

    board = pb.Pedalboard([(pb.LowShelfFilter if kind == "low_shelf" else pb.HighShelfFilter)(
        cutoff_frequency_hz=hz, gain_db=gain, q=q) for kind, hz, gain, q in HALL_TONE])
    return np.ascontiguousarray(board(np.ascontiguousarray(mix.T), rate).T)


def room_for(arrangement) -> Room:
    """The room a piece is played in: its style's, or for a classical piece the hall its seed picks."""
    if arrangement.primary == "classical":
        return HALLS[int(np.random.default_rng([arrangement.seed, 8]).integers(len(HALLS)))]
    room = ROOMS.get(arrangement.primary, DEFAULT_ROOM)
    if arrangement.primary in ELECTRONIC:  # recorded direct: the table's return as it is
        return room
    return replace(room, return_db=room.return_db + BAND_ROOM_DB)


def produce(arrangement, pm, voice_track: np.ndarray | None = None, rate: int = RENDER_RATE) -> np.ndarray:
    """The arrangement's MIDI (and its rapped vocal, mono at `rate`) as a finished (frames, 2) float32 piece,
    exactly the arrangement's duration long."""
    stems, strips = parts_for_mix(arrangement, pm, rate)
    if voice_track is not None:
        stems.append(np.repeat(voice_track[:, None], 2, axis=1).astype(np.float32))
        strips.append(VOICE)
    frames = round(arrangement.seconds * rate)
    if not stems:
        return np.zeros((frames, 2), dtype=np.float32)
    mix = mixdown(stems, strips, rate, room_for(arrangement))
    if arrangement.primary == "classical":
        mix = hall_tone(mix, rate)
    master = replace(MASTERS.get(arrangement.primary, Master(glue_db=3.0)), lowpass_hz=arrangement.tone_hz)
    if not arrangement.voices:  # a drum kit alone: a drum record's master, not its style's band's
        master = replace(DRUMS_ALONE, fade_out_s=master.fade_out_s, room_tone_db=master.room_tone_db)
    if arrangement.fade_out_s:  # 'fade it out at the end': the arranger has fitted it to the piece
        master = replace(master, fade_out_s=max(master.fade_out_s, arrangement.fade_out_s), longest_fade=1.0)
    return finish(mix, rate, frames, master, arrangement.seed)


# Techno and house move by the filter: a resonant low-pass on the synths and the synth bass whose cutoff opens and
# closes over bars, the genre's defining gesture. Our pieces' frames spread half as much as the real electronic
# music's in spectral tilt (MFCC 1) and the other MFCCs (docs/sound.md, round 9a: Fréchet down for both).
SWEPT = {"techno", "house"}
SWEEP_ROLES = {"comp", "pad", "bass"}
SWEEP_BLOCK = 2048  # the cutoff moves every 46 ms: a knob turned, without the cost of a call per few samples
SWEEP_HZ = (350.0, 12000.0)  # closed, open
# a resonant squelch, house's the wetter (its real records' filter disco; 0.95 on techno left a piece over 1% of its
# power above 5 kHz, round 8a's test)
SWEEP_RESONANCE = {"techno": 0.8, "house": 0.95}


def sweep_cutoffs(arrangement, frames: int, rate: int) -> np.ndarray:
    """The filter's cutoff (Hz) for each SWEEP_BLOCK of the piece: a slow rise and fall over `period` bars, between a
    closed and an open setting, in the log of the frequency (the way a cutoff knob is turned); the seed picks the
    period and where in it the piece starts."""
    rng = np.random.default_rng([arrangement.seed, 9])
    period = float(rng.choice([4, 8, 8, 16])) * arrangement.bar_seconds
    phase = float(rng.random())
    lo, hi = SWEEP_HZ[0], min(SWEEP_HZ[1], 0.45 * rate)  # under the Nyquist frequency at any rate
    t = (np.arange(0, frames, SWEEP_BLOCK) + SWEEP_BLOCK / 2) / rate
    opening = 0.5 - 0.5 * np.cos(2 * np.pi * (t / period + phase))
    return np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * opening)


def filter_sweep(stem: np.ndarray, rate: int, cutoffs: np.ndarray, resonance: float) -> np.ndarray:
    """A (frames, 2) stem through a resonant 24 dB/octave low-pass whose cutoff follows `cutoffs` (one a
    SWEEP_BLOCK); silent stretches stay exact silence and a part in the middle stays one channel twice (the strip
    skips the one and processes the other once)."""
    import pedalboard as pb

    mono = bool(np.array_equal(stem[:, 0], stem[:, 1]))
    x = np.ascontiguousarray(stem.T[:1] if mono else stem.T)
    out = np.zeros_like(x)
    for start, end in playing_spans(x, rate):
        lp = pb.LadderFilter(mode=pb.LadderFilter.Mode.LPF24, resonance=resonance)
        for a in range(start - start % SWEEP_BLOCK, end, SWEEP_BLOCK):
            lo, hi = max(a, start), min(a + SWEEP_BLOCK, end)
            lp.cutoff_hz = float(cutoffs[min(a // SWEEP_BLOCK, len(cutoffs) - 1)])
            out[:, lo:hi] = lp.process(x[:, lo:hi], rate, reset=False)
    return np.repeat(out.T, 2, axis=1) if mono else out.T


SOLO_WIDTH = 0.5  # how much of a solo player's sampled stereo is kept (tools.mixing.strip.Strip.width)


def parts_for_mix(arrangement, pm, rate: int = RENDER_RATE) -> tuple[list[np.ndarray], list[Strip]]:
    """Every MIDI part rendered as a stem, with the channel strip the mix puts it through (in pm's order)."""
    strips, sources = [], []
    for inst in pm.instruments:
        i = voice_index(inst.name)
        v = arrangement.voices[i] if i is not None else None
        sources.append(source_for(inst.program, inst.is_drum, {n.pitch for n in inst.notes}))
        role = "drums" if inst.is_drum else (v.role if v else "comp")
        strip = strip_for(role, inst.program, v.drive if v else 0.0, v.style if v else arrangement.primary,
                          arrangement.primary, v.send if v else None, v.double if v else False)
        if v is not None:  # the arranger's balance: a part written soft (a faint organ bed) stays soft in the mix, and
            # a part the person asked to hear more of ('more bass', 'I can't hear the melody') is turned up
            balance = float(np.clip(40 * np.log10(v.velocity / 90), -24, 4))
            strip = replace(strip, level_db=strip.level_db + balance + v.level_db)
        if strip.amp is not None and (arrangement.primary, arrangement.lineup) in LINEUP_AMPS:
            strip = replace(strip, amp=LINEUP_AMPS[(arrangement.primary, arrangement.lineup)])
        if arrangement.solo and not inst.is_drum:  # a player alone, close up: some samples' channels nearly
            # cancel (the cello's: L/R -0.48, its mono sum 5 dB down on a phone's one speaker)
            strip = replace(strip, width=SOLO_WIDTH)
        strips.append(replace(strip, pan=midi_pan(inst)))
    # only as long as the piece (the master cuts there), every part in the middle: the strip pans it after its chain;
    # the drum kit's pieces each where they stand
    kits = [None if arrangement.primary in GM_KIT_STYLES else sample_kit_for(inst.program, inst.is_drum)
            for inst in pm.instruments]
    stems = _render_placed(pm, rate, sources, arrangement.seconds + 0.01, kits)
    if arrangement.primary in SWEPT:  # the synths' own filter, before their strips
        cutoffs = sweep_cutoffs(arrangement, len(stems[0]) if stems else 0, rate)
        for k, inst in enumerate(pm.instruments):
            i = voice_index(inst.name)
            if i is not None and arrangement.voices[i].role in SWEEP_ROLES:
                stems[k] = filter_sweep(stems[k], rate, cutoffs, SWEEP_RESONANCE[arrangement.primary])
    return stems, strips
