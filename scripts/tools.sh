#!/usr/bin/env bash
# Builds the machine-level dev/test tools from Go modules (via the Go module
# proxy) into a cache shared by every checkout on this machine:
#
#   ${MINDBOT_TOOLS_DIR:-$HOME/.cache/mindbot/tools}/bin
#
# and points <repo>/.tools at that directory (.tools is git-ignored).
#
# Usage:  bash scripts/tools.sh [tool ...]     (default: all tools)
#         bash scripts/tools.sh --list
#
# Each tool is pinned to an exact version. A stamp file bin/.<tool>.version
# records what was built, so re-running is a no-op (well under a second) once
# everything is there. Builds run under `nice -n 10`; the Go build cache
# (GOCACHE) and module cache (GOMODCACHE) keep their defaults, so rebuilding a
# tool after a version bump is much faster than the first build.
#
# Nothing fetched here is ever written into the repository: wrapper modules
# live under $MINDBOT_TOOLS_DIR/src/<tool>, logs under $MINDBOT_TOOLS_DIR/logs.
#
# Checksum database: nothing is disabled. The go command verifies modules
# against sum.golang.org through the proxy's /sumdb/ endpoint
# (https://proxy.golang.org/sumdb/sum.golang.org/supported), so it works even
# where sum.golang.org itself is not reachable. GONOSUMDB/GOSUMDB=off are
# therefore deliberately NOT set.
set -euo pipefail

# ---------------------------------------------------------------- pinned versions
# kube-apiserver + etcd: the pair controller-runtime's envtest uses for 1.34.
KUBERNETES_VERSION=v1.34.4   # newest 1.34.x on the proxy: go list -m -versions k8s.io/kubernetes
ETCD_VERSION=v3.6.4
STRIPE_MOCK_VERSION=v0.203.0 # go list -m -versions github.com/stripe/stripe-mock
# v1.13.6+ add `replace` directives to go.mod (forks of pion webrtc/dtls/ice),
# so `go install ...@version` refuses them; v1.13.5 is the newest that installs.
LIVEKIT_VERSION=v1.13.5
K6_VERSION=v1.8.1            # go list -m -versions go.k6.io/k6
HELM_VERSION=v3.22.0         # go list -m -versions helm.sh/helm/v3
# promtool (checks and unit-tests the chart's alert rules). Prometheus 3 tags its Go module
# v0.<major><minor, two digits>.<patch>: 3.16.0 is v0.316.0 (go list -m -versions github.com/prometheus/prometheus).
PROMETHEUS_VERSION=v3.16.0

ALL_TOOLS=(kube-apiserver etcd stripe-mock livekit-server k6 helm promtool)

tool_version() {
  case "$1" in
    kube-apiserver) echo "$KUBERNETES_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    stripe-mock) echo "$STRIPE_MOCK_VERSION" ;;
    livekit-server) echo "$LIVEKIT_VERSION" ;;
    k6) echo "$K6_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    promtool) echo "$PROMETHEUS_VERSION" ;;
    *) return 1 ;;
  esac
}

