import type { Fetcher } from '@apollo/utils.fetcher';
import { IDENTITY_HEADER } from '@supergraph/identity';
import { dedupingFetcher } from '../src/fetch-dedupe';

/** A stand-in for the network: answers only when the test says so, and counts what was sent. */
function network() {
  const sent: string[] = [];
  const pending: (() => void)[] = [];
  const base = ((_url: string, init?: { body?: string }) => {
    sent.push(String(init?.body));
    return new Promise((resolve) =>
      pending.push(() => resolve(new Response(JSON.stringify({ data: { n: sent.length } }), { status: 200, headers: { 'content-type': 'application/json' } }))),
    );
  }) as unknown as Fetcher;
  return { base, sent, answerAll: () => pending.splice(0).forEach((answer) => answer()) };
}

const QUERY = JSON.stringify({ query: 'query { products { upc } }' });
const MUTATION = JSON.stringify({ query: 'mutation { pay { id } }' });
const as = (identity: string) => ({ method: 'POST', body: QUERY, headers: { [IDENTITY_HEADER]: identity } });

describe('deduplicating identical in-flight subgraph fetches', () => {
  it('sends one request for identical concurrent queries of one identity, and gives each caller its own copy', async () => {
    const { base, sent, answerAll } = network();
    const fetcher = dedupingFetcher(base);
    const responses = [1, 2, 3, 4, 5].map(() => fetcher('http://products/graphql', as('alice')));
    expect(fetcher.inFlight).toBe(1);
    answerAll();
    const bodies = await Promise.all((await Promise.all(responses)).map((response) => response.json()));
    expect(sent).toHaveLength(1);
    expect(bodies).toEqual(Array(5).fill({ data: { n: 1 } }));
    expect(bodies[0]).not.toBe(bodies[1]);
    expect(fetcher.inFlight).toBe(0);
  });

  it('never shares between identities, subgraphs or with mutations', async () => {
    const { base, sent, answerAll } = network();
    const fetcher = dedupingFetcher(base);
    const calls = [
      fetcher('http://products/graphql', as('alice')),
      fetcher('http://products/graphql', as('bob')),
      fetcher('http://reviews/graphql', as('alice')),
      fetcher('http://payments/graphql', { method: 'POST', body: MUTATION, headers: { [IDENTITY_HEADER]: 'alice' } }),
      fetcher('http://payments/graphql', { method: 'POST', body: MUTATION, headers: { [IDENTITY_HEADER]: 'alice' } }),
    ];
    answerAll();
    await Promise.all(calls);
    expect(sent).toHaveLength(5);
  });

  it('starts a new request once the shared one has finished', async () => {
    const { base, sent, answerAll } = network();
    const fetcher = dedupingFetcher(base);
    const first = fetcher('http://products/graphql', as('alice'));
    answerAll();
    await first;
    const second = fetcher('http://products/graphql', as('alice'));
    answerAll();
    await second;
    expect(sent).toHaveLength(2);
  });
});
