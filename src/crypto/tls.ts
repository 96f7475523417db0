import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import { ensurePrivateDir, tightenPrivateFile, writePrivateFile } from '../util/private-files.js';
import type { Config } from '../config.js';

/** node-forge, loaded on first use: only `--tls-self-signed` issues certificates, and loading it was ~50 ms of every start. */
let forgeModule: typeof Forge | undefined;
const forge = (): typeof Forge => (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof Forge);

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** The CA that signed `cert`, when Latch generated it (clients trust this one). */
  ca?: Buffer;
  caFile?: string;
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];
const DAY = 86_400_000;

/**
 * TLS material for `latch serve`: LATCH_TLS_CERT/KEY files; or, with --tls-self-signed, a CA and a
 * server certificate kept in <data dir>/tls (generated on first use, reused afterwards, the server
 * certificate re-issued when it nears expiry or LATCH_TLS_HOSTNAMES changes); or none (plain http).
 * Clients trust <data dir>/tls/ca.pem, e.g. NODE_EXTRA_CA_CERTS=<data dir>/tls/ca.pem.
 */
export async function loadTls(config: Config): Promise<TlsFiles | null> {
  if (config.tlsCert && config.tlsKey) {
    return { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) };
  }
  if (config.tlsSelfSigned) return selfSigned(path.join(config.dataDir, 'tls'), hostnames(config.tlsHostnames));
  return null;
}

export function hostnames(extra: string | undefined): string[] {
  const names = [
    ...DEFAULT_NAMES,
    ...(extra ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  return [...new Set(names.map((n) => (isIP(n) ? n : n.toLowerCase())))];
}

function rsaKeys(): Forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge().pki.privateKeyFromPem(privateKey) as Forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forge().pki.setRsaPublicKey(priv.n, priv.e) };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive
  return b.toString('hex');
}

function issueCa(): { certPem: string; keyPem: string } {
  const keys = rsaKeys();
  const cert = forge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY);
  const subject = [
    { name: 'commonName', value: 'Latch local CA' },
    { name: 'organizationName', value: 'Latch' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge().md.sha256.create());
  return { certPem: forge().pki.certificateToPem(cert), keyPem: forge().pki.privateKeyToPem(keys.privateKey) };
}

function issueServer(caCertPem: string, caKeyPem: string, names: string[]): { certPem: string; keyPem: string } {
  const ca = forge().pki.certificateFromPem(caCertPem);
  const caKey = forge().pki.privateKeyFromPem(caKeyPem);
  const keys = rsaKeys();
  const cert = forge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 825 * DAY);
  cert.setSubject([{ name: 'commonName', value: names.find((n) => !isIP(n)) ?? 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
  ]);
  cert.sign(caKey, forge().md.sha256.create());
  return { certPem: forge().pki.certificateToPem(cert), keyPem: forge().pki.privateKeyToPem(keys.privateKey) };
}

/** Whether an existing server certificate still fits: signed by `caPem`, valid 30+ days, covering every name. */
function stillGood(certPem: string, caPem: string, names: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < 30 * DAY) return false;
    const san = cert.subjectAltName ?? '';
    return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : san.split(', ').includes(`DNS:${n}`)));
  } catch {
    return false;
  }
}

/**
 * The self-signed CA + server certificate in `dir`: the directory 0700 and every file in it 0600
 * (certificates too: clients read ca.pem as the server's user or from a copy), tightened when found wider.
 */
export function selfSigned(dir: string, names: string[] = DEFAULT_NAMES): TlsFiles {
  ensurePrivateDir(dir);
  const f = {
    ca: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server-key.pem'),
  };
  if (!fs.existsSync(f.ca) || !fs.existsSync(f.caKey)) {
    const ca = issueCa();
    writePrivateFile(f.caKey, ca.keyPem);
    writePrivateFile(f.ca, ca.certPem);
  }
  const caPem = fs.readFileSync(f.ca, 'utf8');
  if (!fs.existsSync(f.cert) || !fs.existsSync(f.key) || !stillGood(fs.readFileSync(f.cert, 'utf8'), caPem, names)) {
    const server = issueServer(caPem, fs.readFileSync(f.caKey, 'utf8'), names);
    writePrivateFile(f.key, server.keyPem);
    writePrivateFile(f.cert, server.certPem);
  }
  for (const file of Object.values(f)) tightenPrivateFile(file);
  return { cert: fs.readFileSync(f.cert), key: fs.readFileSync(f.key), ca: Buffer.from(caPem), caFile: f.ca };
}
