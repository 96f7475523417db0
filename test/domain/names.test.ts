import { describe, expect, it } from 'vitest';
import { nameKey, sameLocation, sameName } from '../../src/domain/names.js';
import { findSku } from '../../src/domain/iot.js';
import { apiKeyClientId } from '../../src/domain/ids.js';
import { findBuiltInRole } from '../../src/domain/permissions.js';
import { findCentralBuiltInRole, findCentralSku } from '../../src/domain/central.js';

describe('nameKey / sameName (case-insensitive names)', () => {
  it('folds mixed case, and nothing else', () => {
    expect(nameKey('RegistryReadWrite')).toBe('registryreadwrite');
    expect(nameKey('My-Hub_01.x')).toBe('my-hub_01.x');
    expect(nameKey(' Padded ')).toBe(' padded ');
    expect(nameKey('')).toBe('');
  });

  it('folds Unicode the locale-independent way (no Turkish dotless i)', () => {
    expect(nameKey('ÉQUIPE')).toBe('équipe');
    expect(nameKey('I')).toBe('i');
    expect(nameKey('İ')).toBe('i̇'); // U+0130 → i + U+0307, as String.prototype.toLowerCase does
    expect(sameName('İ', 'i')).toBe(false);
  });

  it.each([
    ['iothubowner', 'IoTHubOwner', true],
    ['rg-One', 'RG-ONE', true],
    ['6F1C2E4A-0B1D-4C3E-8F5A-9D7B6A5C4E3F', '6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3f', true],
    ['service', 'service ', false],
    ['device', 'devices', false],
    ['a-b', 'a_b', false],
  ])('sameName(%j, %j) is %s', (a, b, same) => {
    expect(sameName(a, b)).toBe(same);
    expect(sameName(b, a)).toBe(same);
  });

  it('is the rule the domain lookups use', () => {
    expect(findSku('hub', 's1')).toBe('S1');
    expect(findSku('dps', 's2')).toBeUndefined();
    expect(findCentralSku('st2')).toBe('ST2');
    expect(apiKeyClientId('Acme', 'Ingest-Key')).toBe('acme->ingest-key');
    expect(findBuiltInRole('TENANT ADMIN')?.name).toBe('Tenant Admin');
    expect(findBuiltInRole('BUILTIN-OPERATOR')).toBeUndefined(); // ids are exact, names fold
    expect(findCentralBuiltInRole('CA310B8D-2F4A-44E0-A36E-957C202CD8D4')?.displayName).toBe('Administrator');
  });
});

describe('sameLocation (ARM locations)', () => {
  it.each([
    ['West US', 'westus', true],
    ['westus2', 'West US 2', true],
    ['South Central US', 'southcentralus', true],
    ['east\tus', 'EastUS', true],
    ['westus', 'westus2', false],
    ['west-us', 'westus', false],
  ])('sameLocation(%j, %j) is %s', (a, b, same) => expect(sameLocation(a, b)).toBe(same));
});
