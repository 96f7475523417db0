import os from 'node:os';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main.js';
import { makeTestApp, type TestApp } from '../harness.js';

/** The access line is written by its own logger (no redaction pass): same stream, level and bindings as the server's. */
describe('access log', () => {
  const lines: Record<string, unknown>[] = [];
  let t: TestApp;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    t = await makeTestApp({ log: createLogger('info', sink) });
  });
  afterAll(async () => t?.close());

  it('writes one line per request with the route pattern, status and the root bindings, to the server log', async () => {
    await t.req('GET', '/healthz', { headers: { 'x-request-id': 'access-log-1' } });
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.find((l) => l.reqId === 'access-log-1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'GET',
      route: '/healthz',
      status: 200,
      pid: process.pid,
      hostname: os.hostname(),
    });
    expect(typeof line!.ms).toBe('number');
    expect(typeof line!.time).toBe('number');
  });
});
