import { bearer, graphql } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { signUp } from './accounts';
import { TestStack } from './stack';

/**
 * The forecasting and language fields of the AI issue, through the router, with the real models: the
 * price ensemble the AI subgraph trains at start (fresh data folder) on the shipped price history,
 * lingua's detector, and the local SmolLM2 as the only translation provider (no hosted key here), which
 * also translates a project's description fetched from the projects subgraph through @requires.
 */
jest.setTimeout(300_000);

const stack = new TestStack();
let url: string;
let token: string;

beforeAll(async () => {
  const users = await stack.add(startUsersHarness());
  const projects = await stack.projects();
  // The local model on a busy 2-core machine can take seconds per sentence: a generous deadline, still below
  // the router's for @nonRetryable fetches (NON_RETRYABLE_FETCH_TIMEOUT_MS, 60 s), which translations are.
  const ai = await stack.aiFollowing(`${projects.url}/graphql`, users.config.routerSigningSecret, {
    AI_GENERATION_DEADLINE_SECONDS: '50',
    LLM_PROVIDER: 'local',
    LOCAL_LLM_THREADS: '1',
  });
  ({ url } = await stack.router({ users: users.url, projects: `${projects.url}/graphql`, ai }));
  token = await signUp(url, 'linguist@example.com');
});
afterAll(() => stack.stop());

interface Forecast {
  asset: string;
  lastDate: string;
  modelVersion: string;
  points: { step: number; date: string; value: number; lower: number; upper: number }[];
  members: { name: string; weight: number }[];
}

test('priceForecast answers with point forecasts, intervals and the model version', async () => {
  const query = `query ($asset: String!, $horizon: Int!) {
    priceForecast(asset: $asset, horizon: $horizon) { asset lastDate modelVersion points { step date value lower upper } members { name weight } }
  }`;
  const response = await graphql<{ priceForecast: Forecast }>(url, query, { asset: 'MSFT', horizon: 3 }, bearer(token));
  expect(response.errors).toBeUndefined();
  const forecast = response.data!.priceForecast;
  expect(forecast.asset).toBe('MSFT');
  expect(forecast.lastDate).toBe('2010-03-01');
  expect(forecast.modelVersion).toMatch(/^price-forecast-v2@\d{8}T/);
  expect(forecast.points.map((point) => point.date)).toEqual(['2010-04-01', '2010-05-01', '2010-06-01']);
  for (const point of forecast.points) {
    expect(point.lower).toBeLessThan(point.value);
    expect(point.value).toBeLessThan(point.upper);
  }
  expect(forecast.members.map((member) => member.name).sort()).toEqual(['gradient_boosting', 'mlp']);

  // Cached by model version: asked again, the same model answers the same numbers.
  const again = await graphql<{ priceForecast: Forecast }>(url, query, { asset: 'MSFT', horizon: 3 }, bearer(token));
  expect(again.data).toEqual(response.data);

  const unknown = await graphql(url, query, { asset: 'NOPE', horizon: 3 }, bearer(token));
  expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('detectLanguage names the language with its confidence and alternatives', async () => {
  const response = await graphql<{ detectLanguage: { language: { code: string; confidence: number }; alternatives: { code: string }[] } }>(
    url,
    'query ($text: String!) { detectLanguage(text: $text) { language { code confidence } alternatives { code } } }',
    { text: 'Unser Team veröffentlicht alle zwei Wochen eine neue Version.' },
    bearer(token),
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.detectLanguage.language.code).toBe('de');
  expect(response.data!.detectLanguage.language.confidence).toBeGreaterThan(0.5);
  expect(response.data!.detectLanguage.alternatives.map((guess) => guess.code)).not.toContain('de');
});

const TRANSLATE = 'query ($text: String!, $to: String!, $from: String) { translate(text: $text, to: $to, from: $from) { text from to provider } }';

test('translate goes to the local model offline, and a pair no provider serves has its own code', async () => {
  const response = await graphql<{ translate: { text: string; from: string; to: string; provider: string } }>(
    url,
    TRANSLATE,
    { text: 'The invoice was paid with a credit card.', to: 'es' },
    bearer(token),
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.translate).toMatchObject({ from: 'en', to: 'es', provider: 'local' });
  expect(response.data!.translate.text.trim().length).toBeGreaterThan(0);

  // The local model serves en/fr/de/es only, and no hosted provider is configured.
  const unsupported = await graphql(url, TRANSLATE, { text: 'The invoice was paid with a credit card.', to: 'ja' }, bearer(token));
  expect(unsupported.data).toEqual({ translate: null });
  expect(unsupported.errors?.[0]?.extensions?.code).toBe('LANGUAGE_PAIR_UNSUPPORTED');
  expect(unsupported.errors?.[0]?.message).toContain('en to ja');
});

test("Project.descriptionIn translates the projects subgraph's description, fetched for it through @requires", async () => {
  const description = 'Des recettes de pain au levain, pas à pas.';
  const created = await graphql<{ createProject: { id: string } }>(
    url,
    'mutation ($description: String) { createProject(name: "Boulangerie", description: $description) { id } }',
    { description },
    bearer(token),
  );
  expect(created.errors).toBeUndefined();
  const response = await graphql<{ project: { description: string; descriptionIn: { text: string; from: string; to: string; provider: string } } }>(
    url,
    'query ($id: ID!) { project(id: $id) { description descriptionIn(language: "en") { text from to provider } } }',
    { id: created.data!.createProject.id },
    bearer(token),
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.project.description).toBe(description);
  expect(response.data!.project.descriptionIn).toMatchObject({ from: 'fr', to: 'en', provider: 'local' });
  expect(response.data!.project.descriptionIn.text.trim().length).toBeGreaterThan(0);
});
