import fc, { type Arbitrary } from 'fast-check';
import type { Operation, Param } from './operations.js';
import { edgeStrings, encodeJson, fromSchema, nested, type JsonSchema, type Mode } from './schema.js';
import type { World } from './world.js';

/** One generated request, as `app.inject` takes it (the URL already encoded). */
export interface FuzzRequest {
  /** The operation it was drawn from (`GET /iam/users/{userId}`); `unrouted` for random paths. */
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  remoteAddress: string;
  /** Which credential it carries (`admin`, `garbage-bearer`, …): valid kinds are resolved from the world at send time. */
  auth: string;
  /** How the body was made: valid, boundary, wrong, malformed, none. */
  body: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT'];
/** encodeURIComponent, except that a lone surrogate is sent as its WTF-8 bytes (%ED%A0%80) instead of throwing. */
export function enc(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.charCodeAt(0);
    out +=
      ch.length === 1 && u >= 0xd800 && u <= 0xdfff
        ? [0xed, 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
        : encodeURIComponent(ch);
  }
  return out;
}
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

/** Path segments a router and a store must both survive: each is sent as written (already percent-encoded). */
const edgeSegment: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    'r%00x',
    'k%00',
    '..',
    '%2e%2e',
    '.',
    '%2F',
    'a%2Fb',
    '%E0%A4%A',
    '%',
    '%ZZ',
    '%ED%A0%80',
    '%C0%AF',
    '%F0%9F%98%80',
    "'%20or%201=1",
    '%20',
    '~',
    '*',
    ';a=b',
    'a:b',
    '%3F',
    '%23',
  ),
  fc.constantFrom(65, 91, 129, 1_000, 10_000).map((n) => 'a'.repeat(n)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

/** Authorization values that must never authenticate, of each scheme we accept. */
const garbageAuth: Arbitrary<[string, string | undefined]> = fc.oneof(
  fc.constantFrom<[string, string | undefined]>(
    ['none', undefined],
    ['empty', ''],
    ['bearer-empty', 'Bearer '],
    ['bearer-word', 'Bearer'],
    ['bearer-jwt-none', `Bearer ${b64('{"alg":"none","typ":"JWT"}')}.${b64('{"sub":"admin","exp":9999999999}')}.`],
    ['bearer-dots', 'Bearer a.b.c'],
    ['bearer-lowercase', 'bearer x.y.z'],
    ['basic-empty', 'Basic '],
    ['basic-no-colon', `Basic ${b64('nocolon')}`],
    ['basic-bad-b64', 'Basic !!!not base64!!!'],
    ['basic-percent', `Basic ${b64('%E0%A4%A:%')}`],
    ['basic-nul', `Basic ${b64('a\u0000:b\u0000')}`],
    ['sas-empty', 'SharedAccessSignature '],
    ['sas-missing', 'SharedAccessSignature sr=x'],
    ['sas-dup', 'SharedAccessSignature sr=a&sr=b&sig=c&se=1&skn=d'],
    ['sas-se-huge', 'SharedAccessSignature sr=a&sig=b&se=99999999999999999999999&skn=c'],
    ['sas-se-nan', 'SharedAccessSignature sr=a&sig=b&se=NaN&skn=c'],
    ['sas-percent', 'SharedAccessSignature sr=%E0%A4%A&sig=%&se=1&skn=%00'],
    ['other-scheme', 'Digest username="x"'],
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s): [string, string] => ['bearer-random', `Bearer ${s.replace(/[\r\n]/g, '')}`]),
  fc.string({ maxLength: 100 }).map((s): [string, string] => ['basic-random', `Basic ${b64(s)}`]),
  fc
    .record({
      sr: fc.string({ maxLength: 30 }),
      sig: fc.base64String({ maxLength: 48 }),
      se: fc.oneof(fc.nat(), fc.string()),
      skn: fc.string({ maxLength: 20 }),
    })
    .map(({ sr, sig, se, skn }): [string, string] => [
      'sas-random',
      `SharedAccessSignature sr=${enc(sr)}&sig=${enc(sig)}&se=${enc(String(se))}&skn=${enc(skn)}`,
    ]),
);

