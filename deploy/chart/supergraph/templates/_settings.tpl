{{/*
What each component is given: its settings (its ConfigMap) and the settings it takes from the Secret
(secretKeyRef, never a value). Names are exactly what its loader reads (packages/config/src/<service>.ts,
subgraphs/ai/supergraph_ai/config.py); deploy/test/chart.test.ts runs each loader on what a pod gets.
Pass (dict "root" $ "component" "users").
*/}}

{{/* Every TypeScript service. */}}
{{- define "supergraph.settings.node" -}}
{{- $v := .root.Values -}}
{{- if $v.production }}
NODE_ENV: production
{{- end }}
HOST: 0.0.0.0
LOG_LEVEL: {{ $v.logLevel | quote }}
{{- with $v.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- with (get (include "supergraph.components" .root | fromYaml) .component).port }}
SHUTDOWN_GRACE_MS: {{ mul (get $v (get (include "supergraph.components" $.root | fromYaml) $.component).values).shutdownGraceSeconds 1000 | quote }}
{{- end }}
{{- end }}

{{- define "supergraph.settings.router" -}}
{{- $root := .root -}}
{{ include "supergraph.settings.node" . }}
ROUTER_PORT: "4000"
{{- range $subgraph := list "users" "projects" "payments" "blockchain" "ai" }}
SUBGRAPH_{{ upper $subgraph }}_URL: {{ include "supergraph.graphqlUrl" (dict "root" $root "component" $subgraph) | quote }}
{{- end }}
{{- $origins := compact (splitList "," $root.Values.router.corsOrigins) }}
{{- with include "supergraph.portalOrigin" $root }}{{- if not (has . $origins) }}{{- $origins = append $origins . }}{{- end }}{{- end }}
{{- with $origins }}
CORS_ORIGINS: {{ join "," . | quote }}
{{- end }}
# Behind the ingress controller, the caller's address is the first X-Forwarded-For entry (rate limits per address).
RATE_LIMIT_TRUST_PROXY: "true"
{{- end }}

{{- define "supergraph.settings.users" -}}
{{- $v := .root.Values -}}
{{ include "supergraph.settings.node" . }}
USERS_PORT: "4001"
{{- with $v.users.adminEmails }}
ADMIN_EMAILS: {{ . | quote }}
{{- end }}
{{- /* The portal's page asks the wallet to sign, so its host is what the messages name. */}}
{{- with $v.users.siweDomain | default (ternary $v.portal.ingress.host "" $v.portal.enabled) | default $v.ingress.host }}
SIWE_DOMAIN: {{ . | quote }}
{{- end }}
{{- end }}

{{- define "supergraph.settings.projects" -}}
{{ include "supergraph.settings.node" . }}
PROJECTS_PORT: "4002"
# AI jobs are checked (at submit) and run (for the workers) by the AI subgraph.
AI_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "ai") | quote }}
{{- if .root.Values.projectsWorker.enabled }}
# Tasks run in the projects-worker Deployment, which scales on its own.
PROJECTS_INPROCESS_WORKER: "false"
{{- end }}
{{- end }}

{{- define "supergraph.settings.projects-worker" -}}
{{ include "supergraph.settings.node" . }}
PROJECTS_WORKER_CONCURRENCY: {{ .root.Values.projectsWorker.concurrency | quote }}
AI_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "ai") | quote }}
{{- end }}

{{- define "supergraph.settings.payments" -}}
{{- $v := .root.Values -}}
{{ include "supergraph.settings.node" . }}
PAYMENTS_PORT: "4003"
USERS_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "users") | quote }}
BLOCKCHAIN_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "blockchain") | quote }}
# Card payments are fraud-scored here before they are charged (held in REVIEW at FRAUD_REVIEW_THRESHOLD).
AI_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "ai") | quote }}
{{- with include "supergraph.deploymentSetting" (list .root $v.chain.treasuryAddress "chain.treasuryAddress") }}
TREASURY_ADDRESS: {{ . | quote }}
{{- end }}
BLOCKCHAIN_CONFIRMATIONS: {{ $v.chain.confirmations | quote }}
{{- end }}