# ---------------------------------------------------------------- paths
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TOOLS_DIR=${MINDBOT_TOOLS_DIR:-$HOME/.cache/mindbot/tools}
case "$TOOLS_DIR" in /*) ;; *) TOOLS_DIR="$PWD/$TOOLS_DIR" ;; esac
BIN_DIR="$TOOLS_DIR/bin"
SRC_DIR="$TOOLS_DIR/src"
LOG_DIR="$TOOLS_DIR/logs"
TMP_DIR="$TOOLS_DIR/tmp"

die() { echo "tools.sh: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
if [[ $# -gt 0 && ( "$1" == "-h" || "$1" == "--help" ) ]]; then
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [[ $# -gt 0 && "$1" == "--list" ]]; then
  for t in "${ALL_TOOLS[@]}"; do echo "$t $(tool_version "$t")"; done
  exit 0
fi
if [[ $# -eq 0 ]]; then
  SELECTED=("${ALL_TOOLS[@]}")
else
  SELECTED=()
  for t in "$@"; do
    tool_version "$t" >/dev/null || die "unknown tool '$t' (known: ${ALL_TOOLS[*]})"
    SELECTED+=("$t")
  done
fi

# ---------------------------------------------------------------- cache dir + symlink
mkdir -p "$BIN_DIR"

link_repo_tools_dir() {
  local link="$REPO_ROOT/.tools"
  local target
  target=$(cd "$TOOLS_DIR" && pwd -P)
  [[ "$target" == "$(cd "$REPO_ROOT" && pwd -P)/.tools" ]] && return 0 # cache *is* <repo>/.tools
  if [[ -L "$link" ]]; then
    [[ "$(readlink "$link")" == "$target" ]] && return 0
    ln -sfn "$target" "$link"
  elif [[ -e "$link" ]]; then
    die "$link exists and is not a symlink; move it away so it can point to $target"
  else
    ln -s "$target" "$link"
  fi
}
link_repo_tools_dir

# One run at a time per tools dir (two checkouts building at once would race).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TOOLS_DIR/.lock"
  if ! flock -n 9; then
    echo "tools.sh: another tools.sh is building in $TOOLS_DIR; waiting for it..."
    flock 9
  fi
fi

is_built() { # tool version
  local stamp="$BIN_DIR/.$1.version"
  [[ -x "$BIN_DIR/$1" && -f "$stamp" && "$(<"$stamp")" == "$2" ]]
}

# ---------------------------------------------------------------- go helpers
ensure_go() {
  [[ -n "${GO_READY:-}" ]] && return 0
  if ! command -v go >/dev/null 2>&1; then
    if [[ -x /usr/local/go/bin/go ]]; then
      PATH="/usr/local/go/bin:$PATH"
    else
      die "the 'go' command is not on PATH (Go >= 1.26 is needed to build the tools)"
    fi
  fi
  export CGO_ENABLED=0 # static binaries, as the upstream release builds do
  GO_READY=1
}

gobuild() { nice -n 10 go "$@"; }

# Prints the path of the cached go.mod of module@version (downloads it if needed).
upstream_gomod() {
  go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

# Prints the replace directives of a go.mod, one "old [v] => new [v]" per line.
gomod_replaces() {
  awk '
    { sub(/\/\/.*/, "") }
    /^replace[ \t]*\(/ { blk = 1; next }
    blk && /^[ \t]*\)/ { blk = 0; next }
    blk && NF { sub(/^[ \t]+/, ""); print; next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); print }
  ' "$1"
}

# Starts a wrapper module in $SRC_DIR/<tool>, copying the upstream `go` and
# `godebug` lines so the binary gets the same GODEBUG defaults as upstream's.
# Usage: wrapper_init tool upstream-go.mod
wrapper_init() {
  local dir="$SRC_DIR/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    echo "// Generated by scripts/tools.sh -- wrapper module to build $1. Safe to delete."
    echo "module mindbot.local/tools/$1"
    echo
    grep -E '^(go|godebug)[[:space:]]' "$2" || true
  } >"$dir/go.mod"
  echo "$dir"
}

# go install module/pkg@version -> $BIN_DIR/<tool> (via $TMP_DIR)
# Usage: install_pkg tool pkg@version binary-name-produced [go install flags...]
install_pkg() {
  local tool=$1 pkgver=$2 produced=$3
  shift 3
  local out="$TMP_DIR/$tool"
  rm -rf "$out" && mkdir -p "$out"
  GOBIN="$out" gobuild install -trimpath "$@" "$pkgver"
  mv -f "$out/$produced" "$out/$tool.new"
}

# ---------------------------------------------------------------- per-tool builds
# Each build_<tool> leaves the finished binary at $TMP_DIR/<tool>/<tool>.new.

