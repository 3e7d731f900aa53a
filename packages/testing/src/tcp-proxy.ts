import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './process';

/**
 * A TCP port in front of a server that a test can take away and give back: while it is away,
 * connections are refused and the open ones are cut — what clients see when a node or a
 * dependency goes down — while the server behind it runs on (and can be changed meanwhile).
 */
export interface TcpProxy {
  /** The proxy's port (the same after `open()`). */
  port: number;
  /** Refuses new connections and cuts the open ones; resolves once the port is closed. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = async () => {
    if (server) return;
    const listening = createServer((client) => {
      const upstream = createConnection(target);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A cut connection is what the test is about: its errors end both sides, nothing more.
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    server = listening;
  };
  await open();
  return {
    port,
    open,
    close: async () => {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
