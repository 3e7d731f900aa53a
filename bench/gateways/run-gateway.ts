/**
 * One gateway under test, in a process of its own so its memory can be read from outside.
 *   node --import tsx bench/gateways/run-gateway.ts <ours|apollo> <port> <supergraph.graphql>
 * (Hive Gateway runs from its own CLI; see throughput.ts.)
 */
// Stock @apollo/gateway phones home and probes cloud metadata hosts unless told not to.
import '../../router/src/no-phone-home';
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { loadRouterConfig } from '@supergraph/config';
import { startRouter } from '../../router/src/app';

async function main(): Promise<void> {
  const [kind, port, supergraphPath] = process.argv.slice(2) as [string, string, string];
  if (kind === 'ours') {
    const config = loadRouterConfig({
      ...process.env,
      NODE_ENV: 'production',
      ROUTER_PORT: port,
      SUPERGRAPH_PATH: supergraphPath,
      ROUTER_SIGNING_SECRET: 'bench-signing-secret',
      JWT_SECRET: 'bench-jwt-secret',
      LOG_LEVEL: 'error',
      // One client hammers the router: a rate limit would measure the limiter, not the router.
      RATE_LIMIT_PER_MINUTE: '0',
    });
    await startRouter(config);
  } else if (kind === 'apollo') {
    // Stock @apollo/gateway as its documentation sets it up.
    const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, 'utf8') }) });
    await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
  } else {
    throw new Error(`unknown gateway ${kind}`);
  }
  process.send?.('ready');
  // Exit normally on Ctrl-C, so `node --cpu-prof` writes its profile.
  process.once('SIGINT', () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
