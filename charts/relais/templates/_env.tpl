{{/* The environment of each target: the RELAIS_* variables (see `relais
config`) the chart sets. Call with (dict "root" $ "target" NAME "t" SETTINGS).
A new target adds its block to relais.env.target below. */}}

{{- define "relais.env" -}}
{{- $root := .root -}}
- name: RELAIS_TARGET
  value: {{ .target | quote }}
- name: RELAIS_CONFIG_FILE
  value: /etc/relais/relais.yaml
- name: RELAIS_DATA_DIR
  value: /data
- name: RELAIS_ADMIN_ADDR
  value: ":9090"
- name: RELAIS_TELEMETRY_SERVICE_NAME
  value: {{ ternary "relais" (printf "relais-%s" .target) (eq .target "all") | quote }}
{{- with $root.Values.telemetry.otlpEndpoint }}
- name: RELAIS_TELEMETRY_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: RELAIS_TELEMETRY_OTLP_INSECURE
  value: {{ $root.Values.telemetry.otlpInsecure | quote }}
- name: RELAIS_TELEMETRY_SAMPLE_RATIO
  value: {{ $root.Values.telemetry.sampleRatio | quote }}
{{- end }}
{{- if eq .target "all" }}
{{ include "relais.env.all" . }}
{{- else if eq .target "catalog" }}
{{ include "relais.env.catalog" . }}
{{- else if eq .target "gateway" }}
{{ include "relais.env.gateway" . }}
{{- else }}
{{- fail (printf "target %q: the chart knows no environment for it yet (templates/_env.tpl)" .target) }}
{{- end }}
{{- with .t.env }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "relais.env.all" -}}
- name: RELAIS_CATALOG_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
- name: RELAIS_GATEWAY_ADDR
  value: ":{{ .t.ports.http }}"
- name: RELAIS_GATEWAY_PUBLIC_URL
  value: {{ include "relais.publicURL" .root | quote }}
{{- if or .root.Values.tokenSecret.existingSecret .root.Values.tokenSecret.value }}
{{ include "relais.env.tokenSecret" .root }}
{{- end }}
{{- end -}}

{{- define "relais.env.catalog" -}}
- name: RELAIS_CATALOG_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
{{ include "relais.env.events" .root }}
{{ include "relais.env.catalogDB" .root }}
{{ include "relais.env.tokenSecret" .root }}
{{- end -}}

{{- define "relais.env.gateway" -}}
- name: RELAIS_GATEWAY_ADDR
  value: ":{{ .t.ports.http }}"
- name: RELAIS_GATEWAY_PUBLIC_URL
  value: {{ include "relais.publicURL" .root | quote }}
- name: RELAIS_GATEWAY_CATALOG_ADDR
  value: "{{ include "relais.targetName" (dict "root" .root "target" "catalog") }}:{{ .root.Values.targets.catalog.ports.grpc }}"
{{- end -}}

{{/* Shared pieces. */}}

{{- define "relais.env.events" -}}
- name: RELAIS_EVENTS_URL
  value: {{ include "relais.eventsURL" . | quote }}
- name: RELAIS_EVENTS_REPLICAS
  value: {{ .Values.events.streamReplicas | quote }}
{{- end -}}

{{/* The catalog's PostgreSQL DSN: from an existing Secret, from the chart's
Secret, or composed for the bundled PostgreSQL with its password (Kubernetes
expands $(VAR) from the variable defined just before). */}}
{{- define "relais.env.catalogDB" -}}
- name: RELAIS_CATALOG_DB_DRIVER
  value: postgres
{{- if .Values.database.maxOpenConns }}
- name: RELAIS_CATALOG_DB_MAX_OPEN_CONNS
  value: {{ .Values.database.maxOpenConns | quote }}
{{- end }}
{{- if or .Values.database.existingSecret .Values.database.dsn }}
- name: RELAIS_CATALOG_DB_DSN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret | default (include "relais.secretName" .) }}
      key: {{ ternary .Values.database.existingSecretKey "database-dsn" (not (empty .Values.database.existingSecret)) }}
{{- else }}
- name: PG_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-postgresql" .Release.Name }}
      key: password
- name: RELAIS_CATALOG_DB_DSN
  value: {{ printf "postgres://%s:$(PG_PASSWORD)@%s-postgresql:5432/%s?sslmode=disable" (dig "auth" "username" "relais" .Values.postgresql) .Release.Name (dig "auth" "database" "relais" .Values.postgresql) | quote }}
{{- end }}
{{- end -}}

{{- define "relais.env.tokenSecret" -}}
- name: RELAIS_CATALOG_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.tokenSecret.existingSecret | default (include "relais.secretName" .) }}
      key: {{ ternary .Values.tokenSecret.existingSecretKey "token-secret" (not (empty .Values.tokenSecret.existingSecret)) }}
{{- end -}}