build_kube-apiserver() {
  local v=$KUBERNETES_VERSION
  local staging_v="v0.${v#v1.}" # v1.34.4 -> v0.34.4
  local gomod dir n=0 line m
  gomod=$(upstream_gomod k8s.io/kubernetes "$v")
  dir=$(wrapper_init kube-apiserver "$gomod")
  # k8s.io/kubernetes replaces every staging module k8s.io/<m> with
  # ./staging/src/k8s.io/<m>, which is why `go install` refuses it. The same
  # code is published as k8s.io/<m> v0.<minor>.<patch>; point at that instead.
  {
    echo
    echo "require k8s.io/kubernetes $v"
    echo
    echo "tool k8s.io/kubernetes/cmd/kube-apiserver"
    echo
    echo "replace ("
    while read -r line; do
      if [[ "$line" =~ ^(k8s\.io/[^[:space:]]+)[[:space:]]+=\>[[:space:]]+\./staging/src/ ]]; then
        m=${BASH_REMATCH[1]}
        echo "	$m => $m $staging_v"
        n=$((n + 1))
      else
        die "unexpected replace directive in k8s.io/kubernetes@$v go.mod: $line"
      fi
    done < <(gomod_replaces "$gomod")
    echo ")"
  } >>"$dir/go.mod"
  echo "wrapper module: $dir ($n staging modules pinned to $staging_v)"
  (cd "$dir" && gobuild mod tidy)
  local minor=${v#v1.}
  minor=${minor%%.*}
  local pkg=k8s.io/component-base/version
  (cd "$dir" && gobuild build -trimpath -buildvcs=false \
    -ldflags "-s -w -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
    -o "$TMP_DIR/kube-apiserver/kube-apiserver.new" k8s.io/kubernetes/cmd/kube-apiserver)
}

build_etcd() {
  local v=$ETCD_VERSION gomod dir
  gomod=$(upstream_gomod go.etcd.io/etcd/server/v3 "$v")
  dir=$(wrapper_init etcd "$gomod")
  # server/v3's go.mod replaces its sibling modules (api/v3, client/pkg/v3,
  # client/v3, pkg/v3) with ../<dir>; it already requires them at exactly $v,
  # so the wrapper needs no replaces -- requiring them pins them explicitly.
  # The module root (server/main.go) is the etcd server's `main`.
  cat >>"$dir/go.mod" <<EOF

require (
	go.etcd.io/etcd/server/v3 $v
	go.etcd.io/etcd/api/v3 $v
	go.etcd.io/etcd/client/pkg/v3 $v
	go.etcd.io/etcd/client/v3 $v
	go.etcd.io/etcd/pkg/v3 $v
)

tool go.etcd.io/etcd/server/v3
EOF
  (cd "$dir" && gobuild mod tidy)
  (cd "$dir" && gobuild build -trimpath -buildvcs=false \
    -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$v" \
    -o "$TMP_DIR/etcd/etcd.new" go.etcd.io/etcd/server/v3)
}

build_stripe-mock() {
  # GoReleaser sets main.version to the tag without the leading "v".
  install_pkg stripe-mock "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" stripe-mock \
    -ldflags "-s -w -X main.version=${STRIPE_MOCK_VERSION#v}"
}

build_livekit-server() {
  install_pkg livekit-server "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION" server \
    -ldflags "-s -w"
}

build_k6() {
  install_pkg k6 "go.k6.io/k6@$K6_VERSION" k6 -ldflags "-s -w"
}

build_helm() {
  # Same ldflags as helm's Makefile: the version string, and the default
  # Capabilities.KubeVersion (derived from the k8s.io/client-go it is built with;
  # without these `helm template` would assume Kubernetes v1.20).
  local gomod cg major minor
  gomod=$(upstream_gomod helm.sh/helm/v3 "$HELM_VERSION")
  cg=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod") # e.g. v0.34.2
  [[ "$cg" =~ ^v0\.([0-9]+)\. ]] || die "cannot find k8s.io/client-go in helm's go.mod"
  major=1 minor=${BASH_REMATCH[1]}
  local h=helm.sh/helm/v3
  install_pkg helm "$h/cmd/helm@$HELM_VERSION" helm -ldflags "-s -w \
    -X $h/internal/version.version=$HELM_VERSION -X $h/internal/version.gitTreeState=clean \
    -X $h/pkg/lint/rules.k8sVersionMajor=$major -X $h/pkg/lint/rules.k8sVersionMinor=$minor \
    -X $h/pkg/chartutil.k8sVersionMajor=$major -X $h/pkg/chartutil.k8sVersionMinor=$minor"
}

build_promtool() {
  local major minor patch
  IFS=. read -r major minor patch <<<"${PROMETHEUS_VERSION#v}"
  local module_version
  module_version=$(printf 'v0.%d%02d.%d' "$major" "$minor" "$patch") # v3.16.0 -> v0.316.0
  # As Prometheus's release builds (promu) set them; without these `promtool --version` is empty.
  local c=github.com/prometheus/common/version
  # remove_all_sd (Prometheus's own build tag, plugins/*.go) leaves the service-discovery plugins
  # out: the cloud SDKs they pull in were most of the build's time, and the chart's tests only
  # run `promtool check rules` and `promtool test rules`, which use none of them.
  install_pkg promtool "github.com/prometheus/prometheus/cmd/promtool@$module_version" promtool -tags remove_all_sd -ldflags "-s -w \
    -X $c.Version=${PROMETHEUS_VERSION#v} -X $c.Revision=module-$module_version -X $c.Branch=HEAD"
}

# Smoke test of a freshly built binary: prints its version line, fails if the
# pinned version is not in it. The output is read whole and cut to its first line
# here: `| head -n1` under pipefail failed builds at random (exit 141, SIGPIPE)
# when head closed the pipe before etcd had written its later lines.
check_version() { # tool binary version
  local tool=$1 bin=$2 v=$3 got
  case "$tool" in
    kube-apiserver) got=$("$bin" --version 2>&1) ;;   # Kubernetes v1.34.4
    etcd) got=$("$bin" --version 2>&1) ;;             # etcd Version: 3.6.4
    stripe-mock) got=$("$bin" -version 2>&1) ;;       # stripe-mock 0.203.0
    livekit-server) got=$("$bin" --version 2>&1) ;;   # livekit-server version 1.13.5
    k6) got=$("$bin" version 2>&1) ;;                 # k6 v1.8.1 (...)
    helm) got=$("$bin" version --short 2>&1) ;;       # v3.22.0
    promtool) got=$("$bin" --version 2>&1) ;;         # promtool, version 3.16.0 (branch: HEAD, revision: module-v0.316.0)
  esac
  got=${got%%$'\n'*}
  echo "version check: $got"
  [[ "$got" == *"${v#v}"* ]] || { echo "expected version ${v#v} in: $got"; return 1; }
}

