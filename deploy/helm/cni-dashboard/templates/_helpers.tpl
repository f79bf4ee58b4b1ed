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
