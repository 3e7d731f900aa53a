#!/usr/bin/env bash
# `npm start`: the whole supergraph on embedded defaults (PGlite databases under .data/, generated
# development secrets), every subgraph and then the router. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait; }
trap stop EXIT INT TERM

wait_for() { # name url
  for _ in $(seq 1 120); do
    node -e "fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$2" && return 0
    sleep 0.5
  done
  echo "start: $1 did not come up at $2" >&2
  exit 1
}

(cd subgraphs/users && exec npx tsx src/main.ts) & pids+=($!)
wait_for users "http://localhost:${USERS_PORT:-4001}/health"

(cd router && exec npx tsx src/main.ts) & pids+=($!)
wait_for router "http://localhost:${ROUTER_PORT:-4000}/health"

echo
echo "  Supergraph ready: http://localhost:${ROUTER_PORT:-4000}/graphql"
echo "  Apollo Sandbox:   http://localhost:${ROUTER_PORT:-4000}/"
echo
wait -n "${pids[@]}"
