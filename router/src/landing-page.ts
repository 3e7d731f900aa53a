import type { GraphQLServerContext } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/**
 * Apollo Sandbox, embedded, pointed at this router's /graphql. Served at `/` outside production
 * only. The Sandbox script comes from Apollo's CDN, so it needs a browser with internet access.
 */
export function sandboxPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Supergraph · Apollo Sandbox</title>
  <style>html, body, #sandbox { margin: 0; height: 100%; width: 100%; }</style>
</head>
<body>
  <div id="sandbox"></div>
  <script src="https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js"></script>
  <script>
    new window.EmbeddedSandbox({
      target: '#sandbox',
      initialEndpoint: new URL('/graphql', window.location.href).href,
      includeCookies: false,
    });
  </script>
</body>
</html>
`;
}

/**
 * Apollo's embedded Sandbox landing page, which a browser gets on GET /graphql outside production
 * (the page Apollo Server served there). Rendered by the plugin that ships with @apollo/server;
 * each call makes a page with a fresh CSP nonce.
 */
export async function graphqlLandingPage(): Promise<() => Promise<string>> {
  const plugin = ApolloServerPluginLandingPageLocalDefault({ embed: true });
  const started = await plugin.serverWillStart?.({} as GraphQLServerContext);
  const page = started && 'renderLandingPage' in started ? await started.renderLandingPage?.() : undefined;
  if (!page) throw new Error("Apollo's landing page plugin rendered no page");
  const html = page.html;
  return typeof html === 'string' ? async () => html : html;
}
