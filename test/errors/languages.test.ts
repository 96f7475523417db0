import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../../src/errors/catalog.js';
import { catalogueOf, LANGUAGES, messageIn, placeholders } from '../../src/errors/messages.js';
import { errorLanguage } from '../../src/http/errors.js';
import { makeTestApp, type Req, type TestApp } from '../harness.js';

describe('the error catalogues', () => {
  const codes = Object.keys(ERRORS).sort();

  it.each(LANGUAGES)('%s has exactly the codes of catalog.ts', (lang) => {
    expect(Object.keys(catalogueOf(lang)).sort()).toEqual(codes);
  });

  it.each(codes as ErrorCode[])('%s has the same placeholders in every language', (code) => {
    const en = placeholders(ERRORS[code].message);
    for (const lang of LANGUAGES) expect(placeholders(catalogueOf(lang)[code]), lang).toEqual(en);
    expect(catalogueOf('zh-TW')[code]).not.toBe(catalogueOf('en')[code]);
  });

  it('fills the placeholders of the chosen language', () => {
    expect(messageIn('en', 'USER_NOT_FOUND', { id: 'u1' })).toBe('User u1 not found');
    expect(messageIn('zh-TW', 'USER_NOT_FOUND', { id: 'u1' })).toBe('找不到使用者 u1');
  });
});

describe('Accept-Language negotiation', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['zh-TW', 'zh-TW'],
    ['zh-tw', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['zh-Hant-TW', 'zh-TW'],
    ['zh-HK', 'zh-TW'],
    ['zh-MO', 'zh-TW'],
    ['zh', 'zh-TW'],
    ['zh-CN', 'en'],
    ['zh-Hans', 'en'],
    ['zh-CN, zh-TW;q=0.8, en;q=0.5', 'zh-TW'],
    ['en-US, zh-TW;q=0.9', 'en'],
    ['zh-TW;q=0.5, en;q=0.8', 'en'],
    ['en;q=0.5, zh-TW;q=0.9', 'zh-TW'],
    ['zh-TW;q=0, en', 'en'],
    ['zh-TW;q=0', 'en'],
    ['fr, de;q=0.9', 'en'],
    ['fr, zh-TW;q=0.1', 'zh-TW'],
    ['*', 'en'],
    ['zh-TW;q=abc', 'en'],
    ['zh-TW;q=1.5', 'en'],
    ['zh-TW, en', 'zh-TW'],
    ['en, zh-TW', 'en'],
  ])('%j answers %s', (header, lang) => {
    expect(errorLanguage(header)).toBe(lang);
  });
});

const ZH = { 'accept-language': 'zh-TW' };

