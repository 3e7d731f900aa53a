#!/usr/bin/env bash
# The test suites, run by scripts/test.sh inside scripts/test-services.ts (which sets TEST_DATABASE_URL,
# REDIS_URL and CHROMIUM_PATH). Writes RESULTS/jest.json, RESULTS/pytest.xml and RESULTS/statuses.
# Usage: test-suites.sh RESULTS [JEST ARGS...]
set -uo pipefail
cd "$(dirname "$0")/.."
results=$1
shift

# jest.config.js limits each test file (fileTimeLimitMs); this bounds the whole run as well.
timeout --kill-after=30s 45m npx jest --ci --json --outputFile="$results/jest.json" "$@"
jest_status=$?

# Only the TypeScript suites when jest was given a file or a pattern.
pytest_status=0
pytest_outcome="not run (jest was given arguments)"
if [ $# -eq 0 ]; then
  # Bounded like jest: a test that hangs (one did, on an asyncio cancellation Python 3.11 swallowed) fails the run instead of eating CI's time.
  (cd subgraphs/ai && PYTEST_ADDOPTS="--junitxml=$results/pytest.xml" timeout --kill-after=30s 25m npm test --silent)
  pytest_status=$?
  pytest_outcome="exit $pytest_status"
fi

echo "jest: exit $jest_status · pytest: $pytest_outcome" > "$results/statuses"
[ "$jest_status" -eq 0 ] && [ "$pytest_status" -eq 0 ]
