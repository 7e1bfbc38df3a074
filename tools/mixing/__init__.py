"""Mixing and mastering stereo stems with Spotify's pedalboard (EQ, compression, amp, reverb, limiting) and
pyloudnorm (ITU-R BS.1770 loudness): `strip` processes one part, `bus` sums the parts with a shared reverb,
`master` makes the sum a finished file (-14 LUFS, true peak <= -1 dBTP, no DC)."""
