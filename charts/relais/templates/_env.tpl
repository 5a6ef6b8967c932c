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
{{- else if eq .target "storage" }}
{{ include "relais.env.storage" . }}
{{- else if eq .target "gateway" }}
{{ include "relais.env.gateway" . }}
{{- else if eq .target "search" }}
{{ include "relais.env.search" . }}
{{- else if eq .target "preview" }}
{{ include "relais.env.preview" . }}
{{- else if eq .target "analytics" }}
{{ include "relais.env.analytics" . }}
{{- else if eq .target "harvest" }}
{{ include "relais.env.harvest" . }}
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
- name: RELAIS_GATEWAY_TRUSTED_PROXIES
  value: {{ .root.Values.trustedProxies | quote }}
{{- if or .root.Values.tokenSecret.existingSecret .root.Values.tokenSecret.value }}
{{ include "relais.env.tokenSecret" .root }}
{{- end }}
{{- /* Storage keeps storage.db and files/ in the data directory (the PVC),
and makes its service token there unless one is given. */}}
{{- if or .root.Values.storageToken.existingSecret .root.Values.storageToken.value }}
{{ include "relais.env.storageToken" .root }}
{{- end }}
{{- /* So does the portal's session key. */}}
{{- if or .root.Values.sessionKey.existingSecret .root.Values.sessionKey.value }}
{{ include "relais.env.sessionKey" .root }}
{{- end }}
{{- end -}}

{{- define "relais.env.catalog" -}}
- name: RELAIS_CATALOG_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
{{ include "relais.env.events" .root }}
{{ include "relais.env.db" (dict "root" .root "service" "catalog" "password" true) }}
{{ include "relais.env.tokenSecret" .root }}
{{- end -}}

{{- define "relais.env.storage" -}}
- name: RELAIS_STORAGE_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
{{ include "relais.env.events" .root }}
{{ include "relais.env.db" (dict "root" .root "service" "storage" "password" true) }}
{{ include "relais.env.storageToken" .root }}
{{ include "relais.env.s3" .root }}
{{- end -}}

{{- define "relais.env.gateway" -}}
- name: RELAIS_GATEWAY_ADDR
  value: ":{{ .t.ports.http }}"
- name: RELAIS_GATEWAY_PUBLIC_URL
  value: {{ include "relais.publicURL" .root | quote }}
- name: RELAIS_GATEWAY_TRUSTED_PROXIES
  value: {{ .root.Values.trustedProxies | quote }}
- name: RELAIS_GATEWAY_CATALOG_ADDR
  value: {{ include "relais.grpcAddr" (dict "root" .root "target" "catalog") | quote }}
- name: RELAIS_GATEWAY_STORAGE_ADDR
  value: {{ include "relais.grpcAddr" (dict "root" .root "target" "storage") | quote }}
- name: RELAIS_GATEWAY_S3_DOWNLOADS
  value: {{ .root.Values.objectStorage.downloads | quote }}
{{- /* The optional services: their address when enabled, else empty (their
endpoints answer 501/503, as udata's without them). */}}
- name: RELAIS_SEARCH_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "search") | quote }}
- name: RELAIS_GATEWAY_PREVIEW_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "preview") | quote }}
- name: RELAIS_GATEWAY_ANALYTICS_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "analytics") | quote }}
{{- /* With NATS among its needs, the gateway publishes the views the
analytics service counts. */}}
{{- if has "nats" (.t.needs | default list) }}
{{ include "relais.env.events" .root }}
{{- end }}
{{ include "relais.env.storageToken" .root }}
{{ include "relais.env.sessionKey" .root }}
{{- /* RELAIS_GATEWAY_GRPC_ADDR stays on loopback: the probes are HTTP on the
admin port, and nothing calls the gateway over gRPC. */}}
{{- end -}}

