{{/* Labels of every object of service $svc (dict: root, name, svc). */}}
{{- define "gridbill.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .svc.component }}
app.kubernetes.io/part-of: gridbill
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "gridbill.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* The object name of service $name in this release. */}}
{{- define "gridbill.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The env of service $name's containers (dict: root, name, svc, and
     migrate: true for the migrate init container and the migrations Job):
     the database URL and secrets from Secrets, the worker id, extraEnv. The
     service container, its migrate init container and the migrations Job
     share it, so that each reads the same configuration. The service
     connects as its runtime role (<service>_app: rows only, Secret
     <release>-<service>-db-runtime); only the migrations get the owner's
     URL (<release>-<service>-db-app), and grant the runtime role. */}}
{{- define "gridbill.env" -}}
- name: GRIDBILL_DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ include "gridbill.fullname" . }}-db-runtime, key: uri}
{{- if .migrate }}
- name: GRIDBILL_DATABASE_OWNER_URL
  valueFrom:
    secretKeyRef: {name: {{ include "gridbill.fullname" . }}-db-app, key: uri}
{{- end }}
- name: GRIDBILL_IDENTITY_SECRET
  valueFrom:
    secretKeyRef: {name: {{ .root.Values.secrets.identity }}, key: identity_secret}
{{- if eq .name "gateway" }}
- name: GRIDBILL_TOKEN_SECRET
  valueFrom:
    secretKeyRef: {name: {{ .root.Values.secrets.gateway }}, key: token_secret}
{{- end }}
{{- if .svc.worker }}
- name: GRIDBILL_WORKER_ID
  valueFrom:
    fieldRef: {fieldPath: metadata.name}
{{- end }}
{{- with .svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The securityContext of every Gridbill container. */}}
{{- define "gridbill.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities: {drop: ["ALL"]}
{{- end -}}

{{/* The image of service $name (dict: root, name). */}}
{{- define "gridbill.image" -}}
{{ printf "%s%s:%s" .root.Values.image.repository .name (.root.Values.image.tag | default .root.Chart.AppVersion) | quote }}
{{- end -}}
