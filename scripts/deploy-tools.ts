/**
 * The tools the deployment tests (deploy/test/) need, installed once per machine into
 * .cache/deploy-tools from the package registries, since nothing else is reachable here:
 * - helm, built from its Go module with `go install` (cold: minutes, nearly all of it compiling
 *   the Kubernetes client libraries; the figures are in deploy/README.md);
 * - from PyPI, as binary wheels (seconds): kubernetes-validate, which ships the Kubernetes API schemas
 *   of each release; promql-parser, Prometheus' expression grammar (a Rust parser); jsonschema.
 * scripts/test-services.ts installs them before the tests run (a test file's time limit is too short
 * for a cold helm build) and passes their paths on in HELM_BIN and DEPLOY_TOOLS_PYTHONPATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** helm 4: the Go module and version built. */
export const HELM_MODULE = 'helm.sh/helm/v4/cmd/helm@v4.3.2';
/** The Python packages, pinned: kubernetes-validate's schemas go up to Kubernetes 1.37. */
export const PYTHON_TOOLS = ['kubernetes-validate==1.37.0', 'promql-parser==0.11.0', 'jsonschema==4.26.0'];

const TOOLS_DIR = join(__dirname, '..', '.cache', 'deploy-tools');

/** The helm binary, built into the cache on first use. Throws with go's own message when it cannot be. */
export function helmBinary(log: (message: string) => void = () => {}): string {
  const bin = join(TOOLS_DIR, 'bin');
  const helm = join(bin, 'helm');
  if (existsSync(helm)) return helm;
  log(`installing ${HELM_MODULE} with go install into ${bin} (once per machine; a few minutes)`);
  mkdirSync(bin, { recursive: true });
  // GOTOOLCHAIN=local: build with the Go that is installed, never download another.
  const built = spawnSync('go', ['install', HELM_MODULE], { env: { ...process.env, GOBIN: bin, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' }, encoding: 'utf8' });
  if (built.status !== 0 || !existsSync(helm))
    throw new Error(`go install ${HELM_MODULE} failed: ${built.error?.message ?? built.stderr.trim().split('\n').slice(-5).join('\n')}`);
  return helm;
}

/** The folder holding the Python tools and their dependencies: put it on PYTHONPATH (`python3 -m kubernetes_validate`, `import promql_parser`). */
export function deployToolsPythonPath(log: (message: string) => void = () => {}): string {
  const target = join(TOOLS_DIR, 'python');
  // Written last: a half-finished install is redone.
  const marker = join(target, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === PYTHON_TOOLS.join(' ')) return target;
  log(`installing ${PYTHON_TOOLS.join(', ')} from PyPI into ${target}`);
  rmSync(target, { recursive: true, force: true });
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--only-binary=:all:', '--target', target, ...PYTHON_TOOLS];
  const installed = spawnSync('python3', args, { encoding: 'utf8' });
  if (installed.status !== 0)
    throw new Error(`pip install ${PYTHON_TOOLS.join(' ')} failed: ${installed.error?.message ?? installed.stderr.trim().split('\n').at(-1)}`);
  writeFileSync(marker, PYTHON_TOOLS.join(' '));
  return target;
}
