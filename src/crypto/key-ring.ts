import { createPrivateKey, randomUUID, sign as signWith, type JsonWebKey, type KeyObject as NodeKeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload, type CryptoKey, type KeyObject } from 'jose';
import type { Store } from '../store/port.js';
import type { SigningKey } from '../domain/types.js';
import type { Envelope } from './envelope.js';

type Key = CryptoKey | KeyObject;
const b64url = (text: string) => Buffer.from(text).toString('base64url');
interface Loaded {
  kid: string;
  alg: string;
  publicKey: Key;
  /** The private key as node:crypto signs with it (see KeyRing.sign). */
  signingKey?: NodeKeyObject;
  /** The encoded protected header, by `typ`. */
  headers?: Map<string, string>;
  publicJwk: JWK;
  row: SigningKey;
}

/** AES-GCM additional data of a sealed private key: it only opens as the key of this kid. */
export const signingKeyContext = (kid: string) => `signing-key:${kid}`;
const context = signingKeyContext;
/** The cluster lock (Store.clusterLock) of every change to which key signs. */
const SIGNING_KEYS_LOCK = 'signing-keys';

/**
 * The JWT signing keys: generated on first start, private halves sealed under the master key,
 * public halves published as JWKS. The newest unretired key signs; retired keys keep verifying
 * until the tokens they signed have expired.
 */
/** How far a token's `iat` may lie ahead of this node's clock (clock skew between nodes). */
const IAT_SKEW_SECONDS = 60;

/**
 * The claims as JSON with `iss`, `iat` and `exp` after them: the JSON of `{ ...payload, iss, iat,
 * exp }`, written without that copy of the claims (a spread and three more keys cost V8 ~3 µs a
 * token, half the JSON's own cost) unless the payload carries one of the three itself.
 */
function withTimes(payload: Record<string, unknown>, iss: string, iat: number, exp: number): string {
  if ('iss' in payload || 'iat' in payload || 'exp' in payload) return JSON.stringify({ ...payload, iss, iat, exp });
  const json = JSON.stringify(payload);
  return `${json.length > 2 ? `${json.slice(0, -1)},` : '{'}"iss":${JSON.stringify(iss)},"iat":${iat},"exp":${exp}}`;
}

