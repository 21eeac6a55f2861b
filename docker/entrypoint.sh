#!/bin/sh
# Entry point of the platform image: the first argument selects the program.
#   operator | gateway | billing | sso   run that process (configuration from the environment)
#   agent                                 the voice agent worker (services/agent: a tenant's dedicated
#                                         worker with AGENT_TENANT, else the region's shared pool)
#   mindbot <args>                        the CLI, e.g. `mindbot db migrate`
# Each program is its JavaScript bundle, built by `npm run build` (scripts/build.ts) into its
# workspace's dist/; stack traces name the TypeScript sources through the source maps beside them.
set -eu
cd "$(dirname "$0")/.."

run() {
  exec node --enable-source-maps "$@"
}

command="${1:-help}"
[ "$#" -gt 0 ] && shift
case "$command" in
  operator) run operator/dist/main.js "$@" ;;
  gateway | billing | sso | agent) run "services/$command/dist/main.js" "$@" ;;
  mindbot) run cli/dist/main.js "$@" ;;
  help | --help | -h)
    echo "usage: <operator|gateway|billing|sso|agent> | mindbot <command> (e.g. mindbot db migrate)"
    ;;
  *)
    echo "unknown command: $command (expected operator, gateway, billing, sso, agent or mindbot)" >&2
    exit 64
    ;;
esac
