#!/usr/bin/env bash
# The whole test suite, on a fresh machine: ./test.sh
# Installs what the browser tests need (Debian's chromium) when it is missing,
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
if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/Masterminds/sprig ] || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ]; then
  echo "== installing Go and the chart renderer's packages for the deploy tests"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev >/dev/null \
    || echo "!! could not install the Go packages; the chart render tests will fail"
fi

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
