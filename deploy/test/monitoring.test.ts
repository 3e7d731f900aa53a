/**
 * The alert rules (deploy/prometheus/alerts.yml) and the Grafana dashboard (deploy/grafana/supergraph.json):
 * every expression parses as PromQL (promql-parser, a port of Prometheus' own parser), every metric it
 * reads is one the services export, one they will export under that name (PLANNED), or one every
 * cluster's exporters provide; the rule file has Prometheus' shape; the dashboard validates against its
 * JSON schema and lays its panels out without overlap. The parsers come from scripts/deploy-tools.ts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@supergraph/config';
import { deployToolsPythonPath } from '../../scripts/deploy-tools';

const pythonPath = process.env.DEPLOY_TOOLS_PYTHONPATH ?? deployToolsPythonPath();

const ALERTS_FILE = join(REPO_ROOT, 'deploy/prometheus/alerts.yml');
const DASHBOARD_FILE = join(REPO_ROOT, 'deploy/grafana/supergraph.json');
const DASHBOARD_SCHEMA = join(REPO_ROOT, 'deploy/grafana/dashboard.schema.json');

/**
 * Series the rules and panels read that no service exports yet: the names the services will export
 * them under (issue 15's metrics half). Each one leaves this list when it is exported (a test below
 * insists), so the list is always what remains to be done.
 */
const PLANNED: string[] = [];

/** Series every Prometheus on Kubernetes has: its own scrape health, and kube-state-metrics. */
const EXTERNAL = ['up', 'kube_deployment_spec_replicas', 'kube_deployment_status_replicas_ready'];

/** Every file that defines metrics: metrics.ts / metrics.py in the services' and packages' sources. */
function metricSources(): string[] {
  const roots = ['router/src', 'packages', 'subgraphs'].map((root) => join(REPO_ROOT, root));
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', '.venv', 'generated', 'test', 'tests', 'dist'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'metrics.ts' || entry.name === 'metrics.py') found.push(path);
    }
  };
  roots.forEach(walk);
  return found.sort();
}

/** The series names each metric definition produces (prom-client names counters with _total itself; prometheus_client appends it). */
function exportedSeries(): Set<string> {
  const series = new Set<string>();
  for (const file of metricSources()) {
    const text = readFileSync(file, 'utf8');
    const python = file.endsWith('.py');
    const definition = python
      ? /\b(Counter|Gauge|Histogram|Summary)\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"/g
      : /new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-zA-Z_:][a-zA-Z0-9_:]*)'/g;
    for (const [, kind, name] of text.matchAll(definition)) {
      if (kind === 'Histogram' || kind === 'Summary') ['_bucket', '_sum', '_count'].forEach((suffix) => series.add(name + suffix));
      else series.add(python && kind === 'Counter' ? `${name}_total` : name!);
    }
  }
  return series;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { uid: string };
  targets?: { expr: string }[];
}

/** What the Python side made of each expression and of the dashboard. */
interface Checked {
  expressions: { expr: string; error?: string; metrics: string[] }[];
  durations: { duration: string; error?: string }[];
  schemaErrors: string[];
}

/** Grafana's interval macros, as a query of the dashboard reaches Prometheus. */
const withGrafanaMacros = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h');

/** Parses every expression and duration with promql-parser, and validates the dashboard with jsonschema, in one Python process. */
function check(expressions: string[], durations: string[]): Checked {
  const script = `
import json, sys
import jsonschema, promql_parser

request = json.load(sys.stdin)
expressions = []
for expr in request["expressions"]:
    metrics = []
    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            metrics.append(node.name)
    try:
        promql_parser.walk(promql_parser.parse(expr), visit)
        expressions.append({"expr": expr, "metrics": sorted(set(metrics))})
    except Exception as error:
        expressions.append({"expr": expr, "error": str(error), "metrics": []})
durations = []
for duration in request["durations"]:
    try:
        promql_parser.parse_duration(duration)
        durations.append({"duration": duration})
    except Exception as error:
        durations.append({"duration": duration, "error": str(error)})
with open(request["schema"]) as schema, open(request["dashboard"]) as dashboard:
    validator = jsonschema.Draft202012Validator(json.load(schema))
    errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(json.load(dashboard))]
print(json.dumps({"expressions": expressions, "durations": durations, "schemaErrors": errors}))
`;
  const input = JSON.stringify({ expressions, durations, schema: DASHBOARD_SCHEMA, dashboard: DASHBOARD_FILE });
  const run = spawnSync('python3', ['-c', script], { input, env: { ...process.env, PYTHONPATH: pythonPath }, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`the PromQL and schema check failed to run: ${run.stderr || String(run.error)}`);
  return JSON.parse(run.stdout) as Checked;
}

const ruleFile = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
const rules = ruleFile.groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
  panels: (Panel & { panels?: Panel[] })[];
  templating: { list: { name: string; type: string }[] };
};
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target) => withGrafanaMacros(target.expr)));
const checked = check(
  [...rules.map((rule) => rule.expr), ...queries],
  rules.flatMap((rule) => (rule.for ? [rule.for] : [])),
);
const exported = exportedSeries();

