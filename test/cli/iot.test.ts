// `latch iot hub …` / `latch iot dps …` against a real server (plain http, SQLite in a temp dir).
// listkeys pages hold 2 policies here, so every policy listing follows nextLink. SAS tokens the
// CLI prints are checked by the server itself through the data-plane probe GET /$latch/sas/whoami.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSas, signSas } from '../../src/domain/sas.js';
import { tlsTrustHint } from '../../src/cli/commands/serve.js';
import { Cli, startCliServer, type CliServer } from './helpers.js';

let srv: CliServer;
let admin: Cli;
const clis: Cli[] = [];
const newCli = () => {
  const c = new Cli();
  clis.push(c);
  return c;
};

interface Rule {
  keyName: string;
  primaryKey: string;
  secondaryKey: string;
  rights: string;
}
interface Resource {
  id: string;
  name: string;
  etag: string;
  location: string;
  resourcegroup: string;
  tags: Record<string, string>;
  sku: { name: string; capacity: number };
  properties: { hostName?: string; serviceOperationsHostName?: string };
}

const HUB = 'clihub1';
const RG = 'cli-rg';
const HOST = `${HUB}.azure-devices.net`;

beforeAll(async () => {
  srv = await startCliServer({ env: { LATCH_ARM_PAGE_SIZE: '2' } });
  admin = newCli();
  await admin.login(srv.url);
  await admin.ok(['iot', 'hub', 'create', '-n', HUB, '-g', RG]);
});

afterAll(async () => {
  await srv?.close();
  for (const c of clis) c.cleanup();
});

