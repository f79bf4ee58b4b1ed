#!/usr/bin/env bash
# The whole test suite, on a fresh machine: ./test.sh
# Installs what the browser tests need (Debian's chromium) and what the go-cni
# differential test needs (Debian's golang-go and containerd's go-cni) when they
# are missing, starts a throwaway PostgreSQL for the store tests (stopped on exit),
# builds the solution once, runs every test project in turn, and ends with one
# line of totals: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian chromium for the browser tests"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium >/dev/null \
    || echo "!! could not install chromium; the browser tests will fail"
fi

# The deploy tests render the Helm chart with Helm's template engine (deploy/render-chart: Go
# text/template + sprig), built against Debian's Go packages: no Helm binary, no module download.
if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig ] || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ] \
   || [ ! -d /usr/share/gocode/src/github.com/containerd/go-cni ]; then
  echo "== installing Go and the packages for the chart renderer and the go-cni differential test"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev golang-github-containerd-go-cni-dev >/dev/null \
    || echo "!! could not install the Go packages; the chart render and go-cni tests will fail"
fi
gocni_src=/usr/share/gocode/src/github.com/containerd/go-cni
if command -v go >/dev/null && [ -d "$gocni_src" ]; then
  # Loads folders exactly as containerd does (tests/CniDashboard.Shared.Tests/GoCni); built outside the repo's tracked files.
  mkdir -p artifacts/gocni
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$PWD/artifacts/gocni/cache" \
    go build -o artifacts/gocni/gocni-load tests/CniDashboard.Shared.Tests/GoCni/main.go \
    || echo "!! could not build the go-cni loader; the go-cni differential test will fail"
fi

# The store and backend suites run on SQLite and on PostgreSQL: a throwaway server from the machine's
# own binaries (Debian's postgresql where they are missing), stopped when this script exits, however.
source tests/throwaway-postgres.sh
trap stop_throwaway_postgres EXIT
trap 'exit 130' INT TERM
start_throwaway_postgres || echo "!! no PostgreSQL; the PostgreSQL store tests will fail"

echo "== building"
dotnet build CniDashboard.sln -c Release -nologo -v quiet > "$results/build.log" 2>&1
build_rc=$?
grep -E 'error|warn' "$results/build.log" | sort -u | head -40
if [ "$build_rc" -ne 0 ]; then
  echo "build failed (full log: $results/build.log)"
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0; skipped=0
for proj in tests/*/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TreatNoTestsAsError=true
  rc=$?
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
    p=$(get passed); f=$(get failed); e=$(get error); n=$(get notExecuted)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${n:-0}))
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ] && [ "${e:-0}" -eq 0 ]; then
      echo "!! $name exited with $rc without a failed test: counted as one failure"
      failed=$((failed + 1))
    fi
  else
    echo "!! $name produced no results (exit $rc): counted as one failure"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
