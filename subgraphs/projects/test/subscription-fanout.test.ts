import { asRouter, subscribeMany } from '@supergraph/testing';
import { createProject, startProjectsHarness, userIdentity, type ProjectsHarness } from './harness';

/** One task event reaching many subscriptions costs the queries of one, not one per subscription. */
let harness: ProjectsHarness;
beforeAll(async () => {
  // No worker: the tasks stay QUEUED, so the only events are the ones this test causes.
  harness = await startProjectsHarness({ PROJECTS_INPROCESS_WORKER: 'false' });
});
afterAll(() => harness?.stop());

const SUBMIT = `mutation ($projectId: ID!) { submitTask(projectId: $projectId, kind: ANALYZE) { id } }`;
type TaskUpdated = { taskUpdated: { id: string; status: string; project: { name: string } } };

it('loads the task and its project once per event, however many subscriptions receive it', async () => {
  const owner = userIdentity(undefined, 'PRO');
  const watched = await createProject(harness, owner, 'Watched');
  const bystander = await createProject(harness, owner, 'Bystander');
  const subscriptions = subscribeMany<TaskUpdated>(harness.url, asRouter(owner, harness.config.routerSigningSecret), {
    query: 'subscription ($projectId: ID) { taskUpdated(projectId: $projectId) { id status project { name } } }',
    variables: { projectId: watched },
  });
  const submit = async (projectId: string) => {
    const response = await harness.call<{ submitTask: { id: string } }>(SUBMIT, { projectId }, owner);
    expect(response.errors).toBeUndefined();
    const id = response.data!.submitTask.id;
    return (data: TaskUpdated) => data.taskUpdated.id === id;
  };
  try {
    await subscriptions.untilLive(() => submit(watched));
    const withoutSubscribers = await harness.countSqlStatements(() => submit(bystander));
    const withSubscribers = await harness.countSqlStatements(async () => subscriptions.everyoneSees(await submit(watched), 10_000));
    expect(withSubscribers.result).toBe(true);
    expect(subscriptions.received.map((results) => results.at(-1))).toEqual(
      Array.from({ length: 20 }, () => ({
        data: { taskUpdated: { id: expect.any(String), status: 'QUEUED', project: { name: 'Watched' } } },
        extensions: { position: expect.stringMatching(/^\d+-\d+$/) },
      })),
    );
    // The event's own loads, shared by all 20: the task, then its project.
    expect(withSubscribers.count).toBe(withoutSubscribers.count + 2);
  } finally {
    await subscriptions.dispose();
  }
});
