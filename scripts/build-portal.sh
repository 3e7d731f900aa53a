#!/usr/bin/env bash
# The portal's production build (`next build` in apps/portal), done only when its inputs changed since
# the last one: its sources, the typed documents it sends (clients/generated) and the installed packages.
# Called by scripts/setup.sh (so `npm start` and `npm test` serve a current build) and by the portal's
# browser test. Next.js keeps its own compiler cache in apps/portal/.next/cache for the builds it does run.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

marker=apps/portal/.next/.inputs.sha256
sum=$(find apps/portal clients/generated package-lock.json \( -path apps/portal/.next -o -path apps/portal/node_modules -o -path apps/portal/test \) -prune \
  -o -type f ! -name next-env.d.ts -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ -f apps/portal/.next/BUILD_ID ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ]; then
  exit 0
fi
echo "setup: building the portal (next build)"
started=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! node_modules/.bin/next build apps/portal >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: the portal's build failed" >&2
  exit 1
fi
echo "$sum" >"$marker"
echo "setup: portal built in $((SECONDS - started)) s"
