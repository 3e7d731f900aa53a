import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import type { Route } from '@supergraph/server';

/**
 * The live dashboard at /dashboard: signs in, then shows the account, payments, the task queue
 * and new blocks as they happen, through the router's own graphql-ws endpoint. Panels appear for
 * the subscription fields this supergraph offers.
 */
export function dashboardRoutes(schema: GraphQLSchema): Record<string, Route> {
  const offered = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});
  const page = readFileSync(join(__dirname, 'dashboard.html'), 'utf8').replace('/*SUBSCRIPTIONS*/[]', JSON.stringify(offered));
  // The browser build of graphql-ws, served from our own dependency: the page needs no CDN.
  const client = readFileSync(join(dirname(require.resolve('graphql-ws')), '../umd/graphql-ws.min.js'), 'utf8');
  return {
    '/dashboard': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      response.end(page);
    },
    '/dashboard/graphql-ws.js': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' });
      response.end(client);
    },
  };
}
