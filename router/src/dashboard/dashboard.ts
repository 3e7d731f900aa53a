import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import type { Route } from '@supergraph/server';

/**
 * The live dashboard at /dashboard: signs in, then shows the account, payments, the task queue
 * and new blocks as they happen, through the router's own graphql-ws endpoint. Panels appear for
 * the subscription fields this supergraph offers.
 */
export function dashboardRoutes(schema: () => GraphQLSchema): Record<string, Route> {
  const template = readFileSync(join(__dirname, 'dashboard.html'), 'utf8');
  // The page follows supergraph reloads: made again when the schema it was made for is replaced.
  let page = { schema: undefined as GraphQLSchema | undefined, html: '' };
  const render = () => {
    const current = schema();
    if (page.schema !== current) {
      const offered = Object.keys(current.getSubscriptionType()?.getFields() ?? {});
      page = { schema: current, html: template.replace('/*SUBSCRIPTIONS*/[]', JSON.stringify(offered)) };
    }
    return page.html;
  };
  // The browser build of graphql-ws, served from our own dependency: the page needs no CDN.
  const client = readFileSync(join(dirname(require.resolve('graphql-ws')), '../umd/graphql-ws.min.js'), 'utf8');
  return {
    '/dashboard': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      response.end(render());
    },
    '/dashboard/graphql-ws.js': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' });
      response.end(client);
    },
  };
}
