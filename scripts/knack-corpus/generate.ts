/**
 * Deterministic inputs for the knack golden corpus: one JSON object per line on stdout,
 * `{ "id", "input", "query"? }`. The same seed always yields the same lines, so the fixture can be
 * regenerated and diffed. Usage: `npx tsx scripts/knack-corpus/generate.ts [seed]`.
 * Pipe into oracle.py, which records what knack prints (see README.md next to the fixture).
 *
 * Floats are always non-integral (Python would print `2.0`, a JS number cannot tell `2.0` from `2`),
 * integers stay well inside 2^53, and keys are never integer-like (JS objects reorder those).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(Number(process.argv[2] ?? 20240611));
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const chance = (p: number) => rand() < p;

const LONG = 'The quick brown fox jumps over the lazy dog while the access policy is evaluated for every device in the hub';
// Strings that YAML would read as other types, or that need quoting, folding or escaping.
const TRICKY_STRINGS: readonly string[] = [
  '123',
  '-7',
  '0.5',
  '1e3',
  '1_000',
  '0x1F',
  '0o17',
  '017',
  '0b101',
  '1:30',
  '+12',
  '.5',
  '.inf',
  '-.Inf',
  '.NaN',
  'yes',
  'no',
  'Yes',
  'NO',
  'on',
  'Off',
  'y',
  'n',
  'Y',
  'N',
  'true',
  'False',
  'TRUE',
  'null',
  'Null',
  '~',
  '',
  '2025-11-22',
  '2025-11-22T20:00:00.000Z',
  '2025-11-22 20:00:00',
  '2001-12-14t21:59:43.10-05:00',
  '2025-1-2',
  ' lead',
  'trail ',
  ' both ',
  ' ',
  '  ',
  'a  b',
  '#hash',
  'a #b',
  'a# b',
  'key: v',
  'a:b',
  ':x',
  'x:',
  '-',
  '- x',
  '-x',
  '--',
  '---',
  '...',
  '--- x',
  '?',
  '? x',
  '?x',
  '<<',
  '=',
  '!',
  '&a',
  '*a',
  '@x',
  '`x',
  '%x',
  '|',
  '>',
  '|x',
  '[a]',
  '{a}',
  'a,b',
  'a[b]',
  'a{b',
  "it's",
  'say "hi"',
  `"both' q`,
  'back\\slash',
  'tab\there',
  '\tlead tab',
  'nl\nline',
  'multi\nline\ntext',
  '\n',
  'trailing\n',
  '\nleading',
  'a\n\nb',
  'a \nb',
  'a\n b',
  'cr\rlf',
  'crlf\r\n',
  'café',
  'Déjà vu ☕',
  '日本語',
  'emoji 😀',
  '\u00a0nbsp',
  'nb\u00a0sp',
  'ctrl\u0007bell',
  'esc\u001b[0m',
  'del\u007f',
  'line\u2028sep',
  'para\u2029sep',
  'nel\u0085x',
  '\ufeffbom',
  'zw\u200bsp',
  'priv\ue000',
  'ﬁ ligature',
  'Ω',
  'SharedAccessSignature sr=4f1c...&sig=Xk2...%3D&skn=ci-token&se=1795377600000',
  'ca310b8d-2f4a-44e0-a36e-957c202cd8d4',
  'iothubowner',
  'RegistryRead, ServiceConnect',
  'user@example.com',
  'https://example.com/a?b=c#d',
  'C:\\path\\x',
  LONG,
  `${LONG} ${LONG}`,
  'x'.repeat(95),
  `${'y'.repeat(85)} tail`,
  `${LONG}\n${LONG}`,
  `short\n${LONG}`,
  `${LONG.slice(0, 78)}  double  spaces  here and more words to pass eighty`,
  `${LONG} `,
  ` ${LONG}`,
  `${LONG.slice(0, 60)} #comment-like text continuing past the width`,
  `${LONG.slice(0, 70)}: colon past width`,
];
const PLAIN_WORDS = ['alpha', 'beta', 'gamma', 'delta', 'dev1', 'dev2', 'hub-a', 'seattle', 'Admin', 'reader', 'x', 'Z', 'ä'];
const NUMBERS: readonly number[] = [
  0,
  1,
  2,
  3,
  -1,
  7,
  42,
  100,
  65536,
  -273,
  1234567890,
  2 ** 52,
  0.5,
  3.14,
  -0.25,
  1e-7,
  123.456,
  0.1,
  2.5e-5,
  1.5,
];
const KEYS = [
  'id',
  'type',
  'etag',
  'Id',
  'Etag',
  'name',
  'displayName',
  'enabled',
  'count',
  'tags',
  'props',
  'value',
  'a',
  'b',
  'z',
  'A',
  'Z',
  'n',
  'y',
  'yes',
  'no',
  'null',
  'true',
  'on',
  'a b',
  'a:b',
  '#k',
  '-k',
  'ä',
  'éclair',
  '日本',
  'key with  spaces',
  'x.y',
  'role',
  'expiry',
  'keyName',
  'rights',
  'primaryKey',
  '_private',
  'camelCase',
  'snake_case',
  'kebab-case',
  'UPPER',
  '',
  ' pad',
  '2025-11-22',
  '~',
  'multi\nline key',
  `long-key-${'k'.repeat(130)}`,
  'k'.repeat(90),
];

function scalar(): Json {
  const r = rand();
  if (r < 0.45) return pick(TRICKY_STRINGS);
  if (r < 0.6) return pick(PLAIN_WORDS);
  if (r < 0.78) return pick(NUMBERS);
  if (r < 0.9) return chance(0.5);
  return null;
}

function value(depth: number): Json {
  const r = rand();
  if (depth <= 0 || r < 0.45) return scalar();
  if (r < 0.72) return object(depth - 1);
  return list(depth - 1);
}

function object(depth: number, size = int(6)): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (let i = 0; i < size; i++) out[chance(0.15) ? pick(KEYS) : pick(KEYS.slice(0, 34))] = value(depth);
  return out;
}

function list(depth: number, size = int(5)): Json[] {
  return Array.from({ length: size }, () => value(depth));
}

// ---------------------------------------------------------------------------------------------- shapes Latch prints

const ROLE_IDS = ['ca310b8d-2f4a-44e0-a36e-957c202cd8d4', '344138e9-8de4-4497-8c54-5237e96d6aaf', 'ae2c9854-393b-4f97-8c42-479d70ce626e'];
const when = () => pick(['2025-11-22T20:00:00.000Z', '2026-01-01T00:00:00.000Z', '2024-02-29T12:30:45.123Z', '2030-06-15T08:00:00Z']);
const maybeTricky = () => (chance(0.2) ? pick(TRICKY_STRINGS) : pick(PLAIN_WORDS));

function apiKey(): Json {
  const key: { [k: string]: Json } = {
    id: `ak_${int(1e6).toString(36)}`,
    name: maybeTricky(),
    start: `lk_${int(1e8).toString(16)}`,
    roles: Array.from({ length: int(3) }, () => pick(['EI Admin', 'EI Reader', 'Hub Operator', 'yes', '123'])),
    createdAt: when(),
    expiresAt: chance(0.5) ? when() : null,
    enabled: chance(0.7),
  };
  if (chance(0.3)) key.secret = `lk_${'s'.repeat(20)}${int(1e6)}`;
  if (chance(0.2)) key.description = pick(TRICKY_STRINGS);
  return key;
}

function role(): Json {
  return {
    id: pick(ROLE_IDS),
    name: pick(['EI Admin', 'EI Reader', 'Hub Operator', 'Builder', 'n', 'Off']),
    description: chance(0.5) ? pick(TRICKY_STRINGS) : 'Grants access.',
    permissions: Array.from({ length: int(4) }, () => pick(['iam.apiKeys.read', 'iam.apiKeys.write', 'iot.hubs.*', '*'])),
    builtIn: chance(0.5),
    scope: pick(['/', '/tenants/t1', '/tenants/t1/hubs/h1']),
  };
}

function hubPolicy(): Json {
  return {
    keyName: pick(['iothubowner', 'service', 'device', 'registryRead', 'registryReadWrite', maybeTricky() as string]),
    primaryKey: `${'A'.repeat(10)}${int(1e9).toString(36)}=`,
    secondaryKey: `${'B'.repeat(10)}${int(1e9).toString(36)}=`,
    rights: pick(['RegistryWrite, ServiceConnect, DeviceConnect', 'ServiceConnect', 'RegistryRead', 'DeviceConnect']),
  };
}

function apiToken(): Json {
  const roles = Array.from({ length: int(3) }, () => {
    const r: { [k: string]: Json } = { role: pick(ROLE_IDS) };
    if (chance(0.3)) r.organization = pick(['seattle', 'org-1', 'yes']);
    return r;
  });
  const t: { [k: string]: Json } = { id: maybeTricky(), expiry: when(), roles };
  if (chance(0.2)) t.token = 'SharedAccessSignature sr=4f1c...&sig=Xk2...%3D&skn=ci-token&se=1795377600000';
  return t;
}

function armHub(): Json {
  return {
    id: `/subscriptions/${ROLE_IDS[0]}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/hub${int(9)}`,
    name: `hub${int(9)}`,
    type: 'Microsoft.Devices/IotHubs',
    location: pick(['westeurope', 'eastus']),
    etag: 'AAAAAAFD6M4=',
    tags: chance(0.5) ? {} : { env: pick(['prod', 'dev', 'yes']) },
    properties: { hostName: 'hub.azure-devices.net', state: 'Active', authorizationPolicies: [hubPolicy()] },
    sku: { name: 'S1', tier: 'Standard', capacity: 1 + int(3) },
  };
}

function latchShape(): Json {
  switch (int(9)) {
    case 0:
      return Array.from({ length: int(5) }, apiKey);
    case 1:
      return apiKey();
    case 2:
      return Array.from({ length: int(4) }, role);
    case 3:
      return { value: Array.from({ length: int(4) }, hubPolicy) };
    case 4:
      return hubPolicy();
    case 5:
      return { value: Array.from({ length: int(4) }, apiToken), ...(chance(0.3) ? { nextLink: 'https://x/next' } : {}) };
    case 6:
      return apiToken();
    case 7:
      return chance(0.5) ? { result: 'success' } : { value: Array.from({ length: int(3) }, armHub) };
    default:
      return armHub();
  }
}

// ---------------------------------------------------------------------------------------------- queries

const GENERIC_QUERIES = [
  '@',
  '[0]',
  '[-1]',
  '[1:3]',
  '[::-1]',
  '[::2]',
  '[-2:]',
  '[*]',
  '[]',
  '[][]',
  '*',
  'values(@)',
  'keys(@)',
  'length(@)',
  'type(@)',
  'to_string(@)',
  'to_array(@)',
  'not_null(missing, @)',
  'reverse(@)',
  '[0][0]',
  '*.*',
  'sort(keys(@))',
  'name',
  'id',
  'value',
  'value[0]',
  'value[]',
  'a.b',
  'a.b.c',
  '"a b"',
  '"n"',
  'length(keys(@))',
  'to_number(@)',
  '[].name',
  '[].id',
  '[?enabled].name',
  '[?!enabled]',
  '[?name]',
  "[?name=='x']",
  '[?count > `1`]',
  '[?count < `3`].count',
  '[].{n: name, id: id}',
  '[].{z: name, a: id, Id: id, type: type}',
  '[].[name, id]',
  '{k: keys(@), t: type(@)}',
  "[?type(@)=='string']",
  "[?type(@)=='object'] | [0]",
  'sort_by(@, &name)',
  'max_by(@, &count)',
  'min_by(@, &count)',
  'length([])',
  "join(', ', [].name)",
  "join('-', keys(@))",
  "to_number('12')",
  "to_number('0.5')",
  'to_number(count)',
  'merge(@, `{"z": 1}`)',
  'map(&name, @)',
  'map(&type(@), @)',
  'map(&length(@), @)',
  "[?contains(name, 'a')]",
  "[?starts_with(name, 'dev')]",
  'max(@)',
  'min(@)',
  'sum(@)',
  'avg(@)',
  'abs(@)',
  'ceil(@)',
  'floor(@)',
  'sort(@)',
  '{a: @}',
  '{a: @, b: length(@)}',
  '[@, @]',
  '`null`',
  '`"lit"`',
  '`[1, "two", null]`',
  '`{"b": 2, "a": 1}`',
  "'raw'",
  'not_null(`null`, missing)',
  '@ | [0]',
  '[0] | keys(@)',
  '*.name',
  '*[0]',
  'to_string(length(@))',
  'length(to_string(@))',
  '[?@ == `true`]',
  '[?@ != `null`]',
  '[? `true`]',
  "values(@)[?type(@) == 'number']",
  "ends_with(@, 'z')",
  'contains(@, `1`)',
  "contains(@, 'a')",
  "starts_with(@, 'a')",
  '@.""',
  '[].type(@)',
  'keys(@)[0]',
];

const LATCH_QUERIES = [
  '[].name',
  '[].{Name: name, Roles: roles}',
  '[].{Name: name, Enabled: enabled, Start: start}',
  '[?enabled].name',
  '[].{name: name, expires: expiresAt}',
  'sort_by(@, &name)[].name',
  'sort_by(@, &createdAt)[-1]',
  'length(@)',
  '[0].roles',
  '[].roles[] | sort(@)',
  'max_by(@, &createdAt).name',
  "join(', ', [].name)",
  '[?expiresAt == null].name',
  '[].[name, enabled, length(roles)]',
  '{names: [].name, count: length(@)}',
  'name',
  '{z: name, a: start, id: id}',
  "[].{Name: name, Permissions: join(' ', permissions)}",
  '[?builtIn].{Name: name, Scope: scope}',
  'sort_by(@, &scope)[].scope',
  'value[].keyName',
  'value[].{KeyName: keyName, Rights: rights}',
  "value[?keyName=='iothubowner'].primaryKey | [0]",
  "value[?contains(rights, 'ServiceConnect')].keyName",
  'value[0]',
  'value',
  'length(value)',
  'keyName',
  '{KeyName: keyName, Rights: rights}',
  'value[].{Name: id, Expiry: expiry}',
  'value[].id',
  'value[].roles[].role',
  "value[?id=='t1']",
  'value[].{id: id, roles: length(roles)}',
  'sort_by(value, &expiry)[-1].id',
  'value[].roles',
  'roles[0].role',
  '{id: id, expiry: expiry}',
  'value[].{name: name, location: location, sku: sku.name}',
  'value[].properties.authorizationPolicies[].keyName',
  'value[].tags',
  'properties',
  'sku',
  'tags',
  'value[].{Name: name, Tier: sku.tier, Capacity: sku.capacity}',
  'merge(sku, tags)',
  'merge(`{"b":1}`, {a: name})',
  '{etag: etag, type: type, Type: type}',
  'to_number(sku.capacity)',
  'value[].not_null(nextLink, name)',
  'nextLink',
  'result',
  'values(@)',
  'keys(@)',
  '*',
  'value[*].id',
];

const BAD_QUERIES = [
  '[',
  ']',
  'a.',
  'a..b',
  '[?',
  '{a}',
  '{a: }',
  'foo(',
  '`{bad json`',
  "'unclosed",
  '"unclosed',
  '`unclosed',
  'a ||',
  '',
  '!',
  '[?a==]',
  'a[',
  'a[1',
  '[1:2:3:4]',
  '@@',
  'a.(b)',
  '.a',
  'a b',
  '{}',
  '[,]',
  'length(',
  'sort_by(@, name',
  '|',
  '&&',
  'a.[',
  '"\\u12"',
  '[?a < ]',
  '**',
  '[0',
  'a.b.',
  'a.1',
  '[-]',
  '{"a": b}',
  "a.'b'",
  'foo(@)',
  'bar()',
  'abs(`"x"`)',
  "abs('x')",
  'length(`1`)',
  'length(@, @)',
  'sort(`[1, "a"]`)',
  'sum(`["a"]`)',
  'join(`1`, @)',
  "join(',', `[1, 2]`)",
  'not_null()',
  'merge()',
  'keys(`1`)',
  'values(`"s"`)',
  'avg(`["a"]`)',
  'max(`[{"a": 1}]`)',
  'min(`[true]`)',
  'sort_by(`[{"a": 1}, {"a": "b"}]`, &a)',
  'sort_by(`[{"a": [1]}]`, &a)',
  'max_by(`[{"a": true}]`, &a)',
  'min_by(`[{"a": 1}, {"a": "x"}]`, &a)',
  'map(`1`, @)',
  'map(&a, `1`)',
  'to_number(`[1]`)',
  "starts_with(`1`, 'a')",
  "ends_with('a', `1`)",
  'reverse(`1`)',
  "ceil('a')",
  'floor(`null`)',
  'contains(`1`, `1`)',
  'type()',
  'to_array()',
  'abs(`1`, `2`)',
  'keys(@)[?foo(@)]',
  'length(`{"a": 1}`, `2`)',
  '`"a"` < `1`',
  "'a' < `1`",
  '[?`"b"` > `2`]',
  'sort(`[{"a":1}]`)',
  'sum(`[1, "2"]`)',
  'abs(`{"k": "v"}`)',
  'length(`null`)',
  'max_by(`[{"a": 1}, {"a": "b"}]`, &a)',
  'join(\', \', `[["x"]]`)',
];

interface Case {
  id: string;
  input: Json;
  query?: string;
}

const cases: Case[] = [];
const add = (input: Json, query?: string) =>
  cases.push({ id: `c${String(cases.length + 1).padStart(4, '0')}`, input, ...(query === undefined ? {} : { query }) });

// 1. every tricky scalar alone, in an object (as key and value), and in a list.
for (const s of TRICKY_STRINGS) {
  add(s);
  add({ k: s, [s]: 'v' });
  add([s, { s }]);
}
for (const n of NUMBERS) add(chance(0.5) ? n : { n, list: [n] });
add(true);
add(false);
add([]);
add({});
add([[]]);
add([{}]);
add({ a: [], b: {} });
add([null]);
add({ a: null });
for (const k of KEYS) add({ [k]: pick(PLAIN_WORDS), zz: 1 });
// 2. random nested data without a query.
for (let i = 0; i < 260; i++) add(chance(0.5) ? object(3, 1 + int(6)) : list(2, 1 + int(5)));
// 3. Latch shapes without a query, and with the queries that fit them.
for (let i = 0; i < 140; i++) add(latchShape());
for (const q of LATCH_QUERIES) for (let i = 0; i < 5; i++) add(latchShape(), q);
// 4. generic queries over random data.
for (const q of GENERIC_QUERIES) for (let i = 0; i < 3; i++) add(chance(0.6) ? list(2, 1 + int(5)) : object(2, 1 + int(5)), q);
// 5. bad queries (syntax, unknown functions, wrong types).
for (const q of BAD_QUERIES) add(chance(0.5) ? latchShape() : object(1, 2), q);

for (const c of cases) process.stdout.write(`${JSON.stringify(c)}\n`);
