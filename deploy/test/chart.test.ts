/**
 * The Helm chart (deploy/chart/supergraph) as helm renders it, with the default (development) values
 * and with values-production.yaml: every object validates against the Kubernetes API schemas, and the
 * objects have what running the supergraph on a cluster relies on. No cluster is needed: helm and
 * kubernetes-validate come from scripts/deploy-tools.ts (HELM_BIN, DEPLOY_TOOLS_PYTHONPATH).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, type Env } from '@supergraph/config';
import { SERVICE_LOADERS } from '@supergraph/testing';
import { deployToolsPythonPath, helmBinary } from '../../scripts/deploy-tools';

const CHART = join(REPO_ROOT, 'deploy/chart/supergraph');
const RELEASE = 'supergraph';
/** The Kubernetes release the objects must be valid for (the newest kubernetes-validate ships). */
const KUBERNETES_VERSION = '1.37.0';

const helm = process.env.HELM_BIN ?? helmBinary();
const pythonPath = process.env.DEPLOY_TOOLS_PYTHONPATH ?? deployToolsPythonPath();

interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number }; exec?: unknown };
  readinessProbe?: { httpGet?: { path: string; port: string | number }; exec?: unknown };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } };
}

type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: { matchLabels?: Record<string, string> } };

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    template?: PodTemplate;
    selector?: { matchLabels?: Record<string, string> };
    podSelector?: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: { from?: Peer[]; ports?: { port: number }[] }[];
    scaleTargetRef?: { kind: string; name: string };
    metrics?: { type: string; resource?: { name: string }; pods?: { metric: { name: string } } }[];
    rules?: { host?: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[];
    tls?: { secretName: string; hosts?: string[] }[];
    ports?: { name: string; port: number }[];
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** `helm template` of the chart with these arguments: the objects, or helm's error. */
function render(args: string[]): { objects: K8sObject[]; manifest: string; error?: string } {
  const run = spawnSync(helm, ['template', RELEASE, CHART, '--namespace', RELEASE, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) return { objects: [], manifest: '', error: run.stderr || String(run.error) };
  const objects = parseAllDocuments(run.stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  return { objects, manifest: run.stdout };
}

const component = (object: { metadata: { labels?: Record<string, string> } }) => object.metadata.labels?.['app.kubernetes.io/component'] ?? '';
const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);
const workloads = (objects: K8sObject[]) => objects.filter((object) => ['Deployment', 'StatefulSet', 'Job'].includes(object.kind));
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([name, value]) => labels[name] === value);

/** Variables that hold secrets: they may only ever come from a Secret. */
const SECRET_VARIABLE = /SECRET|_TOKEN$|_KEY$|PASSWORD|DATABASE_URL|REDIS_URL/;

/** The environment a container starts with, its Secret references resolved against the rendered Secrets (an existing Secret's keys stand for themselves). */
function containerEnvironment(objects: K8sObject[], container: Container): Env {
  const secret = (name: string) => ofKind(objects, 'Secret').find((object) => object.metadata.name === name);
  const secretValue = (name: string, key: string): string | undefined => {
    const found = secret(name);
    if (!found) return `existing-secret-${key}`;
    return found.stringData?.[key] ?? (found.data?.[key] === undefined ? undefined : Buffer.from(found.data[key], 'base64').toString('utf8'));
  };
  const configMap = (name: string) => ofKind(objects, 'ConfigMap').find((object) => object.metadata.name === name);
  const env: Env = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name)?.data ?? {});
    if (source.secretRef) throw new Error(`${container.name}: envFrom a whole Secret hides which secrets it reads`);
  }
  for (const variable of container.env ?? []) {
    const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
    const value = secretKeyRef
      ? secretValue(secretKeyRef.name, secretKeyRef.key)
      : configMapKeyRef
        ? configMap(configMapKeyRef.name)?.data?.[configMapKeyRef.key]
        : variable.value;
    if (value !== undefined) env[variable.name] = value;
    else if (!secretKeyRef?.optional) throw new Error(`${container.name}: ${variable.name} refers to nothing`);
  }
  return env;
}