{{/* The search target. With Meilisearch (meilisearch.url; the key from
a Secret) its replicas share one index there, one ledger in the catalog's
PostgreSQL (tables search_*) and one durable consumer (search-index).
Embedded, each pod of the StatefulSet keeps its index and its SQLite ledger
on its own volume and reads the events with its own durable
(search-index-<pod name>), so that it indexes every event. The admin RPCs
take the shared service token. */}}
{{- define "relais.env.search" -}}
{{- $v := .root.Values -}}
- name: RELAIS_SEARCH_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
- name: RELAIS_SEARCH_CATALOG_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "catalog") | quote }}
{{ include "relais.env.events" .root }}
{{- if $v.meilisearch.url }}
{{ include "relais.env.db" (dict "root" .root "service" "search" "password" true) }}
{{- else }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: RELAIS_SEARCH_DURABLE
  value: search-index-$(POD_NAME)
- name: RELAIS_SEARCH_DB_DRIVER
  value: sqlite
- name: RELAIS_SEARCH_DB_DSN
  value: /data/search.db
{{- end }}
{{ include "relais.env.serviceToken" (dict "root" .root "name" "RELAIS_SEARCH_SERVICE_TOKEN") }}
{{- if $v.meilisearch.url }}
- name: RELAIS_SEARCH_INDEX_BACKEND
  value: meilisearch
- name: RELAIS_SEARCH_INDEX_MEILISEARCH_URL
  value: {{ $v.meilisearch.url | quote }}
{{- with $v.meilisearch.index }}
- name: RELAIS_SEARCH_INDEX_MEILISEARCH_INDEX
  value: {{ . | quote }}
{{- end }}
{{- if or $v.meilisearch.existingSecret $v.meilisearch.apiKey }}
- name: RELAIS_SEARCH_INDEX_MEILISEARCH_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.meilisearch.existingSecret | default (include "relais.secretName" .root) }}
      key: {{ ternary $v.meilisearch.apiKeyKey "meilisearch-api-key" (not (empty $v.meilisearch.existingSecret)) }}
{{- end }}
{{- else }}
- name: RELAIS_SEARCH_INDEX_BACKEND
  value: embedded
- name: RELAIS_SEARCH_INDEX_DIR
  value: /data/search
{{- end }}
{{- end -}}

{{/* The preview target: its records and tables in the catalog's
PostgreSQL (tables preview_*, tabular_*), files read from the storage
service with the shared service token, resources' extras written to the
catalog as the service user, remote files fetched behind the SSRF guard
(preview.fetch.*). */}}
{{- define "relais.env.preview" -}}
{{- $f := .root.Values.preview.fetch -}}
- name: RELAIS_PREVIEW_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
- name: RELAIS_PREVIEW_CATALOG_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "catalog") | quote }}
- name: RELAIS_PREVIEW_STORAGE_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "storage") | quote }}
- name: RELAIS_PREVIEW_PUBLIC_URL
  value: {{ include "relais.publicURL" .root | quote }}
{{- with $f.allow }}
- name: RELAIS_PREVIEW_FETCH_ALLOW
  value: {{ join "," . | quote }}
{{- end }}
{{- with $f.maxBytes }}
- name: RELAIS_PREVIEW_FETCH_MAX_BYTES
  value: {{ . | int64 | toString | quote }}
{{- end }}
{{- with .root.Values.preview.concurrency }}
- name: RELAIS_PREVIEW_CONCURRENCY
  value: {{ . | quote }}
{{- end }}
- name: RELAIS_PREVIEW_TEMP_DIR
  value: /tmp
{{- with .root.Values.preview.ackWait }}
- name: RELAIS_PREVIEW_ACK_WAIT
  value: {{ . | quote }}
{{- end }}
{{ include "relais.env.events" .root }}
{{ include "relais.env.db" (dict "root" .root "service" "preview" "password" true) }}
{{ include "relais.env.storageToken" .root }}
{{ include "relais.env.serviceUser" (dict "root" .root "name" "RELAIS_PREVIEW_CATALOG_API_KEY") }}
{{- end -}}