{{- define "supergraph.settings.blockchain" -}}
{{- $v := .root.Values -}}
{{ include "supergraph.settings.node" . }}
BLOCKCHAIN_PORT: "4004"
{{- with include "supergraph.deploymentSetting" (list .root $v.chain.rpcUrl "chain.rpcUrl") }}
RPC_URL: {{ . | quote }}
{{- end }}
{{- with $v.chain.rpcWsUrl }}
RPC_WS_URL: {{ . | quote }}
{{- end }}
{{- with include "supergraph.deploymentSetting" (list .root $v.chain.forgeTokenAddress "chain.forgeTokenAddress") }}
FORGE_TOKEN_ADDRESS: {{ . | quote }}
{{- end }}
{{- with $v.chain.treasuryAddress }}
TREASURY_ADDRESS: {{ . | quote }}
{{- end }}
BLOCKCHAIN_CONFIRMATIONS: {{ $v.chain.confirmations | quote }}
{{- if $v.production }}
SIGNER_KEY_FILE: /run/secrets/signer/key
{{- end }}
{{- end }}

{{- define "supergraph.settings.ai" -}}
{{- if .root.Values.production }}
NODE_ENV: production
{{- end }}
AI_PORT: "4005"
LOG_LEVEL: {{ .root.Values.logLevel | quote }}
{{- with .root.Values.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
# The project index follows the projects subgraph's change feed (pokes come over REDIS_URL).
AI_PROJECTS_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "projects") | quote }}
# Training reads the chain's $FORGE transfers from here for the daily volume forecast.
AI_BLOCKCHAIN_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "blockchain") | quote }}
LLM_PROVIDER: {{ .root.Values.ai.llmProvider | quote }}
{{- end }}

{{- define "supergraph.settings.portal" -}}
{{- $v := .root.Values -}}
{{- if $v.production }}
NODE_ENV: production
{{- end }}
# Where Next.js's standalone server listens (its HOSTNAME would otherwise be the pod's name).
HOSTNAME: "0.0.0.0"
PORT: "3000"
# Server-side queries go to the router's Service; browsers open live views' sockets on its public URL.
PORTAL_ROUTER_URL: {{ include "supergraph.graphqlUrl" (dict "root" .root "component" "router") | quote }}
{{- with include "supergraph.deploymentSetting" (list .root ($v.portal.browserRouterUrl | default (include "supergraph.publicGraphqlUrl" .root)) "portal.browserRouterUrl (or ingress.host)") }}
PORTAL_BROWSER_ROUTER_URL: {{ . | quote }}
{{- end }}
{{- end }}

{{/* Settings from the Secret, as (name, key, optional) rows. The portal has none: it reaches the platform only through the router, with each user's own token. */}}
{{- define "supergraph.secretSettings" -}}
{{- $c := .component -}}
{{- $components := include "supergraph.components" .root | fromYaml -}}
{{- $rows := list -}}
{{- if ne $c "portal" }}{{- $rows = list (list "ROUTER_SIGNING_SECRET" "router-signing-secret" false) (list "REDIS_URL" "redis-url" false) }}{{- end -}}
{{- if has $c (list "router" "users") }}{{- $rows = append $rows (list "JWT_SECRET" "jwt-secret" false) }}{{- end -}}
{{- with (get $components $c).database }}{{- $rows = append $rows (list (printf "%s_DATABASE_URL" (upper .)) (printf "%s-database-url" .) false) }}{{- end -}}
{{- if eq $c "payments" -}}
{{- $rows = append $rows (list "STRIPE_SECRET_KEY" "stripe-secret-key" (not .root.Values.production)) -}}
{{- $rows = append $rows (list "STRIPE_WEBHOOK_SECRET" "stripe-webhook-secret" (not .root.Values.production)) -}}
{{- end -}}
{{- if eq $c "ai" -}}
{{- $rows = append $rows (list "AI_METRICS_TOKEN" "ai-metrics-token" false) -}}
{{- $rows = append $rows (list "OPENAI_API_KEY" "openai-api-key" true) -}}
{{- $rows = append $rows (list "ANTHROPIC_API_KEY" "anthropic-api-key" true) -}}
{{- end -}}
{{- toYaml (dict "rows" $rows) -}}
{{- end }}
