import os from 'node:os';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createLogger } from '../../src/main.js';
import { accessLine } from '../../src/http/app.js';
import { makeTestApp, type TestApp } from '../harness.js';

/** A log destination that keeps every line it is given, as written. */
function collector(): { sink: Writable; raw: string[] } {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { sink, raw };
}
const parsed = (raw: string[]) => raw.map((l) => JSON.parse(l) as Record<string, unknown>);

/** The access line is written straight to the server log's destination (no redaction pass): same stream, level and bindings. */
describe('access log', () => {
  const server = collector();
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ log: createLogger('info', server.sink) });
  });
  afterAll(async () => t?.close());

  it('writes one line per request with the route pattern, status and the root bindings, to the server log', async () => {
    await t.req('GET', '/healthz', { headers: { 'x-request-id': 'access-log-1' } });
    await new Promise((r) => setTimeout(r, 50));
    const line = parsed(server.raw).find((l) => l.reqId === 'access-log-1');
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

  it('is the line pino itself writes for the same fields, key order included (Latch writes it without pino)', async () => {
    const { sink, raw: pinoLines } = collector();
    const reference = createLogger('info', sink);
    const fields = { reqId: 'r"\\1', method: 'GET', route: '/nbapi/ei/v1/agents/:agentId', status: 404, ms: 3 };
    reference.info(fields, 'request');
    accessLine(reference)(fields.reqId, fields.method, fields.route, fields.status, fields.ms);
    await new Promise((r) => setTimeout(r, 20));
    expect(pinoLines).toHaveLength(2);
    const [byPino, byLatch] = parsed(pinoLines);
    expect(Object.keys(byLatch!)).toEqual(Object.keys(byPino!));
    expect({ ...byLatch, time: 0 }).toEqual({ ...byPino, time: 0 });
    expect(Math.abs((byLatch!.time as number) - (byPino!.time as number))).toBeLessThan(1000);
  });

  it('the lines of one turn of the event loop reach the destination in one write, at the end of that turn; flush writes at once', async () => {
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        writes.push(chunk.toString());
        done();
      },
    });
    const line = accessLine(createLogger('info', sink));
    for (let i = 0; i < 3; i++) line(`turn-${i}`, 'GET', '/healthz', 200, 0);
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toHaveLength(1);
    expect(parsed(writes[0]!.split('\n').filter(Boolean)).map((l) => l.reqId)).toEqual(['turn-0', 'turn-1', 'turn-2']);
    line('at-close', 'GET', '/healthz', 200, 0);
    line.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[1]!)).toMatchObject({ reqId: 'at-close' });
  });

  it('a logger set up otherwise (its own message key, level labels) still gets the line, through pino', async () => {
    const { sink, raw } = collector();
    const custom = pino({ messageKey: 'message', formatters: { level: (label) => ({ severity: label }) } }, sink);
    accessLine(custom)('id-1', 'POST', '/iam/auth/token', 200, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(parsed(raw)).toEqual([
      expect.objectContaining({ severity: 'info', message: 'request', reqId: 'id-1', route: '/iam/auth/token', status: 200 }),
    ]);
  });
});
