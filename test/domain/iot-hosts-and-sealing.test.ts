import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { resourceForHost } from '../../src/services/iot-sas.js';
import { policyKeyContext } from '../../src/services/iot-resources.js';
import { Envelope } from '../../src/crypto/envelope.js';

describe('host names of hubs and provisioning services', () => {
  const config = loadConfig({});
  it.each([
    ['myhub.azure-devices.net', { kind: 'hub', name: 'myhub' }],
    ['MyHub.Azure-Devices.NET:443', { kind: 'hub', name: 'myhub' }],
    ['mydps.azure-devices-provisioning.net', { kind: 'dps', name: 'mydps' }],
    ['a.b.azure-devices.net', undefined],
    ['azure-devices.net', undefined],
    ['localhost:8080', undefined],
  ])('%s → %o', (host, expected) => {
    expect(resourceForHost(config, host)).toEqual(expected);
  });

  it('follows LATCH_HUB_HOST_SUFFIX / LATCH_DPS_HOST_SUFFIX', () => {
    const c = loadConfig({ LATCH_HUB_HOST_SUFFIX: '.Hubs.Example.test', LATCH_DPS_HOST_SUFFIX: 'dps.example.test' });
    expect(c.hubHostSuffix).toBe('hubs.example.test');
    expect(resourceForHost(c, 'h1.hubs.example.test')).toEqual({ kind: 'hub', name: 'h1' });
    expect(resourceForHost(c, 'd1.dps.example.test')).toEqual({ kind: 'dps', name: 'd1' });
    expect(() => loadConfig({ LATCH_HUB_HOST_SUFFIX: 'bad suffix' })).toThrow(/LATCH_HUB_HOST_SUFFIX/);
  });
});

describe('sealed policy keys', () => {
  const env = new Envelope(randomBytes(32));
  const ctx = policyKeyContext('t1', 'r1', 'IotHubOwner', 'primary');
  it('open only in their own tenant, resource, policy and slot', () => {
    const sealed = env.seal('key-material', ctx);
    expect(env.open(sealed, policyKeyContext('t1', 'r1', 'iothubowner', 'primary'))).toBe('key-material');
    for (const other of [
      policyKeyContext('t2', 'r1', 'iothubowner', 'primary'),
      policyKeyContext('t1', 'r2', 'iothubowner', 'primary'),
      policyKeyContext('t1', 'r1', 'service', 'primary'),
      policyKeyContext('t1', 'r1', 'iothubowner', 'secondary'),
    ])
      expect(() => env.open(sealed, other)).toThrow();
  });
});
