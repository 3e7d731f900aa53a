// The embedded chain: a real EVM (Ganache) serving Ethereum JSON-RPC over HTTP and WebSocket on one
// port. Run as a child process by local-node.ts (so mining never blocks the subgraph's event loop),
// or by hand: `npm run chain` in subgraphs/blockchain. Options come as JSON in argv[2].
// Plain JavaScript, so it starts with `node` alone.
'use strict';
const ganache = require('ganache');

const options = JSON.parse(process.argv[2] || '{}');
const port = options.port ?? 8545;
const host = options.host ?? '127.0.0.1';

const server = ganache.server({
  logging: { quiet: true },
  chain: { chainId: options.chainId ?? 31337, hardfork: 'shanghai' },
  // Deterministic development accounts, unlocked inside this process: they fund the operator of a
  // fresh chain through eth_sendTransaction, so no key of theirs is ever handled by the subgraph.
  wallet: { deterministic: true, totalAccounts: 2, defaultBalance: 1_000_000 },
  miner: { blockTime: options.blockTimeSeconds ?? 0 },
  ...(options.dbPath ? { database: { dbPath: options.dbPath } } : {}),
});

server.listen(port, host).then(
  () => {
    const address = server.address();
    const ready = { port: address.port, host };
    if (process.send) process.send({ ready });
    else console.log(`local chain on http://${host}:${address.port} (ws on the same port)`);
  },
  (error) => {
    if (process.send) process.send({ error: String(error && error.message ? error.message : error) });
    else console.error(error);
    process.exit(1);
  },
);

const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by the subgraph: die with it, so no chain outlives a crashed parent.
process.on('disconnect', stop);