/** GET /$latch/sas/whoami on the server with Host = the hub/DPS host name. */
function whoami(host: string, sas: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: '/$latch/sas/whoami', headers: { host, authorization: sas } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const policies = (cli: Cli, ...argv: string[]) => cli.json<Rule[]>(['iot', 'hub', 'policy', 'list', '--hub-name', HUB, ...argv]);
const policy = (name: string) => admin.json<Rule>(['iot', 'hub', 'policy', 'show', '--hub-name', HUB, '-n', name]);
const sas = async (...argv: string[]) => (await admin.json<{ sas: string }>(['iot', 'hub', 'generate-sas-token', '-n', HUB, ...argv])).sas;

describe('iot hub create / show / list / delete', () => {
  it('create sends location/sku/tags with api-version 2023-06-30 and prints the hub; defaults westus and S1', async () => {
    const r = await admin.run(['iot', 'hub', 'create', '-n', 'clihub-tags', '-g', RG, '--tags', 'env=ci', 'team=iot', '--debug']);
    expect(r.code).toBe(0);
    const hub = JSON.parse(r.stdout) as Resource;
    expect(hub).toMatchObject({
      name: 'clihub-tags',
      location: 'westus',
      resourcegroup: RG,
      tags: { env: 'ci', team: 'iot' },
      sku: { name: 'S1', capacity: 1 },
    });
    expect(hub.properties.hostName).toBe('clihub-tags.azure-devices.net');
    const tenant = admin.profile().tenantId as string;
    expect(r.stderr).toContain(
      `Request URL: '${srv.url}/subscriptions/${tenant}/resourceGroups/${RG}/providers/Microsoft.Devices/IotHubs/clihub-tags?api-version=2023-06-30'`,
    );
    expect(r.stderr).toContain("Request method: 'PUT'");
    expect(r.stderr).not.toMatch(/Bearer|eyJ/);

    const other = await admin.json<Resource>([
      'iot',
      'hub',
      'create',
      '-n',
      'clihub-eu',
      '-g',
      'rg-eu',
      '-l',
      'westeurope',
      '--sku',
      'B1',
      '--unit',
      '2',
    ]);
    expect(other).toMatchObject({ location: 'westeurope', sku: { name: 'B1', capacity: 2 } });
  });

  it('create of an existing name fails (exit 1); a bad --sku is a usage error (exit 2)', async () => {
    expect(await admin.run(['iot', 'hub', 'create', '-n', HUB, '-g', RG])).toEqual({
      code: 1,
      stdout: '',
      stderr: `ERROR: IotHub name '${HUB}' is not available\n`,
    });
    const r = await admin.run(['iot', 'hub', 'create', '-n', 'x1', '-g', RG, '--sku', 'S9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^ERROR: latch iot hub create: 'S9' is not a valid value for '--sku'\. Allowed values: F1, B1, B2, B3, S1, S2, S3\./,
    );
  });

  it('show with or without -g (found by name in the subscription), list per subscription and per resource group', async () => {
    const a = await admin.json<Resource>(['iot', 'hub', 'show', '-n', HUB, '-g', RG]);
    const b = await admin.json<Resource>(['iot', 'hub', 'show', '-n', HUB.toUpperCase()]);
    expect(b).toEqual(a);
    const all = await admin.json<string[]>(['iot', 'hub', 'list', '--query', '[].name']);
    expect(all).toEqual(expect.arrayContaining([HUB, 'clihub-tags', 'clihub-eu']));
    expect(await admin.json<string[]>(['iot', 'hub', 'list', '-g', 'rg-eu', '--query', '[].name'])).toEqual(['clihub-eu']);
    expect(await admin.json<string[]>(['iot', 'hub', 'list', '-g', 'rg-empty'])).toEqual([]);
  });

  it('an unknown hub exits 3: by name in the subscription, and ResourceNotFound in a resource group', async () => {
    expect(await admin.run(['iot', 'hub', 'show', '-n', 'nohub'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ERROR: No IoT Hub found with name nohub in current subscription.\n',
    });
    const r = await admin.run(['iot', 'hub', 'show', '-n', 'nohub', '-g', RG]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ERROR: \(ResourceNotFound\) /);
    for (const argv of [
      ['policy', 'list', '--hub-name', 'nohub'],
      ['policy', 'show', '--hub-name', 'nohub', '-n', 'x'],
      ['connection-string', 'show', '-n', 'nohub'],
      ['generate-sas-token', '-n', 'nohub'],
      ['delete', '-n', 'nohub'],
    ]) {
      expect((await admin.run(['iot', 'hub', ...argv])).code, argv.join(' ')).toBe(3);
    }
  });

  it('delete without -g finds the resource group; the hub is gone and a second delete exits 3', async () => {
    expect(await admin.run(['iot', 'hub', 'delete', '-n', 'clihub-eu'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await admin.run(['iot', 'hub', 'show', '-n', 'clihub-eu'])).code).toBe(3);
    const again = await admin.run(['iot', 'hub', 'delete', '-n', 'clihub-eu', '-g', 'rg-eu']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^ERROR: \(ResourceNotFound\) /);
  });
});

describe('iot hub policy', () => {
  it('list shows the default policies with keys, following nextLink across pages', async () => {
    const r = await admin.run(['iot', 'hub', 'policy', 'list', '-n', HUB, '--debug']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Rule[];
    expect(list.map((p) => [p.keyName, p.rights])).toEqual([
      ['iothubowner', 'RegistryWrite, ServiceConnect, DeviceConnect'],
      ['service', 'ServiceConnect'],
      ['device', 'DeviceConnect'],
      ['registryRead', 'RegistryRead'],
      ['registryReadWrite', 'RegistryWrite'],
    ]);
    for (const p of list) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(['keyName', 'primaryKey', 'rights', 'secondaryKey']));
      expect(Buffer.from(p.primaryKey, 'base64')).toHaveLength(32);
    }
    expect(r.stderr.match(/Following nextLink/g)).toHaveLength(2);
    expect(r.stderr).toContain(`/IotHubs/${HUB}/listkeys?api-version=2023-06-30'`);
  });

  it('create: GET + listkeys + PUT with If-Match; prints the new policy with its keys; other keys unchanged', async () => {
    const before = await policies(admin);
    const hub = await admin.json<Resource>(['iot', 'hub', 'show', '-n', HUB]);
    const r = await admin.run([
      'iot',
      'hub',
      'policy',
      'create',
      '--hub-name',
      HUB,
      '-n',
      'cli-p1',
      '--permissions',
      'serviceconnect',
      'RegistryWrite',
      'ServiceConnect',
      '--debug',
    ]);
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout) as Rule;
    expect(created).toMatchObject({ keyName: 'cli-p1', rights: 'RegistryWrite, ServiceConnect' });
    expect(Buffer.from(created.secondaryKey, 'base64')).toHaveLength(32);
    expect(r.stderr).toContain("Request method: 'PUT'");
    expect(r.stderr).toContain(`"if-match":"${hub.etag}"`);
    const after = await policies(admin);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]).toEqual(created);
    expect(await policy('cli-p1')).toEqual(created);
    // comma-separated works too
    const c2 = await admin.json<Rule>([
      'iot',
      'hub',
      'policy',
      'create',
      '--hub-name',
      HUB,
      '-n',
      'cli-p2',
      '--permissions',
      'DeviceConnect,RegistryRead',
    ]);
    expect(c2.rights).toBe('RegistryRead, DeviceConnect');
  });

  it('create of an existing policy fails (exit 1); a bad permission is a usage error (exit 2) and nothing is sent', async () => {
    expect(await admin.run(['iot', 'hub', 'policy', 'create', '--hub-name', HUB, '-n', 'CLI-P1', '--permissions', 'RegistryRead'])).toEqual(
      { code: 1, stdout: '', stderr: 'ERROR: Policy CLI-P1 already existed.\n' },
    );
    expect(
      await admin.run([
        'iot',
        'hub',
        'policy',
        'create',
        '--hub-name',
        HUB,
        '-n',
        'cli-bad',
        '--permissions',
        'RegistryWrite',
        'ServiceConfig',
      ]),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "ERROR: argument --permissions: invalid value 'ServiceConfig': allowed values: RegistryRead, RegistryWrite, ServiceConnect, DeviceConnect\n",
    });
    expect((await admin.run(['iot', 'hub', 'policy', 'create', '--hub-name', HUB, '-n', 'cli-bad'])).stderr).toBe(
      'ERROR: the following arguments are required: --permissions\n',
    );
    expect((await policies(admin)).map((p) => p.keyName)).not.toContain('cli-bad');
  });

  it('renew-key primary / secondary / swap change exactly those keys on the server', async () => {
    const all0 = await policies(admin);
    const p0 = all0.find((p) => p.keyName === 'cli-p1')!;
    const others = (list: Rule[]) => list.filter((p) => p.keyName !== 'cli-p1');

    const p1 = await admin.json<Rule>(['iot', 'hub', 'policy', 'renew-key', '--hub-name', HUB, '-n', 'cli-p1', '--renew-key', 'primary']);
    expect(p1.primaryKey).not.toBe(p0.primaryKey);
    expect(Buffer.from(p1.primaryKey, 'base64')).toHaveLength(32);
    expect(p1.secondaryKey).toBe(p0.secondaryKey);
    expect(p1.rights).toBe(p0.rights);
    expect(await policy('cli-p1')).toEqual(p1);

    const p2 = await admin.json<Rule>([
      'iot',
      'hub',
      'policy',
      'renew-key',
      '--hub-name',
      HUB,
      '-n',
      'cli-p1',
      '--rk',
      'secondary',
      '-g',
      RG,
    ]);
    expect(p2.primaryKey).toBe(p1.primaryKey);
    expect(p2.secondaryKey).not.toBe(p1.secondaryKey);
    expect(await policy('cli-p1')).toEqual(p2);

    const p3 = await admin.json<Rule>(['iot', 'hub', 'policy', 'renew-key', '--hub-name', HUB, '-n', 'cli-p1', '--rk', 'swap']);
    expect([p3.primaryKey, p3.secondaryKey]).toEqual([p2.secondaryKey, p2.primaryKey]);
    const all3 = await policies(admin);
    expect(all3.find((p) => p.keyName === 'cli-p1')).toEqual(p3);
    expect(others(all3)).toEqual(others(all0));
  });

  it('renew-key validates --renew-key (exit 2); an unknown policy exits 3', async () => {
    const r = await admin.run(['iot', 'hub', 'policy', 'renew-key', '--hub-name', HUB, '-n', 'cli-p1', '--rk', 'both']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "ERROR: latch iot hub policy renew-key: 'both' is not a valid value for '--renew-key'. Allowed values: primary, secondary, swap.\n",
    );
    expect(await admin.run(['iot', 'hub', 'policy', 'renew-key', '--hub-name', HUB, '-n', 'nope', '--rk', 'swap'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ERROR: Policy nope not found.\n',
    });
  });

  it('show of an unknown policy exits 3 with KeyNameNotFound; delete removes it; deleting again exits 3', async () => {
    const s = await admin.run(['iot', 'hub', 'policy', 'show', '--hub-name', HUB, '-n', 'nope']);
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(/^ERROR: \(KeyNameNotFound\) /);
    const before = await policies(admin);
    expect(await admin.run(['iot', 'hub', 'policy', 'delete', '--hub-name', HUB, '-n', 'cli-p2'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await policies(admin)).toEqual(before.filter((p) => p.keyName !== 'cli-p2'));
    expect(await admin.run(['iot', 'hub', 'policy', 'delete', '--hub-name', HUB, '-n', 'cli-p2'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ERROR: Policy cli-p2 not found.\n',
    });
  });

  it('a user with IoT Reader may see the hub but not list its keys: AuthorizationFailed, exit 1', async () => {
    await admin.ok(['iam', 'user', 'create', '--username', 'iot-reader', '-p', 'reader-password-1', '-r', 'IoT Reader']);
    const reader = newCli();
    await reader.login(srv.url, 'iot-reader', 'reader-password-1');
    expect((await reader.json<Resource>(['iot', 'hub', 'show', '-n', HUB])).name).toBe(HUB);
    for (const argv of [
      ['policy', 'list', '--hub-name', HUB],
      ['policy', 'list', '--hub-name', HUB, '-g', RG],
      ['connection-string', 'show', '-n', HUB],
      ['generate-sas-token', '-n', HUB],
    ]) {
      const r = await reader.run(['iot', 'hub', ...argv]);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^ERROR: \(AuthorizationFailed\) The client 'iot-reader' with object id '[^']+' does not have authorization to perform action 'Microsoft\.Devices\/IotHubs\/listkeys\/action'/,
      );
    }
    const w = await reader.run(['iot', 'hub', 'policy', 'create', '--hub-name', HUB, '-n', 'x', '--permissions', 'RegistryRead']);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/^ERROR: \(AuthorizationFailed\) /);
  });
});

