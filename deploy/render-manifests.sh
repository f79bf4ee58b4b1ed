#!/usr/bin/env bash
# Regenerates deploy/manifests/cni-dashboard.yaml from the chart: the chart with default values for
# namespace cni-dashboard, except agent.tls.generate=false (no key material in the repository).
# Uses `helm template` when Helm is installed, else deploy/render-chart (Helm's template engine, Go
# text/template + sprig, built against Debian's Go packages). Both give the same bytes; the deploy
# tests (tests/CniDashboard.Server.Tests/Deploy/ChartRenderTests.cs) fail while the file differs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=deploy/manifests/cni-dashboard.yaml
args=(--namespace cni-dashboard --set agent.tls.generate=false)

if command -v helm >/dev/null 2>&1; then
  body=$(helm template cni-dashboard deploy/helm/cni-dashboard "${args[@]}")
else
  body=$(GO111MODULE=off GOPATH=/usr/share/gocode go run ./deploy/render-chart --chart deploy/helm/cni-dashboard "${args[@]}")
fi

{
  echo "# Rendered from deploy/helm/cni-dashboard with default values for namespace cni-dashboard, except agent.tls.generate=false (no key material in the repository):"
  echo "#   deploy/render-manifests.sh  (helm template cni-dashboard deploy/helm/cni-dashboard --namespace cni-dashboard --set agent.tls.generate=false)"
  echo "# Apply with: kubectl create namespace cni-dashboard && deploy/agent-tls-secret.sh --namespace cni-dashboard && kubectl apply -n cni-dashboard -f deploy/manifests/cni-dashboard.yaml"
  printf '%s\n' "$body"
} > "$out"
echo "wrote $out"