/** Valid credential kinds for an operation (resolved from the world when the request is sent). */
function validAuthKinds(op: Operation): string[] {
  if (op.path.startsWith('/central/')) return ['central', 'admin'];
  if (op.path.startsWith('/$latch/')) return ['hubSas', 'dpsSas'];
  if (op.path.endsWith('/auth/token')) return ['basicClient'];
  return ['admin', 'apiKey'];
}

const tenantHeader = (w: World): Arbitrary<[string, string | undefined]> =>
  fc.oneof(
    { arbitrary: fc.constant<[string, string | undefined]>(['own', w.tenant]), weight: 8 },
    fc.constantFrom<[string, string | undefined]>(
      ['foreign', w.foreignTenant],
      ['missing', undefined],
      ['nil', '00000000-0000-4000-8000-000000000000'],
    ),
    edgeStrings(40).map((s): [string, string] => ['garbage', s]),
  );

/** Host headers: the default, the addressed hub / DPS / Central app, and weird ones. */
const hostHeader = (w: World, op: Operation): Arbitrary<string | undefined> => {
  const own = op.path.startsWith('/$latch/') ? [w.hosts.hub, w.hosts.dps, `${w.hosts.hub}:443`, 'nohub.azure-devices.net'] : [];
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 8 },
    ...(own.length ? [{ arbitrary: fc.constantFrom(...own), weight: 8 }] : []),
    fc.constantFrom(
      '',
      'a..b',
      '[::1]:99999',
      'x'.repeat(300),
      '.azure-devices.net',
      'UPPER.AZURE-DEVICES.NET.',
      'évil.example',
      w.hosts.central,
      `x.${w.hosts.central}`,
    ),
  );
};

function paramValue(p: Param, w: World, op: Operation): Arbitrary<string> {
  const known = w.fixtures(`${op.method} ${op.path}`, p.name);
  return fc.oneof(
    ...(known.length ? [{ arbitrary: fc.constantFrom(...known).map(encodeURIComponent), weight: 6 }] : []),
    { arbitrary: fromSchema(p.schema, 'valid', w.vocab).map((v) => enc(String(v))), weight: 2 },
    { arbitrary: edgeSegment, weight: 3 },
  );
}

function queryOf(op: Operation, w: World): Arbitrary<string> {
  const declared = op.query.map((p) => {
    const mode: Arbitrary<Mode> = fc.constantFrom('valid', 'valid', 'boundary', 'wrong');
    const value = mode.chain((m) => fromSchema(p.schema, m, w.vocab)).map((v) => (typeof v === 'string' ? v : encodeJson(v)));
    const present = p.required || p.name === 'api-version' ? fc.constant(true) : fc.boolean();
    return fc.tuple(present, value).map(([on, v]) => (on ? [`${enc(p.name)}=${enc(v)}`] : []));
  });
  const extra = fc.oneof(
    { arbitrary: fc.constant<string[]>([]), weight: 8 },
    fc.constantFrom(
      ['foo=1'],
      ['page=1&page=2'],
      ['size=%00'],
      ['a=%E0%A4%A'],
      ['%'],
      ['&&=&'],
      ['actor=%00'],
      [`q=${'a'.repeat(10_000)}`],
    ),
    fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })).map(([k, v]) => [`${enc(k)}=${enc(v)}`]),
  );
  return fc.tuple(fc.tuple(...declared), extra).map(([d, e]) => [...d.flat(), ...e].join('&'));
}

