{{/* Names and labels. */}}
{{- define "supergraph.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end }}

{{- define "supergraph.labels" -}}
app.kubernetes.io/name: supergraph
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{/* Selector labels of one component: pass (dict "root" $ "component" "router"). */}}
{{- define "supergraph.selectorLabels" -}}
app.kubernetes.io/name: supergraph
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
The Deployments: what runs and where it listens. Each TypeScript service runs its compiled entry
point from the one image; `values` names its block in values.yaml, `image` the values of its image. A
component without a port serves no HTTP: no Service, no probes, nothing may reach it (the task worker
serves only /health and its /metrics, on PROJECTS_WORKER_METRICS_PORT). `public`: the ingress
controller may reach it. `callers`: the only components that may reach it (the router; the portal calls
the router, payments calls users and blockchain, ai reads the projects feed, projects and its workers
have ai check and run AI jobs); `metrics`: Prometheus may scrape its /metrics.
*/}}
{{- define "supergraph.components" -}}
router: { values: router, port: 4000, image: image, command: [node, dist/router/src/main.js], metrics: true, public: true, callers: [portal] }
users: { values: users, port: 4001, image: image, command: [node, dist/subgraphs/users/src/main.js], database: users, metrics: true, callers: [router, payments] }
projects: { values: projects, port: 4002, image: image, command: [node, dist/subgraphs/projects/src/main.js], database: projects, metrics: true, callers: [router, ai] }
projects-worker: { values: projectsWorker, port: 4012, image: image, command: [node, dist/subgraphs/projects/src/worker.js], database: projects, metrics: true }
payments: { values: payments, port: 4003, image: image, command: [node, dist/subgraphs/payments/src/main.js], database: payments, metrics: true, callers: [router] }
blockchain: { values: blockchain, port: 4004, image: image, command: [node, dist/subgraphs/blockchain/src/main.js], database: blockchain, metrics: true, callers: [router, payments, ai] }
ai: { values: ai, port: 4005, image: aiImage, command: [python, -m, supergraph_ai], metrics: true, callers: [router, projects, projects-worker, payments] }
portal: { values: portal, port: 3000, image: portalImage, command: [node, apps/portal/server.js], public: true }
{{- end }}

{{/* The components this release runs (the worker and the portal only when enabled). */}}
{{- define "supergraph.enabledComponents" -}}
{{- $all := include "supergraph.components" . | fromYaml -}}
{{- if not .Values.projectsWorker.enabled }}{{- $_ := unset $all "projects-worker" }}{{- end }}
{{- if not .Values.portal.enabled }}{{- $_ := unset $all "portal" }}{{- end }}
{{- toYaml $all -}}
{{- end }}

{{/* In-cluster URL of a subgraph's GraphQL endpoint: pass (dict "root" $ "component" "users"). */}}
{{- define "supergraph.graphqlUrl" -}}
{{- $port := (get (include "supergraph.components" .root | fromYaml) .component).port -}}
http://{{ include "supergraph.fullname" .root }}-{{ .component }}:{{ $port }}/graphql
{{- end }}

{{/* The router's GraphQL endpoint as browsers reach it, through the Ingress; empty without ingress.host. */}}
{{- define "supergraph.publicGraphqlUrl" -}}
{{- if and .Values.ingress.enabled .Values.ingress.host -}}
{{ ternary "https" "http" (not (empty .Values.ingress.tlsSecretName)) }}://{{ .Values.ingress.host }}/graphql
{{- end -}}
{{- end }}

{{/* The portal's public origin, which the router lets call it (CORS); empty without portal.ingress.host. */}}
{{- define "supergraph.portalOrigin" -}}
{{- $portal := .Values.portal -}}
{{- if and $portal.enabled $portal.ingress.host -}}
{{ ternary "https" "http" (not (empty $portal.ingress.tlsSecretName)) }}://{{ $portal.ingress.host }}
{{- end -}}
{{- end }}