{{/* The analytics target: its counts in the catalog's PostgreSQL (tables
analytics_*), the figures sent to the catalog as the service user. */}}
{{- define "relais.env.analytics" -}}
- name: RELAIS_ANALYTICS_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
- name: RELAIS_ANALYTICS_CATALOG_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "catalog") | quote }}
{{ include "relais.env.events" .root }}
{{ include "relais.env.db" (dict "root" .root "service" "analytics" "password" true) }}
{{- with .root.Values.analytics.ackWait }}
- name: RELAIS_ANALYTICS_ACK_WAIT
  value: {{ . | quote }}
{{- end }}
{{ include "relais.env.serviceUser" (dict "root" .root "name" "RELAIS_ANALYTICS_CATALOG_API_KEY") }}
{{- end -}}

{{/* The harvest target: its sources, runs and plans in the catalog's
PostgreSQL (tables harvest_*), its jobs on NATS, harvested datasets written
to the catalog as the service user, remote catalogues read behind the SSRF
guard (harvest.fetch.*). */}}
{{- define "relais.env.harvest" -}}
{{- $f := .root.Values.harvest.fetch -}}
- name: RELAIS_HARVEST_GRPC_ADDR
  value: ":{{ .t.ports.grpc }}"
- name: RELAIS_HARVEST_CATALOG_ADDR
  value: {{ include "relais.targetAddr" (dict "root" .root "target" "catalog") | quote }}
{{- with $f.allow }}
- name: RELAIS_HARVEST_FETCH_ALLOW
  value: {{ join "," . | quote }}
{{- end }}
{{- with $f.maxBytes }}
- name: RELAIS_HARVEST_FETCH_MAX_BYTES
  value: {{ . | int64 | toString | quote }}
{{- end }}
{{ include "relais.env.events" .root }}
{{ include "relais.env.db" (dict "root" .root "service" "harvest" "password" true) }}
{{ include "relais.env.serviceUser" (dict "root" .root "name" "RELAIS_HARVEST_CATALOG_API_KEY") }}
{{- end -}}

{{/* Shared pieces. */}}

{{/* The shared service token under another variable: (dict "root" $
"name" VAR). */}}
{{- define "relais.env.serviceToken" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.storageToken.existingSecret | default (include "relais.secretName" .root) }}
      key: {{ ternary .root.Values.storageToken.existingSecretKey "storage-token" (not (empty .root.Values.storageToken.existingSecret)) }}
{{- end -}}

{{/* The service user's API token (serviceUser.*), a sysadmin of the
catalog: (dict "root" $ "name" VAR). */}}
{{- define "relais.env.serviceUser" -}}
{{- $s := .root.Values.serviceUser -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret | default (include "relais.secretName" .root) }}
      key: {{ ternary $s.existingSecretKey "service-user-token" (not (empty $s.existingSecret)) }}
{{- end -}}

{{- define "relais.env.events" -}}
- name: RELAIS_EVENTS_URL
  value: {{ include "relais.eventsURL" . | quote }}
- name: RELAIS_EVENTS_REPLICAS
  value: {{ .Values.events.streamReplicas | quote }}
{{- end -}}

