/**
 * The tools the deployment tests (deploy/test/) need, installed once per machine into
 * .cache/deploy-tools from the package registries, since nothing else is reachable here:
 * - helm, built from its Go module with `go install` (cold: minutes, nearly all of it compiling
 *   the Kubernetes client libraries; the figure is in deploy/README.md);
 * - kubernetes-validate from PyPI, which ships the Kubernetes API schemas of each release (seconds).
 * scripts/test-services.ts installs them before the tests run (a test file's time limit is too short
 * for a cold helm build) and passes their paths on in HELM_BIN and KUBERNETES_VALIDATE_PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** helm 4: the Go module and version built. */
export const HELM_MODULE = 'helm.sh/helm/v4/cmd/helm@v4.3.2';
/** Its schemas go up to Kubernetes 1.37. */
export const KUBERNETES_VALIDATE = 'kubernetes-validate==1.37.0';

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

/** The folder holding kubernetes-validate and its dependencies (run as `python3 -m kubernetes_validate` with it on PYTHONPATH). */
export function kubernetesValidatePath(log: (message: string) => void = () => {}): string {
  const target = join(TOOLS_DIR, 'kubernetes-validate');
  if (existsSync(join(target, 'kubernetes_validate'))) return target;
  log(`installing ${KUBERNETES_VALIDATE} from PyPI into ${target}`);
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--only-binary=:all:', '--target', target, KUBERNETES_VALIDATE];
  const installed = spawnSync('python3', args, { encoding: 'utf8' });
  if (installed.status !== 0 || !existsSync(join(target, 'kubernetes_validate')))
    throw new Error(`pip install ${KUBERNETES_VALIDATE} failed: ${installed.error?.message ?? installed.stderr.trim().split('\n').at(-1)}`);
  return target;
}