# ---------------------------------------------------------------- main loop
for tool in "${SELECTED[@]}"; do
  v=$(tool_version "$tool")
  if is_built "$tool" "$v"; then
    echo "$tool $v: already built"
    continue
  fi
  ensure_go
  mkdir -p "$SRC_DIR" "$LOG_DIR" "$TMP_DIR/$tool"
  log="$LOG_DIR/$tool.log"
  echo "$tool $v: building (this takes several minutes, once per machine; log: $log)"
  start=$SECONDS
  # (errexit is ignored inside a subshell that is part of `||`, hence set +e)
  set +e
  (
    set -euo pipefail
    echo "# $(date -u +%FT%TZ) building $tool $v with $(go version)"
    rm -f "$TMP_DIR/$tool/$tool.new"
    "build_$tool"
    check_version "$tool" "$TMP_DIR/$tool/$tool.new" "$v"
  ) >"$log" 2>&1
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    echo "tools.sh: ERROR: building $tool $v failed (exit $rc) after $((SECONDS - start))s. Last lines of $log:" >&2
    tail -n 40 "$log" | sed 's/^/    /' >&2
    exit 1
  fi
  mv -f "$TMP_DIR/$tool/$tool.new" "$BIN_DIR/$tool"
  echo "$v" >"$BIN_DIR/.$tool.version"
  rm -rf "${TMP_DIR:?}/$tool"
  echo "$tool $v: built in $((SECONDS - start))s -> $BIN_DIR/$tool"
done
