import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '@supergraph/server';
import { HarnessStack, quietLogger } from '@supergraph/testing';
import { startRouter } from '@supergraph/router/src/app';
import { startProjectsSubgraph, type ProjectsSubgraph } from '@supergraph/projects/src/app';
import { startAiSubgraph } from './python-subgraph';

const SUBGRAPHS = ['users', 'projects', 'payments', 'blockchain', 'ai'] as const;
/** Port 9 (discard): nothing answers, so a subgraph a test did not start is plainly unavailable. */
const NOWHERE = 'http://127.0.0.1:9/graphql';

/** Where the router finds each subgraph the test started. */
export type SubgraphUrls = Partial<Record<(typeof SUBGRAPHS)[number], string>>;

/**
 * What an end-to-end test starts, each piece real, stopped in the reverse order of starting
 * (the router before the subgraphs it calls, a subgraph before its database): the shared
 * HarnessStack with the pieces end-to-end tests start most.
 */
export class TestStack extends HarnessStack {
  /** The projects subgraph on a scratch database of its own. */
  async projects(env: Record<string, string> = {}): Promise<ProjectsSubgraph> {
    const database = await this.database('e2e_projects');
    const config = this.config('projects', { PROJECTS_PORT: '0', PROJECTS_DATABASE_URL: database.url, ...env });
    return this.add(startProjectsSubgraph(config, quietLogger('projects')));
  }

  /**
   * The Python AI subgraph with a throw-away project index that follows the projects subgraph at
   * `projectsUrl` through its change feed, polled every 0.2 s (no Redis), and models trained afresh
   * in the same throw-away folder; `env` adds or overrides settings. Returns its GraphQL URL.
   */
  async aiFollowing(projectsUrl: string, signingSecret: string, env: Record<string, string> = {}): Promise<string> {
    const aiData = mkdtempSync(join(tmpdir(), 'ai-index-'));
    this.defer(() => rmSync(aiData, { recursive: true, force: true }));
    const ai = await this.add(
      startAiSubgraph(signingSecret, { AI_DATA_DIR: aiData, AI_PROJECTS_URL: projectsUrl, AI_INDEX_POLL_SECONDS: '0.2', REDIS_URL: '', ...env }),
    );
    return ai.url;
  }

  /**
   * The real router in front of these subgraphs. The others point nowhere, never at whatever a
   * developer runs on the default ports. Rate limiting is off: tests send many requests from one address.
   */
  async router(subgraphs: SubgraphUrls, env: Record<string, string> = {}): Promise<{ router: RunningServer; url: string }> {
    const urls = Object.fromEntries(SUBGRAPHS.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, subgraphs[name] ?? NOWHERE]));
    const config = this.config('router', { RATE_LIMIT_PER_MINUTE: '0', ...urls, ...env });
    const router = await this.add(startRouter(config, quietLogger('router')));
    return { router, url: `${router.url}/graphql` };
  }
}
