import { bearer, execute, graphql } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { MyProjectsAndRecommendationsDocument, SemanticSearchDocument, SimilarProjectsDocument } from '../../clients/generated/graphql';
import { signUp } from './accounts';
import { TestStack } from './stack';

/**
 * The AI issue's definition of done: through the router, one query returns a user with their
 * projects (TypeScript) and `leadScore` and `recommendations` (Python). The AI subgraph learns about
 * projects only from the projects subgraph's change feed, which it polls here (no Redis).
 */
jest.setTimeout(180_000);

const stack = new TestStack();
let url: string;

beforeAll(async () => {
  const users = await stack.add(startUsersHarness({ ADMIN_EMAILS: 'admin@example.com' }));
  const projects = await stack.projects();
  const ai = await stack.aiFollowing(`${projects.url}/graphql`, users.config.routerSigningSecret);
  ({ url } = await stack.router({ users: users.url, projects: `${projects.url}/graphql`, ai }, { ADMIN_EMAILS: 'admin@example.com' }));
});
afterAll(() => stack.stop());

async function createProject(token: string, name: string, description: string, visibility: 'PUBLIC' | 'PRIVATE'): Promise<string> {
  const response = await graphql<{ createProject: { id: string } }>(
    url,
    'mutation ($name: String!, $description: String, $visibility: Visibility) { createProject(name: $name, description: $description, visibility: $visibility) { id } }',
    { name, description, visibility },
    bearer(token),
  );
  expect(response.errors).toBeUndefined();
  return response.data!.createProject.id;
}

test("one query returns a user's projects (TypeScript) with their lead score and recommendations (Python)", async () => {
  const admin = await signUp(url, 'admin@example.com');
  const bob = await signUp(url, 'bob@example.com');
  const carl = await signUp(url, 'carl@example.com');
  await createProject(admin, 'Federated GraphQL router', 'Composing subgraphs into one supergraph with a query planner', 'PRIVATE');
  const gateway = await createProject(bob, 'GraphQL gateway', 'Federation of GraphQL subgraphs behind one API', 'PUBLIC');
  const secret = await createProject(bob, 'GraphQL federation secrets', 'Private notes on supergraph composition', 'PRIVATE');
  const bakery = await createProject(carl, 'Sourdough bakery', 'Bread recipes and starters', 'PUBLIC');

  // The index follows the feed on its own schedule (another process): ask until both public projects are in.
  const deadline = Date.now() + 60_000;
  let response = await execute(url, MyProjectsAndRecommendationsDocument, { first: 5 }, bearer(admin));
  while (response.data?.me?.recommendations?.length !== 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    response = await execute(url, MyProjectsAndRecommendationsDocument, { first: 5 }, bearer(admin));
  }
  expect(response.errors).toBeUndefined();
  const me = response.data!.me!;
  const recommendations = me.recommendations!;

  expect(me.projects).toEqual([{ name: 'Federated GraphQL router' }]);
  expect(me.leadScore!.score).toBeGreaterThanOrEqual(0);
  expect(me.leadScore!.score).toBeLessThanOrEqual(1);
  // Other users' PUBLIC projects only (not the admin's own, not bob's private one), the most similar first.
  expect(recommendations.map((match) => match.project)).toEqual([
    { id: gateway, name: 'GraphQL gateway' },
    { id: bakery, name: 'Sourdough bakery' },
  ]);
  expect(recommendations[0]!.score).toBeGreaterThan(recommendations[1]!.score);
  expect(recommendations.map((match) => match.project.id)).not.toContain(secret);
});

test('semanticSearch and similarProjects through the router show only what the caller may see', async () => {
  const dana = await signUp(url, 'dana@example.com');
  const erin = await signUp(url, 'erin@example.com');
  const telescope = await createProject(dana, 'Backyard telescope', 'Amateur astronomy: mirrors, mounts and star charts', 'PUBLIC');
  const diary = await createProject(dana, 'Observation diary', 'Private astronomy notes about stars and planets', 'PRIVATE');

  const deadline = Date.now() + 60_000;
  const search = () => execute(url, SemanticSearchDocument, { query: 'astronomy and stars', first: 10 }, bearer(dana));
  let own = await search();
  while (!own.data?.semanticSearch?.some((match) => match.project.id === diary) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    own = await search();
  }
  expect(own.errors).toBeUndefined();
  expect(
    own
      .data!.semanticSearch!.slice(0, 2)
      .map((match) => match.project.id)
      .sort(),
  ).toEqual([telescope, diary].sort());

  const others = await execute(url, SemanticSearchDocument, { query: 'astronomy and stars', first: 10 }, bearer(erin));
  expect(others.errors).toBeUndefined();
  expect(others.data!.semanticSearch![0]!.project).toEqual({ id: telescope, name: 'Backyard telescope', visibility: 'PUBLIC' });
  expect(others.data!.semanticSearch!.map((match) => match.project.id)).not.toContain(diary);

  const similar = await execute(url, SimilarProjectsDocument, { id: telescope, first: 10 }, bearer(erin));
  expect(similar.errors).toBeUndefined();
  const ids = similar.data!.project!.similarProjects!.map((match) => match.project.id);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids).not.toContain(telescope);
  expect(ids).not.toContain(diary);
});