/** The environment the container of a component's Deployment starts with. */
const deploymentSettings = (objects: K8sObject[], name: string): Env =>
  containerEnvironment(objects, ofKind(objects, 'Deployment').find((deployment) => component(deployment) === name)!.spec!.template!.spec.containers[0]!);

/**
 * Who may open a connection to whom, computed from the NetworkPolicies as Kubernetes applies them: a
 * pod that some policy selects for ingress accepts only what one of those policies' rules allows; a
 * pod no policy selects accepts anything (written `* -> pod`). Sources are components, or
 * `namespace <name>` for a namespace selector.
 */
function allowedConnections(objects: K8sObject[]): string[] {
  const pods = workloads(objects).map((workload) => ({ name: component(workload), labels: workload.spec!.template!.metadata.labels }));
  const policies = ofKind(objects, 'NetworkPolicy').filter((policy) => policy.spec?.policyTypes?.includes('Ingress'));
  const edges = new Set<string>();
  for (const pod of pods) {
    const governing = policies.filter((policy) => selects(policy.spec!.podSelector?.matchLabels, pod.labels));
    if (governing.length === 0) edges.add(`* -> ${pod.name}`);
    for (const rule of governing.flatMap((policy) => policy.spec!.ingress ?? [])) {
      const sources = (rule.from ?? []).flatMap((peer): string[] => {
        if (peer.namespaceSelector)
          return [`namespace ${peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? JSON.stringify(peer.namespaceSelector)}`];
        return pods.filter((source) => selects(peer.podSelector?.matchLabels, source.labels)).map((source) => source.name);
      });
      for (const source of sources) for (const { port } of rule.ports ?? [{ port: 0 }]) edges.add(`${source} -> ${pod.name}:${port}`);
    }
  }
  return [...edges].sort();
}

const SUBGRAPH_PORTS = { users: 4001, projects: 4002, payments: 4003, blockchain: 4004, ai: 4005 };
const PORTAL_PORT = 3000;
const DATABASE_CLIENTS = ['users', 'projects', 'projects-worker', 'payments', 'blockchain', 'migrations'];
const REDIS_CLIENTS = ['router', 'users', 'projects', 'projects-worker', 'payments', 'blockchain', 'ai'];

/** The paths the platform needs, and nothing else. */
function intendedConnections(inClusterBackingServices: boolean): string[] {
  const edges = [
    'namespace ingress-nginx -> router:4000',
    `namespace ingress-nginx -> portal:${PORTAL_PORT}`,
    // The portal's server queries the router for its pages (browsers reach the router through the ingress).
    'portal -> router:4000',
    // Prometheus scrapes every service's /metrics, the task worker's included.
    'namespace monitoring -> router:4000',
    ...Object.entries(SUBGRAPH_PORTS).map(([subgraph, port]) => `namespace monitoring -> ${subgraph}:${port}`),
    'namespace monitoring -> projects-worker:4012',
    ...Object.entries(SUBGRAPH_PORTS).map(([subgraph, port]) => `router -> ${subgraph}:${port}`),
    // Calls between subgraphs: payments changes tiers and settles token payments; ai indexes projects;
    // projects checks AI jobs and its workers have the AI subgraph run them; payments asks it for fraud scores;
    // ai's training reads the blockchain's transfers.
    'payments -> users:4001',
    'payments -> blockchain:4004',
    'payments -> ai:4005',
    'ai -> projects:4002',
    'ai -> blockchain:4004',
    'projects -> ai:4005',
    'projects-worker -> ai:4005',
  ];
  if (inClusterBackingServices) {
    edges.push(...DATABASE_CLIENTS.map((client) => `${client} -> postgresql:5432`), ...REDIS_CLIENTS.map((client) => `${client} -> redis:6379`));
  }
  return edges.sort();
}

