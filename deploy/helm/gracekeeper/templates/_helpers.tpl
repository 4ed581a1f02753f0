{{/*
Names. The full name is the release name when it contains the chart name (`helm install
gracekeeper ...` gives the kustomize base's names), else "<release>-gracekeeper".
*/}}
{{- define "gracekeeper.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gracekeeper.tlsSecretName" -}}
{{- .Values.certificates.secretName | default (printf "%s-tls" (include "gracekeeper.fullname" .)) -}}
{{- end -}}

{{- define "gracekeeper.priorityClassName" -}}
{{- if .Values.priorityClass.create -}}
{{- .Values.priorityClass.name | default (include "gracekeeper.fullname" .) -}}
{{- else -}}
{{- .Values.priorityClass.name -}}
{{- end -}}
{{- end -}}

{{/* Labels Helm adds to every object, on top of the kustomize base's. */}}
{{- define "gracekeeper.helmLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Every object: the base's part-of label and Helm's. */}}
{{- define "gracekeeper.labels" -}}
{{ include "gracekeeper.helmLabels" . }}
app.kubernetes.io/part-of: gracekeeper
{{- end -}}

{{/* Objects the base labels with the app name only. */}}
{{- define "gracekeeper.nameLabels" -}}
{{ include "gracekeeper.labels" . }}
app.kubernetes.io/name: gracekeeper
{{- end -}}

{{/* Objects of the webhook server itself. */}}
{{- define "gracekeeper.componentLabels" -}}
{{ include "gracekeeper.nameLabels" . }}
app.kubernetes.io/component: webhook
{{- end -}}

{{/* The server's Pods, as every selector matches them. */}}
{{- define "gracekeeper.selectorLabels" -}}
app.kubernetes.io/name: gracekeeper
app.kubernetes.io/component: webhook
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gracekeeper.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The Service's DNS names, as the serving certificate must name them. */}}
{{- define "gracekeeper.dnsNames" -}}
{{- $name := include "gracekeeper.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $name (printf "%s.%s" $name $ns) (printf "%s.%s.svc" $name $ns) (printf "%s.%s.svc.cluster.local" $name $ns) | toJson -}}
{{- end -}}
