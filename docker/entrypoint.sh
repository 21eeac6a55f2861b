#!/bin/sh
# Entry point of the platform image: the first argument selects the program.
#   operator | gateway | billing | sso   run that process (configuration from the environment)
#   agent                                 the voice agent worker (services/agent: a tenant's dedicated
#                                         worker with AGENT_TENANT, else the region's shared pool)
#   mindbot <args>                        the CLI, e.g. `mindbot db migrate`
set -eu
cd "$(dirname "$0")/.."

run() {
  exec node --import tsx "$@"
}

command="${1:-help}"
[ "$#" -gt 0 ] && shift
case "$command" in
  operator) run operator/src/main.ts "$@" ;;
  gateway | billing | sso | agent) run "services/$command/src/main.ts" "$@" ;;
  mindbot) run cli/src/main.ts "$@" ;;
  help | --help | -h)
    echo "usage: <operator|gateway|billing|sso|agent> | mindbot <command> (e.g. mindbot db migrate)"
    ;;
  *)
    echo "unknown command: $command (expected operator, gateway, billing, sso, agent or mindbot)" >&2
    exit 64
    ;;
esac
