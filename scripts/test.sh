#!/usr/bin/env bash
# `npm test`: every test suite of the repository — the TypeScript suites (jest) and the Python AI
# subgraph's (pytest) — against real services: PostgreSQL at TEST_DATABASE_URL (default
# postgres://postgres:postgres@localhost:5432/postgres) and Redis at REDIS_URL (default
# redis://localhost:6379). .ci/run installs and starts both.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

npx jest --ci "$@"
jest_status=$?

(cd subgraphs/ai && npm test --silent)
pytest_status=$?

echo
echo "jest: exit $jest_status · pytest: exit $pytest_status"
[ "$jest_status" -eq 0 ] && [ "$pytest_status" -eq 0 ]
