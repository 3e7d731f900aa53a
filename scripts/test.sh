#!/usr/bin/env bash
# `npm test`: every test suite of the repository, against real PostgreSQL (TEST_DATABASE_URL,
# default postgres://postgres:postgres@localhost:5432/postgres). .ci/run installs and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

status=0
npx jest --ci "$@" || status=$?
exit $status