{{- define "supergraph.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "supergraph.fullname" .)) -}}
{{- end }}

{{/*
The secret values the chart creates, computed once per render (kept in .Values so every template sees
the same generated ones) and, on upgrade, taken from the release's existing Secret before generating.
Keys are the Secret's keys (deploy/README.md lists them).
*/}}
{{- define "supergraph.secretData" -}}
{{- if not (hasKey .Values "_secretData") -}}
{{- $existing := (lookup "v1" "Secret" .Release.Namespace (printf "%s-secrets" (include "supergraph.fullname" .))).data | default dict -}}
{{- $keep := dict -}}
{{- range $key, $value := $existing }}{{- $_ := set $keep $key (b64dec $value) }}{{- end -}}
{{- $s := .Values.secrets -}}
{{- $generate := not .Values.production -}}
{{- $data := dict -}}
{{- range $key, $given := dict "router-signing-secret" $s.routerSigningSecret "jwt-secret" $s.jwtSecret "ai-metrics-token" $s.aiMetricsToken "postgres-password" "" -}}
{{- $value := $given | default (get $keep $key) -}}
{{- if and (not $value) (or $generate (eq $key "postgres-password")) }}{{- $value = randAlphaNum 40 }}{{- end -}}
{{- if not $value }}{{- fail (printf "production: set secrets.%s, or secrets.existingSecret" (camelcase (replace "-" "_" $key) | untitle)) }}{{- end -}}
{{- $_ := set $data $key $value -}}
{{- end -}}
{{- range $key, $value := dict "stripe-secret-key" $s.stripeSecretKey "stripe-webhook-secret" $s.stripeWebhookSecret "signer-key" $s.signerKey "openai-api-key" $s.openaiApiKey "anthropic-api-key" $s.anthropicApiKey -}}
{{- if $value }}{{- $_ := set $data $key $value }}{{- end -}}
{{- end -}}
{{- if .Values.production -}}
{{- range $key := list "stripe-secret-key" "stripe-webhook-secret" "signer-key" -}}
{{- if not (hasKey $data $key) }}{{- fail (printf "production: set secrets.%s, or secrets.existingSecret" (camelcase (replace "-" "_" $key) | untitle)) }}{{- end -}}
{{- end -}}
{{- end -}}
{{- $pg := .Values.postgresql -}}
{{- range $database := list "users" "projects" "payments" "blockchain" -}}
{{- $url := get $pg.urls $database -}}
{{- if $pg.inCluster.enabled -}}
{{- $url = printf "postgresql://supergraph:%s@%s-postgresql:5432/%s" (get $data "postgres-password") (include "supergraph.fullname" $) $database -}}
{{- end -}}
{{- if not $url }}{{- fail (printf "set postgresql.urls.%s, or postgresql.inCluster.enabled for development" $database) }}{{- end -}}
{{- $_ := set $data (printf "%s-database-url" $database) $url -}}
{{- end -}}
{{- $redis := .Values.redis.url -}}
{{- if .Values.redis.inCluster.enabled }}{{- $redis = printf "redis://%s-redis:6379" (include "supergraph.fullname" .) }}{{- end -}}
{{- if not $redis }}{{- fail "set redis.url, or redis.inCluster.enabled for development" }}{{- end -}}
{{- $_ := set $data "redis-url" $redis -}}
{{- $_ := set .Values "_secretData" $data -}}
{{- end -}}
{{- toYaml .Values._secretData -}}
{{- end }}

{{/* A setting from the Secret: pass (dict "name" "JWT_SECRET" "key" "jwt-secret" "root" $ "optional" false). */}}
{{- define "supergraph.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName | default (include "supergraph.secretName" .root) }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* A value production requires: pass (list $ value "chain.rpcUrl"). */}}
{{- define "supergraph.deploymentSetting" -}}
{{- $root := index . 0 -}}
{{- if and $root.Values.production (not (index . 1)) }}{{- fail (printf "production: set %s" (index . 2)) }}{{- end -}}
{{- index . 1 -}}
{{- end }}
