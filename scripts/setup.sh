#!/usr/bin/env bash
# Everything Tastemaker needs on a fresh Debian machine; safe to run again (it
# skips what is already there). Usage: scripts/setup.sh [--test]
#   --test  also installs what the test suite needs (Chromium for browser tests, PostgreSQL for the services tests).
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

# 1. Debian packages: FluidSynth + a General MIDI SoundFont render the sketch
#    engine's and the default library's MIDI (plus the AVL acoustic drum kits,
#    which measured closer to real rock than the General MIDI kit, and the
#    Hydrogen drum kits' sampled electronic drums, closer to real electronic
#    music than the General MIDI 808); espeak-ng
#    raps the sketch engine's hip-hop; Chromium drives the browser tests; the tests
#    of the many-machines set-up start a PostgreSQL server of their own (tests/services.py).
packages=(fluidsynth fluid-soundfont-gm avldrums.lv2-soundfont hydrogen-drumkits libsndfile1 espeak-ng)
[ "$with_tests" = 1 ] && packages+=(chromium chromium-driver postgresql)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The Python environment in .venv, from the pinned lock. torch first: the
#    CPU build 2.13.0 (a resolver that picks torch freely pulls a CUDA build).
python=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv (a few minutes the first time)"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import torch, librosa, faiss, transformers, chainlit, tools" \
    || { echo "setup: the Python environment is incomplete" >&2; exit 1; }
  # librosa's numba kernels, compiled and cached once, in one process: two processes compiling one for the first
  # time can leave its cache mismatched, and every later call in this environment then crashes (numba #10128)
  .venv/bin/python -c "import librosa, numpy as np
for rate in (16000, 22050):
    y = (0.2 * np.sin(np.arange(3 * rate) * 0.09)).astype(np.float32)
    librosa.feature.chroma_cqt(y=y, sr=rate); librosa.beat.beat_track(y=y, sr=rate)
    librosa.onset.onset_detect(y=y, sr=rate); librosa.feature.zero_crossing_rate(y); librosa.istft(librosa.stft(y))" \
    || { echo "setup: librosa's kernels did not compile" >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# 3. Model files that no package installs: the musicnn checkpoints.
.venv/bin/tastemaker models fetch >/dev/null

# 4. For the chat (not the tests, which make their own): the built-in music library, rendered and indexed
#    once in the data directory (about 2 minutes, with a progress bar), so the first search answers at once.
[ "$with_tests" = 1 ] || .venv/bin/tastemaker library prepare
echo "setup: ready"
