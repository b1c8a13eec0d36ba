/**
 * A port bound once and handed over: no window in which it is free, servers take turns on it, and
 * a request arriving between two of them waits for the next instead of failing.
 */
import net from 'node:net';
import Fastify from 'fastify';
import { PortListener, serveOn } from '../../emulator/listener';

function appAnswering(text: string) {
  const app = Fastify({ logger: false });
  app.get('/', async () => text);
  return app;
}

function bindFails(port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve('bound')));
  });
}

test('the port stays bound while no server serves it, and servers take turns on it', async () => {
  const listener = await PortListener.bind();
  try {
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
    const stopFirst = await serveOn(appAnswering('first'), listener);
    expect(await (await fetch(listener.url)).text()).toBe('first');
    await stopFirst();
    // Between two servers nobody else can take the port.
    expect(await bindFails(listener.port)).toBe('EADDRINUSE');
    // A request in the gap waits for the next server.
    const pending = fetch(listener.url).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopSecond = await serveOn(appAnswering('second'), listener);
    expect(await pending).toBe('second');
    await stopSecond();
  } finally {
    await listener.close();
  }
  expect(await bindFails(listener.port)).toBe('bound');
});

test('stopping a server lets the answer being written finish, then ends the connection', async () => {
  const listener = await PortListener.bind();
  try {
    const app = Fastify({ logger: false });
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    app.get('/slow', async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return 'done';
    });
    const stop = await serveOn(app, listener);
    const answer = fetch(`${listener.url}/slow`).then((response) => response.text());
    await inside;
    await stop();
    expect(await answer).toBe('done');
  } finally {
    await listener.close();
  }
});

test('a second server on a port already served is refused', async () => {
  const listener = await PortListener.bind();
  try {
    const stop = await serveOn(appAnswering('one'), listener);
    await expect(serveOn(appAnswering('two'), listener)).rejects.toThrow(/already has a server/);
    await stop();
  } finally {
    await listener.close();
  }
});
