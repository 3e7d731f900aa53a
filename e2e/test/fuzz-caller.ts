import { graphql, type UntypedData } from '@supergraph/testing';
import { signUp } from './accounts';

/**
 * The fuzz suite's signed-in caller, registered through the router at `url`, with what it owns:
 * its user's id and email, a project's id and a task's id, handed to the generator as known
 * strings so some requests get past their look-ups into what lies behind them.
 */
export async function fuzzCaller(url: string): Promise<{ authorization: string; knownStrings: string[] }> {
  const authorization = `Bearer ${await signUp(url, 'fuzz@example.com')}`;
  const headers = { authorization };
  const ask = async (query: string) => {
    const response = await graphql<UntypedData>(url, query, {}, headers);
    if (response.errors) throw new Error(`fuzz caller set-up failed: ${query}: ${JSON.stringify(response.errors)}`);
    return response.data!;
  };
  const { me } = await ask('{ me { id email } }');
  const { createProject: project } = await ask('mutation { createProject(name: "Fuzzed project", visibility: PUBLIC) { id } }');
  const { submitTask: task } = await ask(`mutation { submitTask(projectId: "${project.id}", kind: BUILD) { id } }`);
  return { authorization, knownStrings: [me.id, me.email, project.id, task.id, 'correct horse battery'] };
}