/** Bodies that are not what any route accepts: wrong framing, media types and encodings. */
function malformed(valid: Arbitrary<unknown>): Arbitrary<{ payload: string; contentType?: string }> {
  const json = 'application/json';
  return fc.oneof(
    valid.chain((v) => {
      const text = encodeJson(v);
      return fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => ({ payload: text.slice(0, n), contentType: json }));
    }),
    fc.constantFrom(
      { payload: '', contentType: json },
      { payload: '{', contentType: json },
      { payload: '{"a":1,}', contentType: json },
      { payload: "{'a':1}", contentType: json },
      { payload: 'NaN', contentType: json },
      { payload: '1e999', contentType: json },
      { payload: '"\\ud800"', contentType: json },
      { payload: '{"a":"\\u0000"}', contentType: json },
      { payload: '\ufeff{}', contentType: json },
      { payload: '{"name":"a","name":{"x":1}}', contentType: json },
      { payload: '{"__proto__":{"isAdmin":true}}', contentType: json },
      { payload: '[]', contentType: json },
      { payload: 'null', contentType: json },
      { payload: '<xml/>', contentType: 'application/xml' },
      { payload: 'a=b', contentType: 'text/plain' },
      { payload: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
      { payload: 'username=a%00&password=x', contentType: 'application/x-www-form-urlencoded' },
      { payload: '%%%&&==', contentType: 'application/x-www-form-urlencoded' },
      { payload: '{}', contentType: 'application/json; charset=utf-16' },
      { payload: '{}', contentType: 'application/json;;;' },
      { payload: '{}', contentType: 'application/vnd.api+json' },
      { payload: '{}', contentType: '' },
      { payload: '{}' },
    ),
    fc.constantFrom(1_000, 5_000, 20_000).map((n) => ({ payload: '['.repeat(n) + ']'.repeat(n), contentType: json })),
    fc.constant({ payload: `{"a":"${'x'.repeat(1024 * 1024 + 10)}"}`, contentType: json }),
    fc.string({ unit: 'binary', maxLength: 60 }).map((s) => ({ payload: s, contentType: json })),
  );
}

/** One field of a known-good body replaced by an edge or a wrong-typed value. */
const mutated = (sample: unknown): Arbitrary<unknown> => {
  const keys = sample && typeof sample === 'object' ? Object.keys(sample) : [];
  if (!keys.length) return fc.constant(sample);
  const edge = fc.oneof(edgeStrings(), fc.constantFrom(null, 1, [], {}, nested(5_000, 'object')));
  return fc.tuple(fc.constantFrom(...keys), edge).map(([k, v]) => ({ ...(sample as object), [k]: v }));
};

function bodyOf(op: Operation, w: World): Arbitrary<{ kind: string; payload?: string; contentType?: string }> {
  const samples = w.samples[`${op.method} ${op.path}`] ?? [];
  const schema: JsonSchema = op.body ?? { type: 'object', additionalProperties: true };
  const draw = (m: Mode): Arbitrary<unknown> => {
    const gen = fromSchema(schema, m, w.vocab);
    if (!samples.length) return gen;
    const known = fc.constantFrom(...samples);
    return fc.oneof(gen, { arbitrary: m === 'valid' ? known : known.chain(mutated), weight: 3 });
  };
  const json = (m: Mode) => draw(m).map((v) => ({ kind: m, payload: encodeJson(v), contentType: 'application/json' }));
  const form = draw('boundary').map((v) => ({
    kind: 'form',
    payload: new URLSearchParams(
      Object.entries(v && typeof v === 'object' ? v : {}).map(([k, x]) => [k, typeof x === 'string' ? x : encodeJson(x)]),
    ).toString(),
    contentType: 'application/x-www-form-urlencoded',
  }));
  const wanted = op.body ? 8 : 1;
  return fc.oneof(
    { arbitrary: fc.constant({ kind: 'none' }), weight: op.body ? 1 : 8 },
    { arbitrary: json('valid'), weight: wanted },
    { arbitrary: json('boundary'), weight: wanted },
    { arbitrary: json('wrong'), weight: Math.ceil(wanted / 2) },
    { arbitrary: form, weight: 1 },
    { arbitrary: malformed(draw('valid')).map((m) => ({ kind: 'malformed', ...m })), weight: Math.ceil(wanted / 2) },
  );
}