{{/* A service's PostgreSQL: (dict "root" $ "service" "catalog"|"storage"
"password" BOOL). The catalog's DSN comes from database.*; the storage
service's from storageDatabase.* when set, else it is the catalog's (one
database, tables of their own). Each comes from an existing Secret, from the
chart's Secret, or is composed for the bundled PostgreSQL with its password
(Kubernetes expands $(VAR) from a variable defined before it; "password"
false when an earlier call defined PG_PASSWORD in the same container). */}}
{{- define "relais.env.db" -}}
{{- $v := .root.Values -}}
{{- $P := upper .service -}}
{{- $src := $v.database -}}
{{- $key := "database-dsn" -}}
{{- if and (eq .service "storage") (or $v.storageDatabase.existingSecret $v.storageDatabase.dsn) -}}
{{- $src = $v.storageDatabase -}}
{{- $key = "storage-database-dsn" -}}
{{- end -}}
{{- $maxOpen := ternary $v.storageDatabase.maxOpenConns $v.database.maxOpenConns (eq .service "storage") -}}
- name: RELAIS_{{ $P }}_DB_DRIVER
  value: postgres
{{- if $maxOpen }}
- name: RELAIS_{{ $P }}_DB_MAX_OPEN_CONNS
  value: {{ $maxOpen | quote }}
{{- end }}
{{- if or $src.existingSecret $src.dsn }}
- name: RELAIS_{{ $P }}_DB_DSN
  valueFrom:
    secretKeyRef:
      name: {{ $src.existingSecret | default (include "relais.secretName" .root) }}
      key: {{ ternary $src.existingSecretKey $key (not (empty $src.existingSecret)) }}
{{- else }}
{{- if .password }}
- name: PG_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s-postgresql" .root.Release.Name }}
      key: password
{{- end }}
- name: RELAIS_{{ $P }}_DB_DSN
  value: {{ printf "postgres://%s:$(PG_PASSWORD)@%s-postgresql:5432/%s?sslmode=disable" (dig "auth" "username" "relais" $v.postgresql) .root.Release.Name (dig "auth" "database" "relais" $v.postgresql) | quote }}
{{- end }}
{{- end -}}

{{- define "relais.env.tokenSecret" -}}
- name: RELAIS_CATALOG_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.tokenSecret.existingSecret | default (include "relais.secretName" .) }}
      key: {{ ternary .Values.tokenSecret.existingSecretKey "token-secret" (not (empty .Values.tokenSecret.existingSecret)) }}
{{- end -}}


{{/* The storage service's token (storage.service_token), shared by the
gateway and the storage service: from an existing Secret, else from the
chart's Secret (storageToken.value, or one the chart generates). */}}
{{- define "relais.env.storageToken" -}}
{{ include "relais.env.serviceToken" (dict "root" . "name" "RELAIS_STORAGE_SERVICE_TOKEN") }}
{{- end -}}

{{/* The key sealing the portal's session cookies (gateway.session_key),
shared by every gateway pod: from an existing Secret, else from the chart's
Secret (sessionKey.value, or one the chart generates). */}}
{{- define "relais.env.sessionKey" -}}
- name: RELAIS_GATEWAY_SESSION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.sessionKey.existingSecret | default (include "relais.secretName" .) }}
      key: {{ ternary .Values.sessionKey.existingSecretKey "session-key" (not (empty .Values.sessionKey.existingSecret)) }}
{{- end -}}

{{/* The storage service's blobs on S3 / MinIO (objectStorage.*): the keys
from objectStorage.existingSecret, or from the chart's Secret, or none
(anonymous access). */}}
{{- define "relais.env.s3" -}}
{{- $o := .Values.objectStorage -}}
- name: RELAIS_STORAGE_BLOB_BACKEND
  value: s3
- name: RELAIS_STORAGE_BLOB_S3_ENDPOINT
  value: {{ $o.endpoint | quote }}
- name: RELAIS_STORAGE_BLOB_S3_BUCKET
  value: {{ $o.bucket | quote }}
{{- with $o.region }}
- name: RELAIS_STORAGE_BLOB_S3_REGION
  value: {{ . | quote }}
{{- end }}
{{- if $o.createBucket }}
- name: RELAIS_STORAGE_BLOB_S3_CREATE_BUCKET
  value: "true"
{{- end }}
{{- if or $o.existingSecret $o.accessKey }}
- name: RELAIS_STORAGE_BLOB_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $o.existingSecret | default (include "relais.secretName" .) }}
      key: {{ ternary $o.accessKeyKey "s3-access-key" (not (empty $o.existingSecret)) }}
{{- end }}
{{- if or $o.existingSecret $o.secretKey }}
- name: RELAIS_STORAGE_BLOB_S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $o.existingSecret | default (include "relais.secretName" .) }}
      key: {{ ternary $o.secretKeyKey "s3-secret-key" (not (empty $o.existingSecret)) }}
{{- end }}
{{- end -}}
