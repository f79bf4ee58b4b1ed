#!/usr/bin/env bash
# Adds to hot-methods.txt the managed methods that fault code pages in during a real (unprofiled)
# bench warm-up and idle, which callgrind's profile misses (async continuations that only run when
# an operation completes later than it does under valgrind, HTTP client connects, ...). Each such
# method sits in cold code and keeps a whole fault-around window (64-128 KiB) of its neighbours
# resident. (Under valgrind the agent runs so slowly that every I/O it awaits has already completed,
# so the paths that resume an awaiting method never run in the callgrind profile.) Run after update-hot-methods.sh; each round publishes, runs the bench warm-up in both
# auth modes under `perf record -e page-faults` and appends the faulting cold methods. The first
# touch of a window hides later ones, so it repeats (default 3 rounds) until no cold code faults.
#
#   Server/CniDashboard.Agent/Layout/add-faulting-methods.sh [rounds]
#
# Needs: the .NET SDK, perf (permission to record page faults), binutils (nm, readelf), awk. Linux x64 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
slot=${CNI_BUILD_SLOT:-layout}
rounds=${1:-3}
for tool in perf nm readelf awk dotnet; do
  command -v "$tool" >/dev/null || { echo "add-faulting-methods: $tool is needed" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
published=$repo/.build/$slot/publish/CniDashboard.Agent/release_linux-x64

for round in $(seq 1 "$rounds"); do
  echo "== round $round: publishing the agent (build slot $slot)"
  CNI_BUILD_SLOT=$slot dotnet publish "$repo/Server/CniDashboard.Agent" -r linux-x64 -c Release -nologo -v quiet
  nm --defined-only -S "$published/cni-dashboard-agent.dbg" > "$work/symbols"
  section=$(readelf -SW "$published/cni-dashboard-agent" | awk '{ for (i = 1; i <= NF; i++) if ($i == "__managedcode") print $(i + 2), $(i + 4) }')
  [ -n "$section" ] || { echo "add-faulting-methods: no __managedcode section in the binary" >&2; exit 1; }
  : > "$work/faulting"
  for mode in static tokenreview; do
    # perf passes the bench's SIGTERM on, so the agent may end by the signal rather than exit 0: the recording still counts.
    "$published/cni-dashboard-agent" bench --auth-mode "$mode" \
      --profile-with "perf record -q -e page-faults -c 1 -d -o $work/$mode.perf" > /dev/null 2>&1 || true
    [ -s "$work/$mode.perf" ] || { echo "add-faulting-methods: perf recorded nothing in $mode mode" >&2; exit 1; }
    # Fault addresses relative to where the executable's first segment (file offset 0) is mapped;
    # sections are laid out at their file offsets, so that is also the symbol address.
    perf script -i "$work/$mode.perf" --show-mmap-events -F addr 2>/dev/null | awk -v exe="$published/cni-dashboard-agent" '
      function hex(s,    i, c, n) { n = 0; s = tolower(s); sub(/^0x/, "", s)
        for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; n = n * 16 + c } return n }
      /PERF_RECORD_MMAP2/ && index($0, exe) && / @ 0 / && base == "" { s = $0; sub(/.*\[/, "", s); sub(/\(.*/, "", s); base = hex(s); next }
      base != "" && NF == 1 && $1 ~ /^[0-9a-f]+$/ { print hex($1) - base }' > "$work/$mode.addresses"
    # The method holding each faulting address, when it is managed code.
    awk -v section="$section" '
      function hex(s,    i, c, n) { n = 0; s = tolower(s)
        for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; n = n * 16 + c } return n }
      BEGIN { split(section, b, " "); lo = hex(b[1]); hi = lo + hex(b[2]) }
      NR == FNR { if (NF == 4 && $3 ~ /^[tT]$/) { a = hex($1); if (a >= lo && a < hi) { start[++n] = a; size[n] = hex($2); name[n] = $4 } } next }
      { x = $1; if (x < lo || x >= hi) next
        for (i = 1; i <= n; i++) if (x >= start[i] && x < start[i] + size[i]) { print name[i]; break } }' \
      <(sort -k1,1 "$work/symbols") "$work/$mode.addresses" >> "$work/faulting"
  done
  # The same blind spot, found by name rather than by faults: for every async method whose state
  # machine runs hot, the box methods that resume it after an await (MoveNext, ExecutionContextCallback,
  # ExecuteFromThreadPool, GetStateMachineBox, ...). A few bytes each.
  awk '
    NR == FNR { if ($0 !~ /StateMachineBox/ && match($0, /[A-Za-z0-9_]+_d__[0-9]+(<[^>]*>)?__MoveNext$/)) {
        m = substr($0, RSTART, RLENGTH); sub(/(<[^>]*>)?__MoveNext$/, "", m); machines[m ">"] = 1 }
      next }
    NF == 4 && $3 ~ /^[tT]$/ && $4 ~ /StateMachineBox/ { for (m in machines) if (index($4, m)) { print $4; break } }' \
    "$here/hot-methods.txt" "$work/symbols" >> "$work/faulting"
  awk 'NR == FNR { listed[$0] = 1; next } !($0 in listed) && !($0 in seen) { seen[$0] = 1; print }' "$here/hot-methods.txt" "$work/faulting" > "$work/new"
  if [ ! -s "$work/new" ]; then echo "== no cold managed code faults left"; break; fi
  echo "== round $round: $(wc -l < "$work/new") cold methods appended (faulting, or resuming a hot async method):"; awk 'NR <= 40 { print "   " $0 } END { if (NR > 40) print "   ..." }' "$work/new"
  cat "$work/new" >> "$here/hot-methods.txt"
done
echo "== publish again to use them"