describe('iot hub connection-string show and generate-sas-token', () => {
  it('connection-string show: iothubowner primary by default, --pn / --kt select the policy and key', async () => {
    const owner = await policy('iothubowner');
    expect(await admin.json(['iot', 'hub', 'connection-string', 'show', '-n', HUB])).toEqual({
      connectionString: `HostName=${HOST};SharedAccessKeyName=iothubowner;SharedAccessKey=${owner.primaryKey}`,
    });
    const service = await policy('service');
    expect(
      await admin.json(['iot', 'hub', 'connection-string', 'show', '--hub-name', HUB, '--pn', 'service', '--kt', 'secondary', '-g', RG]),
    ).toEqual({
      connectionString: `HostName=${HOST};SharedAccessKeyName=service;SharedAccessKey=${service.secondaryKey}`,
    });
    expect((await admin.run(['iot', 'hub', 'connection-string', 'show', '-n', HUB, '--pn', 'nope'])).code).toBe(3);
  });

  it('a hub token is az-shaped and verified by the server with the policy rights', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const token = await sas();
    expect(token).toMatch(new RegExp(`^SharedAccessSignature sr=${HUB}\\.azure-devices\\.net&sig=[^&]+&se=\\d+&skn=iothubowner$`));
    const p = parseSas(token);
    expect(p.ok && p.se >= t0 + 3600 && p.se <= Math.floor(Date.now() / 1000) + 3600).toBe(true);
    const me = await whoami(HOST, token);
    expect(me).toEqual({
      status: 200,
      body: {
        hub: HUB,
        hostName: HOST,
        keyName: 'iothubowner',
        rights: 'RegistryWrite, ServiceConnect, DeviceConnect',
        effectiveRights: expect.arrayContaining(['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect']),
      },
    });

    const svc = await sas('--pn', 'service', '--kt', 'secondary', '--du', '60');
    const ps = parseSas(svc);
    expect(ps.ok && ps.se <= Math.floor(Date.now() / 1000) + 60).toBe(true);
    expect((await whoami(HOST, svc)).body).toMatchObject({
      keyName: 'service',
      rights: 'ServiceConnect',
      effectiveRights: ['ServiceConnect'],
    });
    // the same token presented to another hub is not accepted
    expect((await whoami('clihub-tags.azure-devices.net', svc)).status).toBe(401);
  });

  it('the token is signed with the selected key: renewing that key on the server revokes it', async () => {
    await admin.ok(['iot', 'hub', 'policy', 'create', '--hub-name', HUB, '-n', 'cli-sas', '--permissions', 'RegistryRead']);
    const primary = await sas('--pn', 'cli-sas');
    const secondary = await sas('--pn', 'cli-sas', '--key-type', 'secondary');
    expect((await whoami(HOST, primary)).body).toMatchObject({ keyName: 'cli-sas', rights: 'RegistryRead' });
    await admin.ok(['iot', 'hub', 'policy', 'renew-key', '--hub-name', HUB, '-n', 'cli-sas', '--rk', 'primary']);
    expect((await whoami(HOST, primary)).status).toBe(401);
    expect((await whoami(HOST, secondary)).status).toBe(200);
    await admin.ok(['iot', 'hub', 'policy', 'delete', '--hub-name', HUB, '-n', 'cli-sas']);
    expect((await whoami(HOST, secondary)).status).toBe(401);
  });

  it('a device token: sr = {hostName}/devices/{id} encoded as the device SDK does; valid for the device only', async () => {
    const token = await sas('-d', 'dev (1)', '--pn', 'device');
    const p = parseSas(token);
    expect(p.ok && p.sr).toBe(`${HUB}.azure-devices.net%2Fdevices%2Fdev%20%281%29`);
    expect(token).toMatch(/&skn=device$/);
    const device = await policy('device');
    expect(token).toBe(
      signSas({ resourceUri: p.ok ? p.sr : '', key: device.primaryKey, keyName: 'device', expiry: p.ok ? p.se : 0 }).replace(
        /&skn=device&se=(\d+)$/,
        '&se=$1&skn=device',
      ),
    );
    // hub-wide probe: the device-scoped token does not cover the hub
    expect((await whoami(HOST, token)).status).toBe(401);
    const v = await srv.server.services.iotSas.verify(token, HOST, `${HOST}/devices/dev (1)`);
    expect(v).toMatchObject({ ok: true, keyName: 'device', rights: 'DeviceConnect' });
    expect((await srv.server.services.iotSas.verify(token, HOST, `${HOST}/devices/dev2`)).ok).toBe(false);
    const mod = parseSas(await sas('-d', 'd1', '-m', 'm1'));
    expect(mod.ok && mod.resource).toBe(`${HOST}/devices/d1/modules/m1`);
  });

  it('validates --duration, --key-type and --module-id without --device-id', async () => {
    for (const du of ['0', '-5', 'abc', '1.5']) {
      const r = await admin.run(['iot', 'hub', 'generate-sas-token', '-n', HUB, '--du', du]);
      expect(r.code, du).toBe(2);
      expect(r.stderr, du).toMatch(/^ERROR: argument --duration\/--du: /);
    }
    expect((await admin.run(['iot', 'hub', 'generate-sas-token', '-n', HUB, '--kt', 'tertiary'])).code).toBe(2);
    expect(await admin.run(['iot', 'hub', 'generate-sas-token', '-n', HUB, '-m', 'm1'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: usage error: --module-id requires --device-id\n',
    });
  });
});

