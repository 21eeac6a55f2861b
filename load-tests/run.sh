#!/usr/bin/env bash
# Runs k6 scenarios against MINDBOT_BASE_URL (default: the local platform of `npm start`).
#   npm run load:test                    every scenario, load profile
#   npm run load:test -- branding.js     one scenario
#   K6_PROFILE=smoke npm run load:test   a few iterations each (what CI runs)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k6="${K6_BIN:-$here/../.tools/bin/k6}"
[ -x "$k6" ] || k6="$HOME/.cache/mindbot/tools/bin/k6"
[ -x "$k6" ] || { echo "k6 is not built: run npm run tools" >&2; exit 2; }
export MINDBOT_SEED="${MINDBOT_SEED:-$here/seed.json}"
[ -f "$MINDBOT_SEED" ] || { echo "no seed at $MINDBOT_SEED: run npm run load:seed first" >&2; exit 2; }
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(branding.js balance.js voice-sessions.js mixed.js)
status=0
for scenario in "${scenarios[@]}"; do
  echo "== $scenario (${K6_PROFILE:-load}) against ${MINDBOT_BASE_URL:-http://127.0.0.1:8080}"
  (cd "$here" && K6_NO_USAGE_REPORT=true "$k6" run "$scenario") || status=$?
done
exit $status
