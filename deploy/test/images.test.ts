/**
 * The images docker-compose.yml builds from the repository's Dockerfile. Compose builds a service without
 * a `target` from the Dockerfile's last stage, so that stage must be the services' runtime: a stage added
 * after it would silently become every service's image. The portal names its own stage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@supergraph/config';

interface ComposeService {
  build?: string | { context: string; target?: string };
  command?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const stages = [...readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)\s*$/gim)].map(([, name]) => name!);
/** The services built from the repository root's Dockerfile, with the stage each gets. */
const rootBuilds = Object.entries(compose.services).flatMap(([name, service]) => {
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return build?.context === '.' ? [{ name, stage: build.target ?? stages.at(-1)!, command: service.command }] : [];
});

it('builds every TypeScript service from the runtime stage, which runs their compiled entry points', () => {
  const services = rootBuilds.filter((build) => build.name !== 'portal');
  expect(services.map((build) => build.name).sort()).toEqual(['blockchain', 'payments', 'projects', 'projects-worker', 'router', 'users']);
  for (const build of services) {
    expect({ service: build.name, stage: build.stage }).toEqual({ service: build.name, stage: 'runtime' });
    expect(build.command?.slice(0, 2)).toEqual(['node', expect.stringMatching(/^dist\/.+\.js$/)]);
  }
});

it("builds the portal from the Dockerfile's portal stage, running that image's own server", () => {
  const portal = rootBuilds.find((build) => build.name === 'portal');
  expect(portal?.stage).toBe('portal');
  expect(stages).toContain('portal');
  expect(portal?.command).toBeUndefined();
});