const PRODUCTION_VALUES = ['-f', join(CHART, 'values-production.yaml')];
const VALUES = {
  development: { args: [], inClusterBackingServices: true },
  production: { args: PRODUCTION_VALUES, inClusterBackingServices: false },
};

describe.each(Object.entries(VALUES))('with the %s values', (_name, { args, inClusterBackingServices }) => {
  const { objects, manifest, error } = render(args);
  const deployments = ofKind(objects, 'Deployment');
  const podContainers = workloads(objects).flatMap((workload) => workload.spec!.template!.spec.containers.map((container) => ({ workload, container })));

  it('renders, and passes helm lint --strict', () => {
    expect(error).toBeUndefined();
    const lint = spawnSync(helm, ['lint', '--strict', CHART, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(lint.status === 0 ? '' : lint.stdout + lint.stderr).toBe('');
  });

  it(`validates against the Kubernetes ${KUBERNETES_VERSION} API schemas (strict: no unknown fields)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-'));
    try {
      writeFileSync(join(dir, 'manifest.yaml'), manifest);
      const run = spawnSync('python3', ['-m', 'kubernetes_validate', '--strict', '--quiet', '-k', KUBERNETES_VERSION, join(dir, 'manifest.yaml')], {
        env: { ...process.env, PYTHONPATH: pythonPath },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a Deployment for the router, each subgraph, the projects worker and the portal', () => {
    expect(deployments.map(component).sort()).toEqual(['ai', 'blockchain', 'payments', 'portal', 'projects', 'projects-worker', 'router', 'users']);
  });

  it('gives every container requests and limits of CPU and memory', () => {
    for (const { container } of podContainers) {
      expect({ container: container.name, requests: Object.keys(container.resources?.requests ?? {}).sort() }).toEqual({
        container: container.name,
        requests: ['cpu', 'memory'],
      });
      expect({ container: container.name, limits: Object.keys(container.resources?.limits ?? {}).sort() }).toEqual({
        container: container.name,
        limits: ['cpu', 'memory'],
      });
    }
  });

  it('probes every server: liveness on /health, readiness on /ready for the router (which checks the subgraphs) and /health for the subgraphs', () => {
    const probes = podContainers
      .filter(({ workload }) => workload.kind !== 'Job')
      .map(({ container }) => [
        container.name,
        container.livenessProbe?.httpGet?.path ?? (container.livenessProbe?.exec ? 'exec' : undefined),
        container.readinessProbe?.httpGet?.path ?? (container.readinessProbe?.exec ? 'exec' : undefined),
      ]);
    const expected = [
      ['router', '/health', '/ready'],
      ...Object.keys(SUBGRAPH_PORTS).map((subgraph) => [subgraph, '/health', '/health']),
      // The task worker serves /health beside its /metrics.
      ['projects-worker', '/health', '/health'],
      ['portal', '/health', '/health'],
      ...(inClusterBackingServices
        ? [
            ['postgresql', 'exec', 'exec'],
            ['redis', 'exec', 'exec'],
          ]
        : []),
    ];
    expect(probes.sort()).toEqual(expected.sort());
  });

  it("runs the portal from its own image as the unprivileged user, given none of the platform's secrets", () => {
    const pods = Object.fromEntries(deployments.map((deployment) => [component(deployment), deployment.spec!.template!.spec]));
    const portal = pods.portal!;
    expect(portal.containers[0]!.image).toMatch(/supergraph-portal:/);
    expect(portal.containers[0]!.image).not.toBe(pods.router!.containers[0]!.image);
    expect(portal.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(portal.containers[0]!.env).toBeUndefined();
  });

  it('has a PodDisruptionBudget for each Deployment, selecting exactly its pods', () => {
    const budgets = ofKind(objects, 'PodDisruptionBudget');
    for (const deployment of deployments) {
      const selecting = budgets.filter((budget) => selects(budget.spec!.selector?.matchLabels, deployment.spec!.template!.metadata.labels));
      expect({ deployment: deployment.metadata.name, budgets: selecting.length }).toEqual({ deployment: deployment.metadata.name, budgets: 1 });
      const others = deployments.filter(
        (other) => other !== deployment && selects(selecting[0]!.spec!.selector?.matchLabels, other.spec!.template!.metadata.labels),
      );
      expect(others).toEqual([]);
    }
  });

  it('autoscales the router, the AI subgraph and the portal on CPU', () => {
    const autoscalers = ofKind(objects, 'HorizontalPodAutoscaler').map((hpa) => [
      hpa.spec!.scaleTargetRef!.name,
      hpa.spec!.metrics!.map((metric) => metric.resource?.name ?? metric.pods?.metric.name),
    ]);
    expect(autoscalers.sort()).toEqual([
      [`${RELEASE}-ai`, ['cpu']],
      [`${RELEASE}-portal`, ['cpu']],
      [`${RELEASE}-router`, ['cpu']],
    ]);
  });

  it("drains before it stops: preStop waits, then SIGTERM, and the grace period covers the service's SHUTDOWN_GRACE_MS", () => {
    for (const deployment of deployments) {
      const pod = deployment.spec!.template!;
      for (const container of pod.spec.containers) {
        const [sleep, seconds] = container.lifecycle?.preStop?.exec?.command ?? [];
        expect({ container: container.name, preStop: sleep }).toEqual({ container: container.name, preStop: 'sleep' });
        const graceMs = Number(containerEnvironment(objects, container).SHUTDOWN_GRACE_MS ?? 0);
        expect(pod.spec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(Number(seconds) * 1000 + graceMs);
      }
    }
    const router = deployments.find((deployment) => component(deployment) === 'router')!.spec!.template!.spec.containers[0]!;
    expect(Number(containerEnvironment(objects, router).SHUTDOWN_GRACE_MS)).toBeGreaterThanOrEqual(10_000);
  });

  it('runs the migration Job as a hook before the Deployments are created or rolled, with the databases the subgraphs use', () => {
    const [job, ...more] = ofKind(objects, 'Job');
    expect(more).toEqual([]);
    const events = job!.metadata.annotations?.['helm.sh/hook']?.split(',') ?? [];
    // An in-cluster development PostgreSQL exists only after the install, so there the first run follows it.
    expect(events.sort()).toEqual(inClusterBackingServices ? ['post-install', 'pre-upgrade'] : ['pre-install', 'pre-upgrade']);
    for (const deployment of deployments) expect(deployment.metadata.annotations?.['helm.sh/hook']).toBeUndefined();
    expect(job!.spec!.template!.spec.containers[0]!.command).toEqual(['node', 'dist/packages/db/src/migrate-main.js']);

    // The Secret it reads exists before it: created beforehand (existingSecret) or a hook of the same events with a lower weight.
    const jobEnv = containerEnvironment(objects, job!.spec!.template!.spec.containers[0]!);
    const secretNames = new Set(job!.spec!.template!.spec.containers[0]!.env!.map((variable) => variable.valueFrom!.secretKeyRef!.name));
    for (const name of secretNames) {
      const secret = ofKind(objects, 'Secret').find((object) => object.metadata.name === name);
      if (!secret) continue;
      expect(secret.metadata.annotations?.['helm.sh/hook']).toBe(job!.metadata.annotations?.['helm.sh/hook']);
      expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(Number(job!.metadata.annotations?.['helm.sh/hook-weight']));
    }
    for (const deployment of deployments) {
      const env = containerEnvironment(objects, deployment.spec!.template!.spec.containers[0]!);
      for (const [name, value] of Object.entries(env)) if (name.endsWith('_DATABASE_URL')) expect(jobEnv[name]).toBe(value);
    }
  });

  it('takes every secret from a Secret by reference: none is written into a pod spec or a ConfigMap', () => {
    const secretValues = ofKind(objects, 'Secret').flatMap((secret) => Object.values(secret.stringData ?? {}));
    for (const { container } of podContainers) {
      for (const variable of container.env ?? []) {
        if (SECRET_VARIABLE.test(variable.name))
          expect({ variable: variable.name, from: variable.valueFrom?.secretKeyRef ? 'Secret' : 'inline' }).toEqual({
            variable: variable.name,
            from: 'Secret',
          });
        if (variable.value !== undefined) expect(secretValues).not.toContain(variable.value);
      }
    }
    for (const configMap of ofKind(objects, 'ConfigMap')) {
      for (const [name, value] of Object.entries(configMap.data ?? {})) {
        expect(name).not.toMatch(SECRET_VARIABLE);
        expect(secretValues).not.toContain(value);
      }
    }
  });

  it('gives each process exactly the settings its configuration loader reads, and the loader accepts them (in production mode with the production values)', () => {
    for (const workload of workloads(objects)) {
      const name = component(workload);
      if (name === 'postgresql' || name === 'redis') continue;
      const load = SERVICE_LOADERS[name as keyof typeof SERVICE_LOADERS];
      expect({ workload: name, hasLoader: load !== undefined }).toEqual({ workload: name, hasLoader: true });
      const env = containerEnvironment(objects, workload.spec!.template!.spec.containers[0]!);
      if (name !== 'migrations') expect(env.NODE_ENV).toBe(inClusterBackingServices ? undefined : 'production');
      const result = load(env);
      expect({ workload: name, error: result.error }).toEqual({ workload: name, error: undefined });
      expect({ workload: name, unread: Object.keys(env).filter((variable) => !result.read.includes(variable)) }).toEqual({ workload: name, unread: [] });
    }
  });

  it('lets through exactly the intended connections: clients to the router, the router to the subgraphs, services to their data', () => {
    expect(allowedConnections(objects)).toEqual(intendedConnections(inClusterBackingServices));
  });

  it('routes GraphQL and the dashboard through an Ingress that keeps WebSocket and SSE streams open', () => {
    const [ingress, ...more] = ofKind(objects, 'Ingress').filter((object) => component(object) === 'router');
    expect(more).toEqual([]);
    const annotations = ingress!.metadata.annotations ?? {};
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    const paths = ingress!.spec!.rules!.flatMap((rule) => rule.http.paths.map((path) => [path.path, path.backend.service.name]));
    expect(paths).toEqual([
      ['/graphql', `${RELEASE}-router`],
      ['/dashboard', `${RELEASE}-router`],
    ]);
  });
});

describe('the portal on its own host (the production values)', () => {
  const { objects } = render(PRODUCTION_VALUES);
  const ofComponent = (kind: string, name: string) => ofKind(objects, kind).find((object) => component(object) === name)!;
  const portalIngress = ofComponent('Ingress', 'portal');
  const portalHost = portalIngress.spec!.rules![0]!.host!;

  it('serves its host, from the root, through the portal Service, over TLS', () => {
    expect(portalHost).toBe('portal.example.com');
    const paths = portalIngress.spec!.rules!.flatMap((rule) => rule.http.paths.map((path) => [rule.host, path.path, path.backend.service.name]));
    expect(paths).toEqual([[portalHost, '/', ofComponent('Service', 'portal').metadata.name]]);
    expect(portalIngress.spec!.tls!.flatMap((tls) => tls.hosts)).toEqual([portalHost]);
  });

  it("lets the portal's origin call the router, and has Sign-In with Ethereum messages name the portal's host", () => {
    expect(deploymentSettings(objects, 'router').CORS_ORIGINS?.split(',')).toEqual([`https://${portalHost}`]);
    expect(deploymentSettings(objects, 'users').SIWE_DOMAIN).toBe(portalHost);
  });

  it("queries the router's Service from the portal's server, and gives browsers the router's public GraphQL endpoint", () => {
    const portal = deploymentSettings(objects, 'portal');
    const router = ofComponent('Service', 'router');
    const inCluster = new URL(portal.PORTAL_ROUTER_URL!);
    expect([inCluster.hostname, Number(inCluster.port), inCluster.pathname]).toEqual([router.metadata.name, router.spec!.ports![0]!.port, '/graphql']);
    const routerIngress = ofComponent('Ingress', 'router');
    const graphqlPath = routerIngress.spec!.rules![0]!.http.paths.find((path) => path.path === '/graphql')!;
    expect(graphqlPath.backend.service.name).toBe(router.metadata.name);
    expect(portal.PORTAL_BROWSER_ROUTER_URL).toBe(`https://${routerIngress.spec!.rules![0]!.host!}/graphql`);
    expect(routerIngress.spec!.tls!.flatMap((tls) => tls.hosts)).toEqual([routerIngress.spec!.rules![0]!.host]);
  });

  it("keeps the router's other CORS origins beside the portal's", () => {
    const { objects: withOthers } = render([...PRODUCTION_VALUES, '--set', 'router.corsOrigins=https://admin.example.com']);
    expect(deploymentSettings(withOthers, 'router').CORS_ORIGINS).toBe(`https://admin.example.com,https://${portalHost}`);
  });
});

test('without the portal, nothing of it is rendered and the router admits neither its origin nor its pods', () => {
  const { objects, error } = render([...PRODUCTION_VALUES, '--set', 'portal.enabled=false']);
  expect(error).toBeUndefined();
  expect(objects.filter((object) => component(object) === 'portal').map((object) => object.kind)).toEqual([]);
  expect(deploymentSettings(objects, 'router').CORS_ORIGINS).toBeUndefined();
  expect(allowedConnections(objects).filter((edge) => edge.includes('portal'))).toEqual([]);
});

test('the router also scales on requests per second when the cluster has a metrics adapter', () => {
  const { objects, error } = render(['--set', 'router.autoscaling.requestsPerSecond.enabled=true']);
  expect(error).toBeUndefined();
  const router = ofKind(objects, 'HorizontalPodAutoscaler').find((hpa) => hpa.spec!.scaleTargetRef!.name === `${RELEASE}-router`)!;
  expect(router.spec!.metrics!.map((metric) => [metric.type, metric.resource?.name ?? metric.pods?.metric.name])).toEqual([
    ['Resource', 'cpu'],
    ['Pods', 'router_requests_per_second'],
  ]);
});

/** A production install that gives its secrets in values rather than an existing Secret. */
const SHARED_SECRETS = ['secrets.existingSecret=', 'secrets.routerSigningSecret=a', 'secrets.jwtSecret=b', 'secrets.aiMetricsToken=c'].flatMap((set) => [
  '--set',
  set,
]);
const ALL_SECRETS = [
  ...SHARED_SECRETS,
  ...['secrets.stripeSecretKey=d', 'secrets.stripeWebhookSecret=e', 'secrets.signerKey=f'].flatMap((set) => ['--set', set]),
];

test.each([
  ['chain.rpcUrl', ['--set', 'chain.rpcUrl=']],
  ['chain.treasuryAddress', ['--set', 'chain.treasuryAddress=']],
  ['secrets.aiMetricsToken', ['--set', 'secrets.existingSecret=']],
  ['secrets.stripeSecretKey', SHARED_SECRETS],
  ['postgresql.urls.users', ALL_SECRETS],
  // The portal's live views need the router's public endpoint, which ingress.host otherwise gives.
  ['portal.browserRouterUrl', ['--set', 'ingress.host=']],
])('a production install that misses %s is refused, naming it', (setting, overrides) => {
  const { error } = render([...PRODUCTION_VALUES, ...overrides]);
  expect(error).toContain(setting);
});
