{{- define "cni-dashboard.labels" -}}
app.kubernetes.io/part-of: cni-dashboard
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "cni-dashboard.dashboardSelector" -}}
app.kubernetes.io/name: cni-dashboard
{{- end }}
{{- define "cni-dashboard.agentSelector" -}}
app.kubernetes.io/name: cni-dashboard-agent
{{- end }}
{{- define "cni-dashboard.agentServerName" -}}
{{- default (printf "cni-dashboard-agent.%s.svc" .Release.Namespace) .Values.agent.tls.serverName -}}
{{- end }}
{{- define "cni-dashboard.authEnv" -}}
{{- $auth := .Values.auth -}}
- { name: Dashboard__Auth__Mode, value: {{ $auth.mode | quote }} }
- { name: Dashboard__Auth__SessionLifetime, value: {{ $auth.sessionLifetime | quote }} }
{{- if eq $auth.mode "oidc" }}
- { name: Dashboard__Auth__Oidc__Authority, value: {{ required "auth.oidc.issuer is required with auth.mode=oidc" $auth.oidc.issuer | quote }} }
- { name: Dashboard__Auth__Oidc__ClientId, value: {{ required "auth.oidc.clientId is required with auth.mode=oidc" $auth.oidc.clientId | quote }} }
{{- with $auth.oidc.clientSecret.secretName }}
- name: Dashboard__Auth__Oidc__ClientSecret
  valueFrom: { secretKeyRef: { name: {{ . }}, key: {{ $auth.oidc.clientSecret.key }} } }
{{- end }}
{{- range $i, $scope := $auth.oidc.scopes }}
- { name: Dashboard__Auth__Oidc__Scopes__{{ $i }}, value: {{ $scope | quote }} }
{{- end }}
- { name: Dashboard__Auth__Oidc__RolesClaim, value: {{ $auth.oidc.rolesClaim | quote }} }
{{- with $auth.oidc.audience }}
- { name: Dashboard__Auth__Oidc__Audience, value: {{ . | quote }} }
{{- end }}
- { name: Dashboard__Auth__Oidc__SendIdTokenHintOnSignOut, value: {{ $auth.oidc.sendIdTokenHintOnSignOut | quote }} }
{{- end }}
{{- if eq $auth.mode "proxy" }}
{{- range $i, $network := required "auth.proxy.trustedNetworks is required with auth.mode=proxy" $auth.proxy.trustedNetworks }}
- { name: Dashboard__Auth__Proxy__TrustedNetworks__{{ $i }}, value: {{ $network | quote }} }
{{- end }}
- { name: Dashboard__Auth__Proxy__Headers, value: {{ $auth.proxy.headers | quote }} }
{{- with $auth.proxy.signOutUrl }}
- { name: Dashboard__Auth__Proxy__SignOutUrl, value: {{ . | quote }} }
{{- end }}
{{- end }}
{{- include "cni-dashboard.roleEnv" (dict "prefix" "Dashboard__Auth__Roles" "roles" $auth.roles) }}
{{- range $i, $network := $auth.trustedProxies }}
- { name: Dashboard__Auth__TrustedProxies__{{ $i }}, value: {{ $network | quote }} }
{{- end }}
{{- if $auth.serviceAccounts.enabled }}
- { name: Dashboard__Auth__ServiceAccounts__Enabled, value: "true" }
- { name: Dashboard__Auth__ServiceAccounts__Audience, value: {{ $auth.serviceAccounts.audience | quote }} }
{{- include "cni-dashboard.roleEnv" (dict "prefix" "Dashboard__Auth__ServiceAccounts__Roles" "roles" $auth.serviceAccounts.roles) }}
{{- end }}
{{- end }}
{{- define "cni-dashboard.roleEnv" -}}
{{- $prefix := .prefix -}}
{{- range $role, $key := dict "Viewer" "viewer" "Operator" "operator" "Approver" "approver" "Admin" "admin" }}
{{- range $i, $group := index $.roles $key }}
- { name: {{ $prefix }}__{{ $role }}__{{ $i }}, value: {{ $group | quote }} }
{{- end }}
{{- end }}
{{- end }}
