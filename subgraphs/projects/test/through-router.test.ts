import { bearer, errorCodes, graphql, type UntypedData } from '@supergraph/testing';
import { eventually } from './harness';
import { startProjectsPlatform, type ProjectsPlatform } from './platform';

jest.setTimeout(60_000);

let platform: ProjectsPlatform;
beforeAll(async () => {
  platform = await startProjectsPlatform({ ADMIN_EMAILS: 'boss@example.com' });
});
afterAll(() => platform?.stop());

async function call(query: string, variables: Record<string, unknown> = {}, token?: string) {
  return graphql<UntypedData>(platform.graphqlUrl, query, variables, token ? bearer(token) : {});
}

async function signUp(email: string): Promise<{ id: string; token: string }> {
  const response = await call(`mutation ($email: String!) { register(email: $email, password: "a long enough password") { token user { id } } }`, { email });
  expect(response.errors).toBeUndefined();
  return { id: response.data!.register.user.id, token: response.data!.register.token };
}

it('returns a user with their projects and tasks in one query, with the tier from their token deciding the queue', async () => {
  const boss = await signUp('boss@example.com');
  const ada = await signUp('ada@example.com');
  await call(`mutation ($id: ID!) { setUserTier(userId: $id, tier: ENTERPRISE) { tier } }`, { id: ada.id }, boss.token);
  const login = await call(`mutation { login(email: "ada@example.com", password: "a long enough password") { token } }`);
  const token = login.data!.login.token as string;

  const created = await call(`mutation { createProject(name: "Launch", visibility: PUBLIC) { id owner { id email tier } } }`, {}, token);
  expect(created.errors).toBeUndefined();
  // owner resolves through the users subgraph.
  expect(created.data!.createProject.owner).toEqual({ id: ada.id, email: 'ada@example.com', tier: 'ENTERPRISE' });
  const projectId = created.data!.createProject.id;
  await call(`mutation ($id: ID!) { addFile(projectId: $id, path: "index.ts", content: "export const ok = true;") { version } }`, { id: projectId }, token);
  const submitted = await call(`mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { id tier } }`, { id: projectId }, token);
  expect(submitted.data!.submitTask.tier).toBe('ENTERPRISE');

  const me = await eventually(
    async () => {
      const response = await call(`{ me { id projects { name tasks { status } } } }`, {}, token);
      expect(response.errors).toBeUndefined();
      return response.data!.me.projects[0]?.tasks[0]?.status === 'SUCCEEDED' ? response.data!.me : undefined;
    },
    20_000,
    'the task to succeed',
  );
  expect(me).toEqual({ id: ada.id, projects: [{ name: 'Launch', tasks: [{ status: 'SUCCEEDED' }] }] });

  // Another user sees the public project through User.projects, but not its tasks.
  const bob = await signUp('bob@example.com');
  const seen = await call(`query ($id: ID!) { user(id: $id) { projects { name tasks { id } } } }`, { id: ada.id }, bob.token);
  expect(seen.data!.user.projects).toEqual([{ name: 'Launch', tasks: [] }]);
  const refused = await call(`mutation ($id: ID!) { submitTask(projectId: $id, kind: BUILD) { id } }`, { id: projectId }, bob.token);
  expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
});

it('streams task updates over graphql-ws through the router, completed with fields from the users subgraph', async () => {
  const { createClient } = await import('graphql-ws');
  const { default: WebSocket } = await import('ws');
  const owner = await signUp('streamer@example.com');
  const created = await call(`mutation { createProject(name: "Streamed") { id } }`, {}, owner.token);
  const projectId = created.data!.createProject.id as string;
  await call(`mutation ($id: ID!) { addFile(projectId: $id, path: "a.ts", content: "export {};") { version } }`, { id: projectId }, owner.token);
  const submit = async () => {
    const submitted = await call(`mutation ($id: ID!) { submitTask(projectId: $id, kind: ANALYZE) { id } }`, { id: projectId }, owner.token);
    expect(submitted.errors).toBeUndefined();
    return submitted.data!.submitTask.id as string;
  };

  const client = createClient({
    url: platform.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: bearer(owner.token),
    retryAttempts: 0,
  });
  const events: UntypedData[] = [];
  let wake = () => {};
  client.subscribe(
    { query: 'subscription ($id: ID) { taskUpdated(projectId: $id) { id status project { name owner { email } } } }', variables: { id: projectId } },
    {
      next: (result) => {
        events.push(result.errors ? { errors: result.errors } : (result.data as UntypedData).taskUpdated);
        wake();
      },
      error: () => {},
      complete: () => {},
    },
  );
  const waitFor = (done: () => boolean) =>
    eventually(
      async () =>
        done()
          ? true
          : (await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, 200);
            }),
            undefined),
      20_000,
      'task events',
    );
  try {
    // The subscription goes live upstream asynchronously: a first task proves it is live...
    const probe = await submit();
    await waitFor(() => events.some((event) => event.id === probe && event.status === 'SUCCEEDED'));
    // ...so every event of the next one must arrive, in order.
    const taskId = await submit();
    await waitFor(() => events.some((event) => event.id === taskId && event.status === 'SUCCEEDED'));
    const mine = events.filter((event) => event.id === taskId);
    expect(mine.map((event) => event.status)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(mine.at(-1)).toEqual({ id: taskId, status: 'SUCCEEDED', project: { name: 'Streamed', owner: { email: 'streamer@example.com' } } });
  } finally {
    await client.dispose();
  }
});
