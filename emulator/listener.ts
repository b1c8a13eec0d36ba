import type http from 'node:http';
import type { FastifyInstance } from 'fastify';
import net from 'node:net';

/**
 * A TCP port bound once and handed to the HTTP servers that take turns serving it.
 *
 * Asking the OS for a free port, closing it and binding it again later leaves a window in which
 * any other program may take the port (EADDRINUSE). Binding it here, once, and keeping it bound
 * while servers come and go (a cloud runtime's restart) leaves no such window: the port is known
 * before anything that must name it (the function's PUBLIC_BASE_URL) starts, and is never free.
 */
export class PortListener {
  private target: http.Server | undefined;
  /** Connections accepted while no server is attached (a restart): the next one gets them. */
  private waiting: net.Socket[] = [];
  private readonly open = new Set<net.Socket>();
  readonly port: number;

  private constructor(
    readonly server: net.Server,
    readonly host: string,
  ) {
    this.port = (server.address() as net.AddressInfo).port;
    server.on('connection', (socket) => {
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
      if (this.target) this.target.emit('connection', socket);
      else this.waiting.push(socket);
    });
  }

  /** Binds `port` on `host` (0: any free port the OS picks). */
  static async bind(host = '127.0.0.1', port = 0): Promise<PortListener> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new PortListener(server, host);
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /**
   * Hands every connection to `target` (an http.Server that never listens itself) until the
   * returned detach is called. Detaching ends the idle connections at once and each busy one when
   * its answer is sent (as a closing server would), and resolves then; the port stays bound.
   */
  attach(target: http.Server): () => Promise<void> {
    if (this.target) throw new Error(`port ${this.port} already has a server attached`);
    this.target = target;
    const busy = new Map<net.Socket, number>();
    let detached = false;
    let drained: (() => void) | undefined;
    const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
      const socket = request.socket;
      busy.set(socket, (busy.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (busy.get(socket) ?? 1) - 1;
        if (left > 0) return void busy.set(socket, left);
        busy.delete(socket);
        if (!detached) return;
        socket.destroy();
        if (busy.size === 0) drained?.();
      });
    };
    target.on('request', onRequest);
    const waiting = this.waiting;
    this.waiting = [];
    for (const socket of waiting) if (!socket.destroyed) target.emit('connection', socket);
    return async () => {
      if (detached) return;
      detached = true;
      if (this.target === target) this.target = undefined;
      for (const socket of this.open) if (!busy.has(socket)) socket.destroy();
      if (busy.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      target.off('request', onRequest);
    };
  }

  /** Unbinds the port and ends every connection. */
  close(): Promise<void> {
    this.target = undefined;
    for (const socket of this.open) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Serves a fastify app on a port bound beforehand (the app never binds) and returns how to stop
 * serving it: the port stays bound, it belongs to whoever bound it.
 */
export async function serveOn(app: FastifyInstance, listener: PortListener): Promise<() => Promise<void>> {
  await app.ready();
  const detach = listener.attach(app.server);
  return async () => {
    await detach();
    await app.close();
  };
}