describe.each(['sqlite', 'postgres'] as const)('error messages follow Accept-Language on every face (%s)', (dialect) => {
  let t: TestApp;
  let token: string;
  let tenant: string;
  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    token = await t.adminToken();
    tenant = (await t.createTenant()).id;
  });
  afterAll(() => t?.close());

  /** The same request in English (no header, and `en`) and in zh-TW: the code and status never change, the message does. */
  async function both(
    method: 'GET' | 'POST',
    url: string,
    r: Req,
    pick: (b: Record<string, unknown>) => { code: unknown; message: unknown },
  ) {
    const plain = await t.req(method, url, r);
    const en = await t.req(method, url, { ...r, headers: { ...r.headers, 'accept-language': 'en-US' } });
    const zh = await t.req(method, url, { ...r, headers: { ...r.headers, ...ZH } });
    expect(zh.statusCode).toBe(plain.statusCode);
    expect(en.statusCode).toBe(plain.statusCode);
    expect(pick(zh.json())).toMatchObject({ code: pick(plain.json()).code });
    expect(pick(en.json())).toEqual(pick(plain.json()));
    expect(plain.headers['content-language']).toBe('en');
    expect(zh.headers['content-language']).toBe('zh-TW');
    expect(String(zh.headers.vary)).toMatch(/Accept-Language/);
    return { status: plain.statusCode, en: pick(plain.json()), zh: pick(zh.json()) };
  }

  it('IAM: the EI envelope, same code, message from the zh-TW catalogue', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const r = await both('GET', `/iam/users/${id}`, { token, tenant }, (b) => ({ code: b.code, message: b.message }));
    expect(r.status).toBe(404);
    expect(r.en).toEqual({ code: 'USER_NOT_FOUND', message: `User ${id} not found` });
    expect(r.zh).toEqual({ code: 'USER_NOT_FOUND', message: `找不到使用者 ${id}` });
  });

  it('IAM: a schema violation keeps its English detail inside the translated frame', async () => {
    const r = await both('GET', '/iam/users/not-a-uuid', { token, tenant }, (b) => ({ code: b.code, message: b.message }));
    expect(r.status).toBe(400);
    expect(r.en.code).toBe('VALIDATION_FAILED');
    expect(r.zh.message).toBe(`請求無效：${String(r.en.message)}`);
  });

  it('EI northbound: a missing token', async () => {
    const r = await both('GET', '/nbapi/ei/v1/agents', {}, (b) => ({ code: b.code, message: b.message }));
    expect(r.en).toEqual({ code: 'AUTH_MISSING', message: 'Missing access token' });
    expect(r.zh).toEqual({ code: 'AUTH_MISSING', message: '缺少存取權杖' });
  });

  it('OAuth token endpoint: error_description is translated, error stays', async () => {
    const body = { username: t.admin.username, password: 'wrong-password-x' };
    const r = await both('POST', '/iam/auth/token', { body }, (b) => ({ code: b.error, message: b.error_description }));
    expect(r.en).toEqual({ code: 'invalid_grant', message: 'Invalid user credentials' });
    expect(r.zh).toEqual({ code: 'invalid_grant', message: '使用者認證無效' });
  });

  it('ARM: the ARM envelope, catalogue messages and its own AuthorizationFailed wording', async () => {
    const hub = `/subscriptions/${tenant}/resourceGroups/rg1/providers/Microsoft.Devices/IotHubs/no-such-hub?api-version=2023-06-30`;
    const pick = (b: Record<string, unknown>) => b.error as { code: unknown; message: unknown };
    const r = await both('GET', hub, { token }, pick);
    expect(r.status).toBe(404);
    expect(r.en.code).toBe('ResourceNotFound');
    expect(r.en.message).toBe("The Resource 'Microsoft.Devices/IotHubs/no-such-hub' under resource group 'rg1' was not found.");
    expect(r.zh.message).toBe("找不到資源群組 'rg1' 下的資源 'Microsoft.Devices/IotHubs/no-such-hub'。");
    const missing = await both('GET', hub, {}, pick);
    expect(missing.en).toEqual({ code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." });
    expect(missing.zh).toEqual({ code: 'AuthenticationFailed', message: "驗證失敗。缺少 'Authorization' 標頭。" });
  });

  it('Central data plane: the Central envelope', async () => {
    const pick = (b: Record<string, unknown>) => {
      const e = b.error as { code: unknown; message: unknown };
      return { code: e.code, message: e.message };
    };
    const r = await both('GET', '/central/no-such-app/api/apiTokens?api-version=2022-07-31', { token }, pick);
    expect(r.status).toBe(404);
    expect(r.en).toEqual({ code: 'NotFound', message: "The application 'no-such-app' was not found." });
    expect(r.zh).toEqual({ code: 'NotFound', message: "找不到應用程式 'no-such-app'。" });
  });

  it('hub data plane: the IoT Hub envelope', async () => {
    const r = await both(
      'GET',
      '/$latch/sas/whoami',
      { headers: { authorization: 'SharedAccessSignature sr=x&sig=y&se=1&skn=z' } },
      (b) => ({
        code: String(b.Message).split(';')[0],
        message: String(b.Message).split(';').slice(1).join(';'),
      }),
    );
    expect(r.status).toBe(401);
    expect(r.en).toEqual({ code: 'ErrorCode:IotHubUnauthorizedAccess', message: 'Unauthorized' });
    expect(r.zh).toEqual({ code: 'ErrorCode:IotHubUnauthorizedAccess', message: '未經授權' });
  });
});
