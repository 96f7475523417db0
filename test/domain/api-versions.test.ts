import { describe, expect, it } from 'vitest';
import { checkApiVersion } from '../../src/domain/api-versions.js';
import { CENTRAL_API_VERSIONS, CENTRAL_ARM_API_VERSIONS } from '../../src/domain/central.js';
import { DPS_API_VERSIONS, HUB_API_VERSIONS } from '../../src/http/faces/arm/index.js';

describe('checkApiVersion (ARM and IoT Central, each with its own list)', () => {
  it('keeps the exact lists each face serves', () => {
    expect(HUB_API_VERSIONS).toEqual(['2018-04-01', '2023-06-30']);
    expect(DPS_API_VERSIONS).toEqual(['2018-01-22', '2022-02-05']);
    expect(CENTRAL_ARM_API_VERSIONS).toEqual(['2018-09-01', '2021-06-01', '2021-11-01-preview']);
    expect(CENTRAL_API_VERSIONS).toEqual([
      '2022-07-31',
      '2022-05-31',
      '2022-06-30-preview',
      '2022-10-31-preview',
      '2023-07-01-preview',
      '1.0',
      '1.1-preview',
      '1.2-preview',
    ]);
  });

  it.each([
    ...HUB_API_VERSIONS.map((v) => [v, HUB_API_VERSIONS] as const),
    ...DPS_API_VERSIONS.map((v) => [v, DPS_API_VERSIONS] as const),
    ...CENTRAL_ARM_API_VERSIONS.map((v) => [v, CENTRAL_ARM_API_VERSIONS] as const),
    ...CENTRAL_API_VERSIONS.map((v) => [v, CENTRAL_API_VERSIONS] as const),
  ])('accepts %s from its own list', (v, list) => {
    expect(checkApiVersion(v, list)).toEqual({ ok: true, version: v });
  });

  it('refuses another face’s version, a different case, padding and near misses, naming what was given', () => {
    for (const v of ['2022-07-31', '2018-04-01 ', ' 2018-04-01', '2018-4-1', '2018-04-01-preview', '2023-06-30x'])
      expect(checkApiVersion(v, HUB_API_VERSIONS)).toEqual({ ok: false, missing: false, version: v });
    expect(checkApiVersion('1.1-PREVIEW', CENTRAL_API_VERSIONS)).toEqual({ ok: false, missing: false, version: '1.1-PREVIEW' });
    expect(checkApiVersion('2018-04-01', DPS_API_VERSIONS)).toEqual({ ok: false, missing: false, version: '2018-04-01' });
  });

  it('answers missing for absent, empty and non-string values', () => {
    for (const raw of [undefined, null, '', 20180401, {}, [], [undefined], ['']])
      expect(checkApiVersion(raw, HUB_API_VERSIONS)).toEqual({ ok: false, missing: true, version: '' });
  });

  it('reads only the first of a repeated parameter', () => {
    expect(checkApiVersion(['2018-04-01', 'bogus'], HUB_API_VERSIONS)).toEqual({ ok: true, version: '2018-04-01' });
    expect(checkApiVersion(['bogus', '2018-04-01'], HUB_API_VERSIONS)).toEqual({ ok: false, missing: false, version: 'bogus' });
  });
});