export class KeyRing {
  private keys = new Map<string, Loaded>();
  private signer: Loaded | undefined;
  private lastReload = 0;
  /** The rotation in progress on this node, if any (rotations are serialised). */
  private rotating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly envelope: Envelope,
    private readonly opts: { alg: 'ES256' | 'RS256' | 'EdDSA'; issuer: string; now: () => number },
  ) {}

  /** Loads the keys; the first node to start on an empty store (one of several at once) makes the first. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.signer) {
      const fresh = await this.generate(this.opts.now());
      await this.store.clusterLock(SIGNING_KEYS_LOCK, async (tx) => {
        if (!(await tx.signingKeys.list()).some((k) => k.retiredAt === null)) await tx.signingKeys.insert(fresh);
      });
      await this.reload();
    }
  }

  async reload(): Promise<void> {
    const rows = await this.store.signingKeys.list();
    const now = this.opts.now();
    const next = new Map<string, Loaded>();
    let signer: Loaded | undefined;
    for (const row of rows) {
      if (row.verifyUntil !== null && row.verifyUntil < now) continue;
      const publicKey = await importJWK(row.publicJwk as JWK, row.alg);
      const loaded: Loaded = { kid: row.kid, alg: row.alg, publicKey: publicKey as Key, publicJwk: row.publicJwk as JWK, row };
      if (row.retiredAt === null) {
        const jwk = JSON.parse(this.envelope.open(row.privateEnc, context(row.kid))) as JWK;
        loaded.signingKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
        loaded.headers = new Map();
        if (!signer || row.createdAt > signer.row.createdAt || (row.createdAt === signer.row.createdAt && row.kid > signer.kid))
          signer = loaded;
      }
      next.set(row.kid, loaded);
    }
    this.keys = next;
    this.signer = signer;
    this.lastReload = Date.now();
  }

  private async generate(now: number): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(this.opts.alg, {
      extractable: true,
      crv: this.opts.alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: this.opts.alg, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      alg: this.opts.alg,
      publicJwk,
      privateEnc: this.envelope.seal(JSON.stringify(privateJwk), context(kid)),
      createdAt: now,
      retiredAt: null,
      verifyUntil: null,
    };
  }

  /**
   * A new key signs from now on; the previous ones verify for `graceMs` more. `alsoInTx` runs in
   * the same transaction (the caller's audit record). Returns the new kid and the retired ones.
   * Rotations on one node run one after another; across nodes, each holds the cluster lock while
   * it retires what the store holds unretired (not what this node last loaded) and inserts its
   * key, so concurrent rotations on any nodes never leave two keys signing.
   */
  rotate(
    graceMs: number,
    alsoInTx?: (tx: Store, r: { kid: string; retired: string[] }) => Promise<void>,
  ): Promise<{ kid: string; retired: string[] }> {
    const run = this.rotating.then(() => this.rotateNow(graceMs, alsoInTx));
    this.rotating = run.catch(() => undefined);
    return run;
  }

  private async rotateNow(
    graceMs: number,
    alsoInTx?: (tx: Store, r: { kid: string; retired: string[] }) => Promise<void>,
  ): Promise<{ kid: string; retired: string[] }> {
    const now = this.opts.now();
    const fresh = await this.generate(now);
    const retired = await this.store.clusterLock(SIGNING_KEYS_LOCK, async (tx) => {
      const current = (await tx.signingKeys.list()).filter((k) => k.retiredAt === null).map((k) => k.kid);
      await tx.signingKeys.insert(fresh);
      for (const kid of current) await tx.signingKeys.retire(kid, now, now + graceMs);
      await alsoInTx?.(tx, { kid: fresh.kid, retired: current });
      return current;
    });
    await this.store.signingKeys.deleteExpired(now);
    await this.reload();
    return { kid: fresh.kid, retired };
  }

  /** The `iss` this ring signs and requires. */
  get issuer(): string {
    return this.opts.issuer;
  }

  /** Sets the issuer once the server knows its URL (LATCH_PORT=0), before any token is issued. */
  setIssuer(issuer: string): void {
    this.opts.issuer = issuer;
  }

  /** The algorithms of the keys that sign or still verify (discovery's `id_token_signing_alg_values_supported`). */
  algorithms(): string[] {
    return [...new Set([...this.keys.values()].map((k) => k.alg))].sort();
  }

  get currentKid(): string | undefined {
    return this.signer?.kid;
  }

  /**
   * A compact JWS (RFC 7515 §7.1) of the claims with `iss`, `iat` and `exp` set, signed by
   * node:crypto in the thread pool (its callback form), so the event loop only encodes. jose
   * signs through WebCrypto, whose every call adds argument normalisation and webidl checks to the
   * job: about twice the CPU of the ES256 signature itself (~45 µs here). What a client checks
   * (jose, openid-client, the EI and Azure SDKs) is the same JWS; test/ops/jws.test.ts verifies
   * every algorithm's tokens with jose.
   */
  sign(payload: JWTPayload, ttlSeconds: number, typ = 'JWT'): Promise<string> {
    const s = this.signer;
    if (!s?.signingKey || !s.headers) throw new Error('no signing key loaded');
    const iat = Math.floor(this.opts.now() / 1000);
    let header = s.headers.get(typ);
    if (header === undefined) s.headers.set(typ, (header = b64url(JSON.stringify({ alg: s.alg, typ, kid: s.kid }))));
    const input = `${header}.${b64url(withTimes(payload, this.opts.issuer, iat, iat + ttlSeconds))}`;
    const data = Buffer.from(input);
    return new Promise((resolve, reject) => {
      const done = (e: Error | null, signature: Buffer) => (e ? reject(e) : resolve(`${input}.${signature.toString('base64url')}`));
      if (s.alg === 'ES256') signWith('sha256', data, { key: s.signingKey!, dsaEncoding: 'ieee-p1363' }, done);
      else signWith(s.alg === 'RS256' ? 'sha256' : null, data, s.signingKey!, done);
    });
  }

  /**
   * Verifies signature, algorithm (the one the kid was made for: no `none`, no HS256 with a public
   * key), issuer, exp and nbf; `iss`, `exp` and `iat` are required, and `iat` may not lie more than
   * IAT_SKEW_SECONDS ahead (a token without an expiry, or minted for later, is never valid). An unknown kid triggers one reload (at most once a second): another
   * node may have rotated.
   */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        let k = header.kid ? this.keys.get(header.kid) : undefined;
        if (!k && header.kid && Date.now() - this.lastReload > 1000) {
          await this.reload();
          k = this.keys.get(header.kid);
        }
        if (!k || header.alg !== k.alg) throw new Error('unknown key');
        return k.publicKey;
      },
      {
        issuer: this.opts.issuer,
        algorithms: ['ES256', 'RS256', 'EdDSA'],
        currentDate: new Date(this.opts.now()),
        requiredClaims: ['iss', 'exp', 'iat'],
      },
    );
    // jose checks iat only against a maximum age: a token "issued" in the future is refused here
    if ((payload.iat as number) > this.opts.now() / 1000 + IAT_SKEW_SECONDS) throw new Error('iat is in the future');
    return payload;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }
}
