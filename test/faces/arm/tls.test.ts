import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { loadTls, selfSigned } from '../../../src/crypto/tls.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-tls-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('TLS for latch serve', () => {
  it('serves nothing extra by default (plain http)', async () => {
    expect(await loadTls(loadConfig({ LATCH_DATA_DIR: tmp() }))).toBeNull();
  });

  it('reads LATCH_TLS_CERT / LATCH_TLS_KEY files', async () => {
    const made = selfSigned(path.join(tmp(), 'tls'));
    const d = tmp();
    fs.writeFileSync(path.join(d, 'c.pem'), made.cert);
    fs.writeFileSync(path.join(d, 'k.pem'), made.key);
    const tls = await loadTls(
      loadConfig({ LATCH_DATA_DIR: d, LATCH_TLS_CERT: path.join(d, 'c.pem'), LATCH_TLS_KEY: path.join(d, 'k.pem') }),
    );
    expect(tls?.cert.equals(made.cert)).toBe(true);
    expect(tls?.ca).toBeUndefined();
  });

  it('generates a CA and a server certificate into <data dir>/tls on first use and reuses them', async () => {
    const d = tmp();
    const first = (await loadTls(loadConfig({ LATCH_DATA_DIR: d, LATCH_TLS_SELF_SIGNED: 'true' })))!;
    expect(first.caFile).toBe(path.join(d, 'tls', 'ca.pem'));
    expect(fs.statSync(path.join(d, 'tls', 'server-key.pem')).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(d, 'tls', 'ca-key.pem')).mode & 0o077).toBe(0);
    const ca = new X509Certificate(first.ca!);
    const cert = new X509Certificate(first.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');

    const again = (await loadTls(loadConfig({ LATCH_DATA_DIR: d, LATCH_TLS_SELF_SIGNED: 'true' })))!;
    expect(again.cert.equals(first.cert)).toBe(true);
    expect(again.ca!.equals(first.ca!)).toBe(true);

    // extra host names re-issue the server certificate under the same CA
    const more = (await loadTls(
      loadConfig({ LATCH_DATA_DIR: d, LATCH_TLS_SELF_SIGNED: 'true', LATCH_TLS_HOSTNAMES: 'latch.test, 10.1.2.3' }),
    ))!;
    expect(more.ca!.equals(first.ca!)).toBe(true);
    expect(more.cert.equals(first.cert)).toBe(false);
    const c2 = new X509Certificate(more.cert);
    expect(c2.checkHost('latch.test')).toBe('latch.test');
    expect(c2.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(c2.checkHost('localhost')).toBe('localhost');
  });

  it('is trusted by a client given only ca.pem', async () => {
    const tls = selfSigned(path.join(tmp(), 'tls'));
    const server = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      for (const host of ['localhost', '127.0.0.1']) {
        const body = await new Promise<string>((resolve, reject) => {
          https
            .get(
              { host: '127.0.0.1', servername: host === 'localhost' ? host : undefined, port, ca: tls.ca, path: '/', headers: { host } },
              (res) => {
                let s = '';
                res.on('data', (c) => (s += c));
                res.on('end', () => resolve(s));
              },
            )
            .on('error', reject);
        });
        expect(body).toBe('ok');
      }
    } finally {
      server.close();
    }
  });
});
