#!/usr/bin/env bash
# Creates the AI subgraph's environment: subgraphs/ai/.venv with the package (editable) and its test
# tools from PyPI, then trains the models into AI_DATA_DIR (default <repo>/.data/ai).
# Idempotent: a second run reuses the venv; pip skips what is already satisfied; training rewrites the
# same seeded artefacts.
#
#   bash subgraphs/ai/setup.sh          # AI_VENV=<dir> to put the venv elsewhere
#
# The slow part of a cold run is compiling llama-cpp-python from source (PyPI has no binary wheel of
# it): about 8 minutes on 2 cores. pip caches the built wheel, so later runs take seconds.
set -euo pipefail

# Build only the text library of llama.cpp: the multimodal one (llava/mtmd) costs a third of the
# compile and this subgraph never loads it (llama-cpp-python imports it lazily, for image chats only).
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AI_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
  echo "setup.sh: needs Python 3.11 or 3.12 as \$PYTHON (found $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv"
  "$python" -m venv "$venv"
fi
# pip is skipped when pyproject.toml has not changed since the last install (npm start and npm test
# call this script every time).
marker="$venv/.installed-pyproject.sha256"
wanted="$(sha256sum "$here/pyproject.toml" | cut -d' ' -f1)"
if [ "$(cat "$marker" 2>/dev/null)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -e "$here[test]"
  echo "$wanted" > "$marker"
fi
"$venv/bin/python" -m supergraph_ai.training.train
echo "ready: $venv"
