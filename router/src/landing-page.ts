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
