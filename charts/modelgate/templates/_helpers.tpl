{{/* Names and labels shared by every template. */}}

{{- define "modelgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-modelgate, or the release name alone when it already contains the chart name. */}}
{{- define "modelgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Cluster-scoped objects carry the release namespace too, so two releases of the same name in
     different namespaces do not fight over one ClusterRole. */}}
{{- define "modelgate.clusterName" -}}
{{- printf "%s-%s" (include "modelgate.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "modelgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "modelgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "modelgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: modelgate
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "modelgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modelgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: required when serviceAccount.create is false (the existing ServiceAccount to run as)" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, repository@digest or repository:tag@digest. */}}
{{- define "modelgate.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- if .Values.image.tag }}{{ printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}{{ else }}{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}{{ end }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The one watched namespace, or "" for all namespaces. */}}
{{- define "modelgate.watchNamespace" -}}
{{- if .Values.watchNamespaces }}{{ first .Values.watchNamespaces }}{{ end }}
{{- end }}

{{/* Cross-field checks the schema cannot word clearly. */}}
{{- define "modelgate.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicaCount: %d replicas need leaderElection.enabled=true, otherwise every replica reconciles the same objects" (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (not .Values.metricsService.enabled) }}
{{- fail "serviceMonitor.enabled: needs metricsService.enabled=true (the ServiceMonitor selects the metrics Service)" }}
{{- end }}
{{- end }}
