import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from '../../../emulator/clock';
import { startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import { makeFixtureDirs, type FixtureDirs } from './fixtures';

/**
 * The function's time on a clock with virtual waits: its waits take no real time, yet time never
 * jumps over a database call or an HTTP request still on its way.
 */
const WAITER = `
const http = require('http');
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const budget = (ms) => sleep(ms).then(() => 'budget');
const get = (url) => new Promise((resolve) => http.get(url, (res) => { res.resume(); res.on('end', () => resolve('answer')); }));

exports.main = async (event) => {
  const started = { perf: performance.now(), date: Date.now() };
  let winner;
  if (event.action === 'sleep') winner = await sleep(event.ms).then(() => 'slept');
  if (event.action === 'db') winner = await Promise.race([budget(1000), (async () => {
    for (let i = 0; i < 4; i++) await db.collection('things').add({ data: { i } });
    return 'database';
  })()]);
  if (event.action === 'http') winner = await Promise.race([budget(1000), get(event.url)]);
  return { winner, perfMs: performance.now() - started.perf, dateMs: Date.now() - started.date };
};
`;

let dirs: FixtureDirs;
let runtime: CloudRuntime;

beforeAll(async () => {
  dirs = makeFixtureDirs({ waiter: { index: WAITER } });
  runtime = await startCloudRuntime({
    functionsRoot: dirs.functionsRoot,
    dataDir: dirs.dataDir,
    clock: new Clock({ virtualWaits: true }),
    // Each database call takes 100 ms of real time: four of them outlast a 1 s budget if time jumps over them.
    dbLatencyMs: 100,
    timers: false,
    log: () => undefined,
  });
  await runtime.db.createCollection('things');
});

afterAll(async () => {
  await runtime.close();
  dirs.remove();
});

const invoke = (event: unknown) => runtime.newInstance('waiter').invoke(event) as Promise<Record<string, unknown>>;

test('a wait of ten minutes takes no real time, and Date and performance.now both see it', async () => {
  const started = performance.now();
  const seen = await invoke({ action: 'sleep', ms: 600_000 });
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(seen.winner).toBe('slept');
  expect(seen.perfMs).toBeGreaterThanOrEqual(600_000);
  expect(seen.dateMs).toBeGreaterThanOrEqual(600_000);
});

test('a budget racing database calls does not jump over them', async () => {
  expect(await invoke({ action: 'db' })).toMatchObject({ winner: 'database' });
});

test('a budget racing an HTTP request does not jump over it', async () => {
  const server = http.createServer((_, response) => void setTimeout(() => response.end('ok'), 300));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    expect(await invoke({ action: 'http', url })).toMatchObject({ winner: 'answer' });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