const address = fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.${a}.${b}.7`);

/** Requests drawn from one operation of the document. */
export function requestsFor(op: Operation, w: World): Arbitrary<FuzzRequest> {
  const name = `${op.method} ${op.path}`;
  const method = fc.oneof({ arbitrary: fc.constant(op.method), weight: 12 }, fc.constantFrom(...METHODS));
  const path = fc
    .tuple(...op.pathParams.map((p) => paramValue(p, w, op)))
    .map((vals) => op.pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, vals[i]!), op.path));
  const valid = validAuthKinds(op);
  const auth = fc.oneof(
    { arbitrary: fc.constantFrom(...valid).map((k): [string, string | undefined] => [k, undefined]), weight: op.secured ? 6 : 2 },
    { arbitrary: garbageAuth, weight: 3 },
  );
  const tenant = op.headers.some((h) => h.name === 'x-tenant-id')
    ? tenantHeader(w)
    : fc.constant<[string, string | undefined]>(['absent', undefined]);
  const extraHeaders = fc.oneof(
    { arbitrary: fc.constant<Record<string, string>>({}), weight: 8 },
    fc.constantFrom<Record<string, string>>(
      { 'x-request-id': 'a'.repeat(500) },
      { 'x-request-id': '../\u0000' },
      { 'if-match': '"stale"' },
      { 'if-match': '*' },
      { accept: 'application/xml' },
      { 'x-ms-client-request-id': '%00' },
      { 'content-length': '5' },
      { 'transfer-encoding': 'chunked' },
      { expect: '100-continue' },
    ),
  );
  return fc
    .record({
      method,
      path,
      query: queryOf(op, w),
      auth,
      tenant,
      host: hostHeader(w, op),
      body: bodyOf(op, w),
      extra: extraHeaders,
      remoteAddress: address,
    })
    .map((r) => {
      const headers: Record<string, string> = { ...r.extra };
      if (r.auth[1] !== undefined) headers.authorization = r.auth[1];
      if (r.tenant[1] !== undefined) headers['x-tenant-id'] = r.tenant[1];
      if (r.host !== undefined) headers.host = r.host;
      if (r.body.contentType !== undefined) headers['content-type'] = r.body.contentType;
      return {
        op: name,
        method: r.method,
        url: r.query ? `${r.path}?${r.query}` : r.path,
        headers,
        ...(r.body.payload !== undefined ? { payload: r.body.payload } : {}),
        remoteAddress: r.remoteAddress,
        auth: r.auth[0],
        body: r.body.kind,
      };
    });
}

/** Paths no operation declares (the not-found handler of each face must answer in its envelope too). */
export function unrouted(w: World): Arbitrary<FuzzRequest> {
  const prefix = fc.constantFrom(
    '',
    '/iam',
    '/nbapi/ei/v1',
    '/subscriptions',
    `/subscriptions/${w.tenant}`,
    '/central/x/api',
    '/central',
    '/$latch',
    '/.well-known',
  );
  return fc
    .record({
      method: fc.constantFrom(...METHODS),
      prefix,
      rest: fc.array(edgeSegment, { maxLength: 3 }),
      auth: garbageAuth,
      host: hostHeader(w, { path: '/$latch/' } as Operation),
    })
    .map((r) => ({
      op: 'unrouted',
      method: r.method,
      url: `${r.prefix}/${r.rest.join('/')}`,
      headers: { ...(r.auth[1] !== undefined ? { authorization: r.auth[1] } : {}), ...(r.host !== undefined ? { host: r.host } : {}) },
      remoteAddress: '10.0.0.9',
      auth: r.auth[0],
      body: 'none',
    }));
}
