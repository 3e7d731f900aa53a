import Link from 'next/link';
import { PortalContentStreamDocument, SemanticSearchDocument } from '../../../../clients/generated/graphql';
import { ErrorList } from '../../src/error-list';
import { messagesFor } from '../../src/error-messages';
import { Generation } from '../../src/generation';
import { liveOperation } from '../../src/live-operation';
import { execute } from '../../src/router';
import { requireViewer } from '../../src/viewer';

const RESULTS = 10;

/** Semantic search over public projects and your own (rendered on the server), and a reply streamed from the model as it is written. */
export default async function AiPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const { token } = await requireViewer();
  const { q } = await searchParams;
  const query = (Array.isArray(q) ? q[0] : q)?.trim() ?? '';
  const result = query ? await execute(SemanticSearchDocument, { query, first: RESULTS }, token) : undefined;
  const matches = result?.data?.semanticSearch;
  return (
    <>
      <h1>AI</h1>
      <h2>Search projects by meaning</h2>
      <form className="form narrow" action="/ai">
        <label>
          Looking for
          <input name="q" defaultValue={query} required maxLength={1000} />
        </label>
        <button type="submit">Search</button>
      </form>
      {result &&
        (matches ? (
          matches.length === 0 ? (
            <p>Nothing close to that yet.</p>
          ) : (
            <ol aria-label="Search results">
              {matches.map((match) => (
                <li key={match.project.id}>
                  <Link href={`/projects/${match.project.id}`}>{match.project.name}</Link> <span className="muted">{match.score.toFixed(2)}</span>
                </li>
              ))}
            </ol>
          )
        ) : (
          <ErrorList messages={messagesFor(result.errors)} />
        ))}
      <h2>Generate</h2>
      <Generation live={liveOperation(PortalContentStreamDocument, { prompt: '' })} />
    </>
  );
}
