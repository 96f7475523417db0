// The OpenAPI document as a running server serves it: linted by @redocly/cli (redocly.yaml,
// recommended rules, zero problems) and checked for what the lint cannot know about Latch.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../cli/helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
interface Doc {
  servers?: { url: string }[];
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
}

let srv: CliServer;
let doc: Doc;
let file: string;
const ops = () =>
  Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.flatMap((m) => (item[m] ? [{ key: `${m.toUpperCase()} ${p}`, op: item[m] }] : [])),
  );

beforeAll(async () => {
  srv = await startCliServer();
  const res = await fetch(`${srv.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'latch-openapi-')), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
});
afterAll(async () => {
  await srv?.close();
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

describe('/openapi.json', () => {
  it('passes redocly lint (recommended rules, redocly.yaml) with no error and no warning', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        path.join(ROOT, 'node_modules/.bin/redocly'),
        ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format=json'],
        { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 120_000 },
        (err, stdout, stderr) => (stdout.trim().startsWith('{') ? resolve(stdout) : reject(new Error(`${String(err)}\n${stderr}`))),
      ),
    );
    const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('gives every operation a unique camelCase operationId', () => {
    const all = ops();
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter(({ op }) => !/^[a-z][A-Za-z0-9]*$/.test(op.operationId ?? '')).map((o) => o.key)).toEqual([]);
    const ids = all.map(({ op }) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('declares a success response on every operation, and 204 (or ARM 200) on deletes as the routes answer', () => {
    expect(
      ops()
        .filter(({ op }) => !Object.keys(op.responses).some((s) => s.startsWith('2')))
        .map((o) => o.key),
    ).toEqual([]);
    const deletes = ops().filter(({ key }) => key.startsWith('DELETE '));
    for (const { key, op } of deletes)
      expect([key, Object.keys(op.responses).filter((s) => s.startsWith('2'))]).toEqual([
        key,
        key.includes('/providers/') ? ['200'] : ['204'],
      ]);
  });

  it('marks public operations with security: [] and documents a 401 on every operation that takes a token', () => {
    const byId = new Map(ops().map(({ op }) => [op.operationId, op]));
    for (const id of ['issueToken', 'issueNbapiToken', 'getCerts', 'getJwks', 'getOpenIdConfiguration'])
      expect(byId.get(id)?.security).toEqual([]);
    expect(byId.get('listApiKeys')?.security).toEqual([{ bearer: [] }]);
    const secured = ops().filter(({ op }) => op.security?.length);
    expect(secured.length).toBeGreaterThan(50);
    expect(secured.filter(({ op }) => !op.responses['401']).map((o) => o.key)).toEqual([]);
  });

  it('names the server it was fetched from in servers', () => {
    expect(doc.servers).toEqual([{ url: srv.url }]);
  });
});
