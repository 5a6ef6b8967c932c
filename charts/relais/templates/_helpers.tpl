{{/* Names and labels. */}}

{{- define "relais.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "relais.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of one target's objects: <fullname>-<target>, or <fullname> for
the allInOne pod. Call with (dict "root" $ "target" "catalog"). */}}
{{- define "relais.targetName" -}}
{{- $full := include "relais.fullname" .root -}}
{{- if eq .target "all" -}}
{{- $full -}}
{{- else -}}
{{- printf "%s-%s" ($full | trunc (int (sub 62 (len .target)))) .target | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "relais.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "relais.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: relais
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "relais.selectorLabels" -}}
app.kubernetes.io/name: {{ include "relais.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels and selector of one target: (dict "root" $ "target" "catalog"). */}}
{{- define "relais.targetLabels" -}}
{{ include "relais.labels" .root }}
app.kubernetes.io/component: {{ .target }}
{{- end -}}

{{- define "relais.targetSelectorLabels" -}}
{{ include "relais.selectorLabels" .root }}
app.kubernetes.io/component: {{ .target }}
{{- end -}}

{{- define "relais.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "relais.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "relais.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* deepMerge: .base with .over laid on top; maps merge, anything else
(lists, scalars, null) replaces. Unlike sprig's mergeOverwrite, an explicit
false or 0 in .over wins. Returns YAML. */}}
{{- define "relais.deepMerge" -}}
{{- $out := deepCopy (.base | default dict) -}}
{{- range $k, $v := (.over | default dict) -}}
{{- $cur := get $out $k -}}
{{- if and (kindIs "map" $v) (kindIs "map" $cur) -}}
{{- $_ := set $out $k (include "relais.deepMerge" (dict "base" $cur "over" $v) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The pods this release runs, as YAML: target name → its settings
(defaults merged with targets.<name>). allInOne: one "all" entry, one
replica, no autoscaling or disruption budget. Every template ranges over
this, so both modes share one Deployment, Service, … template. */}}
{{- define "relais.targets" -}}
{{- $out := dict -}}
{{- if eq .Values.mode "allInOne" -}}
{{- $t := include "relais.deepMerge" (dict "base" .Values.defaults "over" (omit .Values.allInOne "persistence")) | fromYaml -}}
{{- $_ := set $t "replicas" 1 -}}
{{- $_ := set $t "autoscaling" (dict "enabled" false) -}}
{{- $_ := set $t "podDisruptionBudget" (dict "enabled" false) -}}
{{- $_ := set $t "calls" list -}}
{{- $_ := set $t "needs" list -}}
{{- $_ := set $out "all" $t -}}
{{- else -}}
{{- range $name, $over := .Values.targets -}}
{{- if $over.enabled -}}
{{- $_ := set $out $name (include "relais.deepMerge" (dict "base" $.Values.defaults "over" $over) | fromYaml) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The chart's own Secret: made when a plain value is given. */}}
{{- define "relais.secretName" -}}
{{- printf "%s-secrets" (include "relais.fullname" .) -}}
{{- end -}}

{{- define "relais.makesSecret" -}}
{{- $v := .Values -}}
{{- if or $v.tokenSecret.value $v.database.dsn $v.storageDatabase.dsn $v.objectStorage.accessKey $v.objectStorage.secretKey (include "relais.storageTokenInSecret" .) (include "relais.sessionKeyInSecret" .) $v.serviceUser.value $v.meilisearch.apiKey -}}true{{- end -}}
{{- end -}}

{{/* Whether the storage token goes into the chart's Secret: given as a
value, or generated in distributed mode when no existing Secret holds it
(allInOne makes one on its volume). */}}
{{- define "relais.storageTokenInSecret" -}}
{{- if or .Values.storageToken.value (and (eq .Values.mode "distributed") (not .Values.storageToken.existingSecret)) -}}true{{- end -}}
{{- end -}}

{{/* The storage token of the chart's Secret: storageToken.value, else the
one of the Secret already in the cluster (helm install/upgrade look it up,
so upgrades keep it), else a new random one. Made once per rendering, so
that the Secret and the pods' checksum/secret agree. */}}
{{- define "relais.storageToken" -}}
{{- if .Values.storageToken.value -}}
{{- .Values.storageToken.value -}}
{{- else -}}
{{- $memo := .Values.storageToken -}}
{{- if not (hasKey $memo "_rendered") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "relais.secretName" .) | default dict -}}
{{- $old := dig "data" "storage-token" "" $existing -}}
{{- $_ := set $memo "_rendered" (ternary ($old | b64dec) (randAlphaNum 48) (not (empty $old))) -}}
{{- end -}}
{{- get $memo "_rendered" -}}
{{- end -}}
{{- end -}}

{{/* Whether the portal's session key goes into the chart's Secret: given
as a value, or generated in distributed mode when no existing Secret holds
it (allInOne makes one on its volume). */}}
{{- define "relais.sessionKeyInSecret" -}}
{{- if or .Values.sessionKey.value (and (eq .Values.mode "distributed") (not .Values.sessionKey.existingSecret)) -}}true{{- end -}}
{{- end -}}

{{/* The session key of the chart's Secret: sessionKey.value, else the one
of the Secret already in the cluster (kept by upgrades, so that no agent is
signed out), else 32 new random bytes in base64. Made once per rendering,
as the storage token is. */}}
{{- define "relais.sessionKey" -}}
{{- if .Values.sessionKey.value -}}
{{- .Values.sessionKey.value -}}
{{- else -}}
{{- $memo := .Values.sessionKey -}}
{{- if not (hasKey $memo "_rendered") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "relais.secretName" .) | default dict -}}
{{- $old := dig "data" "session-key" "" $existing -}}
{{- $_ := set $memo "_rendered" (ternary ($old | b64dec) (randBytes 32) (not (empty $old))) -}}
{{- end -}}
{{- get $memo "_rendered" -}}
{{- end -}}
{{- end -}}

{{/* The events URL of distributed mode. */}}
{{- define "relais.eventsURL" -}}
{{- if .Values.events.url -}}
{{- .Values.events.url -}}
{{- else if .Values.nats.enabled -}}
{{- printf "nats://%s-nats:4222" .Release.Name -}}
{{- end -}}
{{- end -}}

{{/* The headless Service of a target's gRPC port: (dict "root" $ "target"
NAME). Its DNS name resolves to every ready pod of the target. */}}
{{- define "relais.headlessName" -}}
{{- printf "%s-%s-headless" (include "relais.fullname" .root | trunc (int (sub 53 (len .target))) | trimSuffix "-") .target -}}
{{- end -}}

{{/* A target's gRPC address for its callers, enabled or not: dns:/// of its
headless Service, so that relais' gRPC clients (round robin) spread their
calls over every pod, where the ClusterIP Service would pin each long-lived
connection to one pod. (dict "root" $ "target" NAME) */}}
{{- define "relais.grpcAddr" -}}
{{- $t := get .root.Values.targets .target | default dict -}}
{{- printf "dns:///%s:%v" (include "relais.headlessName" .) $t.ports.grpc -}}
{{- end -}}

{{/* A target's gRPC address for its callers: (dict "root" $ "target"
NAME); empty when the target is not enabled. */}}
{{- define "relais.targetAddr" -}}
{{- $t := get .root.Values.targets .target | default dict -}}
{{- if $t.enabled -}}
{{- include "relais.grpcAddr" . -}}
{{- end -}}
{{- end -}}

{{/* Whether the search target keeps an embedded index (no
meilisearch.url): it is then a StatefulSet whose every pod has its own
volume (index and SQLite ledger) and its own durable consumer
(search-index-<pod>), so that each replica indexes every event. */}}
{{- define "relais.searchEmbedded" -}}
{{- if and (eq .Values.mode "distributed") .Values.targets.search.enabled (not .Values.meilisearch.url) -}}true{{- end -}}
{{- end -}}

{{/* The public URL: publicURL, else the first Ingress host, else localhost. */}}
{{- define "relais.publicURL" -}}
{{- if .Values.publicURL -}}
{{- .Values.publicURL -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts -}}
{{- $host := first .Values.ingress.hosts -}}
{{- $tls := false -}}
{{- range .Values.ingress.tls -}}{{- if has $host .hosts -}}{{- $tls = true -}}{{- end -}}{{- end -}}
{{- printf "%s://%s" (ternary "https" "http" $tls) $host -}}
{{- else -}}
http://localhost:8080
{{- end -}}
{{- end -}}

{{/* The Service and port the Ingress routes to. */}}
{{- define "relais.httpTarget" -}}
{{- if eq .Values.mode "allInOne" -}}all{{- else -}}gateway{{- end -}}
{{- end -}}

{{/* Checks that values.schema.json cannot express. */}}
{{- define "relais.validate" -}}
{{- if eq .Values.mode "distributed" -}}
{{- if not (include "relais.eventsURL" .) -}}
{{- fail "distributed mode needs NATS: set events.url, or nats.enabled=true for the bundled server" -}}
{{- end -}}
{{- if not (or .Values.database.existingSecret .Values.database.dsn .Values.postgresql.enabled) -}}
{{- fail "distributed mode needs PostgreSQL: set database.existingSecret (or database.dsn), or postgresql.enabled=true" -}}
{{- end -}}
{{- if not (or .Values.tokenSecret.existingSecret .Values.tokenSecret.value) -}}
{{- fail "distributed mode needs tokenSecret.existingSecret (or tokenSecret.value): every catalog replica must share it" -}}
{{- end -}}
{{- if not (and .Values.targets.gateway.enabled .Values.targets.catalog.enabled) -}}
{{- fail "distributed mode needs targets.catalog and targets.gateway enabled" -}}
{{- end -}}
{{- if and .Values.targets.storage.enabled (not .Values.objectStorage.endpoint) -}}
{{- fail "targets.storage keeps its files on S3: set objectStorage.endpoint (and its keys: objectStorage.existingSecret, or objectStorage.accessKey and secretKey)" -}}
{{- end -}}
{{- if and (or .Values.targets.preview.enabled .Values.targets.analytics.enabled .Values.targets.harvest.enabled) (not (or .Values.serviceUser.existingSecret .Values.serviceUser.value)) -}}
{{- fail "targets.preview, targets.analytics and targets.harvest write to the catalog as a sysadmin: set serviceUser.existingSecret (or serviceUser.value) to an API token of one (relais admin)" -}}
{{- end -}}
{{- if and .Values.targets.preview.enabled (not .Values.targets.storage.enabled) -}}
{{- fail "targets.preview reads the files of the storage target: enable targets.storage" -}}
{{- end -}}
{{- if and (include "relais.searchEmbedded" .) .Values.targets.search.persistence.existingClaim -}}
{{- fail "targets.search.persistence.existingClaim: the embedded index is on a volume per search pod, from the StatefulSet's volumeClaimTemplate; an existing claim cannot serve every replica" -}}
{{- end -}}
{{- range $name, $t := .Values.targets -}}
{{- range $t.calls -}}
{{- if not (get $.Values.targets .) -}}
{{- fail (printf "targets.%s.calls: no target %q" $name .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* One target's configuration file: config, then its own config. */}}
{{- define "relais.configFile" -}}
{{- $c := include "relais.deepMerge" (dict "base" .root.Values.config "over" .t.config) | fromYaml -}}
{{- if $c -}}
{{- toYaml $c -}}
{{- else -}}
# no settings beyond the chart's RELAIS_* variables
{{- end -}}
{{- end -}}

{{/* The data of the chart's Secret (plain values given in values). */}}
{{- define "relais.secretData" -}}
{{- with .Values.tokenSecret.value }}
token-secret: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.database.dsn }}
database-dsn: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.storageDatabase.dsn }}
storage-database-dsn: {{ . | b64enc | quote }}
{{- end }}
{{- if include "relais.storageTokenInSecret" . }}
storage-token: {{ include "relais.storageToken" . | b64enc | quote }}
{{- end }}
{{- if include "relais.sessionKeyInSecret" . }}
session-key: {{ include "relais.sessionKey" . | b64enc | quote }}
{{- end }}
{{- with .Values.objectStorage.accessKey }}
s3-access-key: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.objectStorage.secretKey }}
s3-secret-key: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.serviceUser.value }}
service-user-token: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.meilisearch.apiKey }}
meilisearch-api-key: {{ . | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* The ingress rules of one pod's NetworkPolicy (networkpolicy.yaml):
(dict "root" $ "name" TARGET "t" SETTINGS "callers" TARGETS). */}}
{{- define "relais.networkPolicyIngress" -}}
{{- /* The storage service's gRPC API is the gateway's alone (it takes the
service token): networkPolicy.grpcFrom does not reach it. */ -}}
{{- $grpcFrom := ternary list .root.Values.networkPolicy.grpcFrom (eq .name "storage") -}}
{{- range $port, $number := .t.ports }}
{{- if eq $port "http" }}
# The public HTTP API, from the ingress controller.
- ports:
    - port: {{ $port }}
      protocol: TCP
  {{- with $.root.Values.networkPolicy.gatewayFrom }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else if or $.callers $grpcFrom }}
# gRPC, from the targets that call it{{ if $grpcFrom }} and networkPolicy.grpcFrom{{ end }}.
- ports:
    - port: {{ $port }}
      protocol: TCP
  from:
    {{- if $.callers }}
    - podSelector:
        matchLabels:
          {{- include "relais.selectorLabels" $.root | nindent 10 }}
        matchExpressions:
          - key: app.kubernetes.io/component
            operator: In
            values: {{ toJson $.callers }}
    {{- end }}
    {{- with $grpcFrom }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end }}
{{- if and $.root.Values.networkPolicy.metricsFrom (ne $.name "migrate") }}
# /metrics (and /healthz, /readyz) on the admin port, from Prometheus.
- ports:
    - port: admin
      protocol: TCP
  from:
    {{- toYaml $.root.Values.networkPolicy.metricsFrom | nindent 4 }}
{{- end }}
{{- end -}}
