{{/* Names and labels shared by every template. */}}
{{- define "nightshift.apiServer" -}}nightshift-api{{- end -}}
{{- define "nightshift.agent" -}}agent-phase-{{ .Values.trust.slug }}{{- end -}}
{{- define "nightshift.executor" -}}nightshift-executor{{- end -}}
{{- define "nightshift.investigations" -}}{{ .Values.investigations.namespace }}{{- end -}}

{{- define "nightshift.labels" -}}
app.kubernetes.io/name: nightshift
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
nightshift.dev/environment: {{ .Values.environment }}
nightshift.dev/trust-phase: {{ .Values.trust.slug }}
{{- end -}}

{{- define "nightshift.apiServerSelector" -}}
app.kubernetes.io/name: nightshift
app.kubernetes.io/component: api-server
{{- end -}}

{{/* The agent's read-only rules: the seed's shadow set, the same in every phase. */}}
{{- define "nightshift.agentRules" -}}
- apiGroups: [""]
  resources: [pods, pods/log, events]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch]
{{- end -}}

{{/* The executor's rules in a target namespace: exactly what the action catalogue needs. */}}
{{- define "nightshift.executorRules" -}}
- apiGroups: [""]
  resources: [pods]
  verbs: [get, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, patch]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, patch, update]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, patch]
{{- end -}}

{{- define "nightshift.executorClusterRules" -}}
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, patch]
{{- end -}}

{{- define "nightshift.restrictedContainer" -}}
securityContext:
  runAsNonRoot: true
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}