describe('iot dps', () => {
  const DPS = 'clidps1';
  const DHOST = `${DPS}.azure-devices-provisioning.net`;
  const dpsPolicies = () => admin.json<Rule[]>(['iot', 'dps', 'policy', 'list', '--dps-name', DPS]);

  it('create / show / list / delete with api-version 2022-02-05', async () => {
    const r = await admin.run(['iot', 'dps', 'create', '-n', DPS, '-g', RG, '--tags', 'a=b', '--debug']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: DPS,
      location: 'westus',
      sku: { name: 'S1' },
      tags: { a: 'b' },
      properties: { serviceOperationsHostName: DHOST },
    });
    expect(r.stderr).toContain(`/provisioningServices/${DPS}?api-version=2022-02-05'`);
    expect((await admin.json<Resource>(['iot', 'dps', 'show', '-n', DPS])).resourcegroup).toBe(RG);
    expect(await admin.json(['iot', 'dps', 'list', '-g', RG, '--query', '[].name'])).toEqual([DPS]);
    expect(await admin.run(['iot', 'dps', 'show', '-n', 'nodps'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ERROR: No IoT Provisioning Service found with name nodps in current subscription.\n',
    });
    await admin.ok(['iot', 'dps', 'create', '-n', 'clidps-tmp', '-g', RG]);
    expect(await admin.run(['iot', 'dps', 'delete', '-n', 'clidps-tmp'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await admin.run(['iot', 'dps', 'delete', '-n', 'clidps-tmp', '-g', RG])).code).toBe(3);
  });

  it('policy list / create / show / renew-key / delete use the DPS paths (keys/{keyName}/listkeys)', async () => {
    expect((await dpsPolicies()).map((p) => [p.keyName, p.rights])).toEqual([
      ['provisioningserviceowner', 'ServiceConfig, DeviceConnect, EnrollmentWrite'],
    ]);
    const created = await admin.json<Rule>([
      'iot',
      'dps',
      'policy',
      'create',
      '--dps-name',
      DPS,
      '--pn',
      'enroll',
      '--rights',
      'EnrollmentWrite',
      'enrollmentread',
    ]);
    expect(created).toMatchObject({ keyName: 'enroll', rights: 'EnrollmentRead, EnrollmentWrite' });
    const r = await admin.run(['iot', 'dps', 'policy', 'show', '--dps-name', DPS, '-n', 'enroll', '--debug']);
    expect(JSON.parse(r.stdout)).toEqual(created);
    expect(r.stderr).toContain(`/provisioningServices/${DPS}/keys/enroll/listkeys?api-version=2022-02-05'`);

    const swapped = await admin.json<Rule>(['iot', 'dps', 'policy', 'renew-key', '--dps-name', DPS, '-n', 'enroll', '--rk', 'swap']);
    expect([swapped.primaryKey, swapped.secondaryKey]).toEqual([created.secondaryKey, created.primaryKey]);
    const renewed = await admin.json<Rule>(['iot', 'dps', 'policy', 'renew-key', '--dps-name', DPS, '-n', 'enroll', '--rk', 'secondary']);
    expect(renewed.primaryKey).toBe(swapped.primaryKey);
    expect(renewed.secondaryKey).not.toBe(swapped.secondaryKey);
    expect((await dpsPolicies()).find((p) => p.keyName === 'enroll')).toEqual(renewed);

    const bad = await admin.run(['iot', 'dps', 'policy', 'create', '--dps-name', DPS, '-n', 'x', '--permissions', 'RegistryWrite']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^ERROR: argument --permissions\/--rights\/-r: invalid value 'RegistryWrite': allowed values: ServiceConfig, DeviceConnect, EnrollmentRead, EnrollmentWrite, RegistrationStatusRead, RegistrationStatusWrite\n$/,
    );

    expect(await admin.run(['iot', 'dps', 'policy', 'delete', '--dps-name', DPS, '-n', 'enroll'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect((await dpsPolicies()).map((p) => p.keyName)).toEqual(['provisioningserviceowner']);
    expect((await admin.run(['iot', 'dps', 'policy', 'delete', '--dps-name', DPS, '-n', 'enroll'])).code).toBe(3);
    expect((await admin.run(['iot', 'dps', 'policy', 'show', '--dps-name', DPS, '-n', 'enroll'])).stderr).toMatch(
      /^ERROR: \(KeyNameNotFound\) /,
    );
  });

  it('connection-string show: provisioningserviceowner by default; its key authenticates at the DPS', async () => {
    const owner = (await dpsPolicies())[0]!;
    const cs = await admin.json<{ connectionString: string }>(['iot', 'dps', 'connection-string', 'show', '-n', DPS]);
    expect(cs).toEqual({
      connectionString: `HostName=${DHOST};SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=${owner.primaryKey}`,
    });
    const sec = await admin.json<{ connectionString: string }>([
      'iot',
      'dps',
      'connection-string',
      'show',
      '--dps-name',
      DPS,
      '--kt',
      'secondary',
    ]);
    const key = sec.connectionString.split('SharedAccessKey=')[1]!;
    expect(key).toBe(owner.secondaryKey);
    const token = signSas({ resourceUri: DHOST, key, keyName: 'provisioningserviceowner', expiry: Math.floor(Date.now() / 1000) + 600 });
    expect((await whoami(DHOST, token)).body).toMatchObject({ provisioningService: DPS, keyName: 'provisioningserviceowner' });
  });

  it('a user with IoT Reader gets AuthorizationFailed on dps policy list (exit 1)', async () => {
    const reader = newCli();
    await reader.login(srv.url, 'iot-reader', 'reader-password-1');
    const r = await reader.run(['iot', 'dps', 'policy', 'list', '--dps-name', DPS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: \(AuthorizationFailed\) .*'Microsoft\.Devices\/provisioningServices\/listkeys\/action'/);
  });
});

describe('latch serve TLS hint', () => {
  it('one line naming the generated CA for NODE_EXTRA_CA_CERTS; nothing without a generated CA', () => {
    expect(tlsTrustHint({ caFile: '/data/tls/ca.pem' })).toBe(
      'TLS: certificate signed by the Latch CA /data/tls/ca.pem; let Node clients trust it with NODE_EXTRA_CA_CERTS=/data/tls/ca.pem',
    );
    expect(tlsTrustHint({})).toBeUndefined();
    expect(tlsTrustHint(null)).toBeUndefined();
  });
});