describe('alert rules', () => {
  it('have the shape of a Prometheus rule file: named groups of alerts, each with a severity, a summary and a description', () => {
    expect(Object.keys(ruleFile)).toEqual(['groups']);
    const groupNames = ruleFile.groups.map((group) => group.name);
    expect(new Set(groupNames).size).toBe(groupNames.length);
    for (const rule of rules) {
      expect(Object.keys(rule).filter((key) => !['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(key))).toEqual([]);
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(page|ticket)$/) });
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
    }
    const names = alerts.map((alert) => alert.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('every expression and duration parses as PromQL', () => {
    const failures = checked.expressions.filter((result) => rules.some((rule) => rule.expr === result.expr) && result.error);
    expect(failures).toEqual([]);
    expect(checked.durations.filter((result) => result.error)).toEqual([]);
    expect(checked.expressions.length).toBeGreaterThanOrEqual(rules.length);
  });

  it('cover what the issue asks to be paged on', () => {
    const byName = new Map(alerts.map((alert) => [alert.alert, alert.expr]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        'SupergraphHighErrorRatio',
        'SupergraphCircuitBreakerOpen',
        'SupergraphNotReady',
        'SupergraphTargetDown',
        'SupergraphQueueBacklog',
        'SupergraphPaymentsFailing',
        'SupergraphOutboxLag',
        'SupergraphSubscriptionSourceLost',
      ]),
    );
    // One alert per tier: the backlog is measured by tier, not summed over tiers.
    expect(byName.get('SupergraphQueueBacklog')).toMatch(/by \(tier\)/);
    expect(byName.get('SupergraphQueueWaitHigh')).toMatch(/by \(tier, le\)/);
  });
});

describe('Grafana dashboard', () => {
  it('validates against the dashboard JSON schema', () => {
    expect(checked.schemaErrors).toEqual([]);
  });

  it('has a query on every panel, each parsing as PromQL, through the datasource variable', () => {
    const failures = checked.expressions.filter((result) => queries.includes(result.expr) && result.error);
    expect(failures).toEqual([]);
    const variables = dashboard.templating.list.filter((variable) => variable.type === 'datasource').map((variable) => `\${${variable.name}}`);
    for (const panel of panels.filter((panel) => panel.type !== 'row')) {
      expect({ panel: panel.title, queries: (panel.targets ?? []).length > 0, datasource: variables.includes(panel.datasource?.uid ?? '') }).toEqual({
        panel: panel.title,
        queries: true,
        datasource: true,
      });
    }
  });

  it('gives every panel its own id and its own place on the grid', () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const overlaps = (a: Panel['gridPos'], b: Panel['gridPos']) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const clashes = panels.flatMap((a, i) => panels.slice(i + 1).flatMap((b) => (overlaps(a.gridPos, b.gridPos) ? [`${a.title} / ${b.title}`] : [])));
    expect(clashes).toEqual([]);
    for (const panel of panels) expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
  });
});

describe('metrics the rules and panels read', () => {
  it('are found in the services: the metric definitions are where this test looks', () => {
    const sources = metricSources().map((file) => relative(REPO_ROOT, file));
    expect(sources).toEqual(expect.arrayContaining(['router/src/metrics.ts', 'subgraphs/blockchain/src/metrics.ts', 'subgraphs/ai/supergraph_ai/metrics.py']));
    expect(exported).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    expect([...exported]).toEqual(expect.arrayContaining(['router_requests_total', 'router_request_duration_seconds_bucket', 'ai_generation_tokens_total']));
  });

  it('are each exported by a service, planned under that name, or provided by the cluster', () => {
    const read = [...new Set(checked.expressions.flatMap((result) => result.metrics))].sort();
    expect(read.filter((name) => !exported.has(name) && !PLANNED.includes(name) && !EXTERNAL.includes(name))).toEqual([]);
    // Every planned name is used, so the list says exactly what the rules and panels wait for.
    expect(PLANNED.filter((name) => !read.includes(name))).toEqual([]);
  });

  it('leave the planned list once a service exports them', () => {
    expect(PLANNED.filter((name) => exported.has(name))).toEqual([]);
  });
});
