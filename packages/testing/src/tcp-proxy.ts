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
  /**
   * Cuts the open connections but accepts new ones, leaving them unanswered until `open()`: a
   * server that is restarting behind a port that stays up. Unlike `close()`, a client's attempt to
   * reconnect meanwhile does not fail, so it sees the connection lost and then back, with no error.
   */
  hold(): void;
  /** Listens again on the same port, and connects the connections held meanwhile. */
  open(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let holding = false;
  let server: Server | undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A cut connection is what the test is about: its errors end both sides, nothing more.
    socket.on('error', () => undefined);
  };
  const forward = (client: Socket) => {
    const upstream = createConnection(target);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  };
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const open = async () => {
    holding = false;
    for (const client of held.splice(0)) if (!client.destroyed) forward(client);
    if (server) return;
    const listening = createServer((client) => {
      track(client);
      // A held client's bytes wait in its socket until `open()` forwards them.
      if (holding) held.push(client);
      else forward(client);
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
    hold: () => {
      holding = true;
      cutAll();
    },
    close: async () => {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      cutAll();
      await closed;
    },
  };
}
