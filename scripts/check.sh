#!/usr/bin/env bash
# The quality gates, part of `npm test`: strict type checking (jest's swc only strips types),
# ESLint and Prettier over the TypeScript, ruff and mypy over the Python AI subgraph. Every gate
# runs even when an earlier one fails, so one run shows all that needs fixing.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
gate() {
  local name=$1
  shift
  echo "check: $name"
  "$@" || failed+=("$name")
}

gate "tsc -b (strict types)" npx tsc -b
gate "eslint" npx eslint --max-warnings 0 .
gate "prettier" npx prettier --check --log-level warn .
gate "python: ruff and mypy" bash -c 'cd subgraphs/ai && npm run --silent check'

if [ ${#failed[@]} -gt 0 ]; then
  echo "check: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "check: all gates passed"
