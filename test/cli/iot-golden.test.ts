// Golden outputs of `latch iot hub|dps policy …` in every --output format. Keys are random, so the
// goldens either select stable fields with --query (keyName, rights) or replace each key by a
// same-length placeholder after rendering (table widths stay real). Server on a fixed clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../harness.js';
import { Cli, startCliServer, type CliServer } from './helpers.js';

let srv: CliServer;
let cli: Cli;

const P = `${'P'.repeat(43)}=`;
const S = `${'S'.repeat(43)}=`;
const K = `${'K'.repeat(43)}=`;
const ANY_KEY = /[A-Za-z0-9+/]{43}=/g;
const Q_LIST = '[].{keyName:keyName, rights:rights}';
const Q_RULE = '{keyName:keyName, primaryKey:primaryKey, rights:rights, secondaryKey:secondaryKey}';

let golden: { primaryKey: string; secondaryKey: string };

async function out(argv: string[]): Promise<string> {
  const r = await cli.run(argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}
const hubList = (o: string) => out(['iot', 'hub', 'policy', 'list', '--hub-name', 'goldhub', '--query', Q_LIST, '-o', o]);
const hubShow = async (o: string) =>
  (await out(['iot', 'hub', 'policy', 'show', '--hub-name', 'goldhub', '-n', 'golden-p', '--query', Q_RULE, '-o', o]))
    .split(golden.primaryKey)
    .join(P)
    .split(golden.secondaryKey)
    .join(S);

beforeAll(async () => {
  srv = await startCliServer({ clock: new TestClock(Date.UTC(2030, 0, 1)), env: { LATCH_ARM_PAGE_SIZE: '4' } });
  cli = new Cli();
  await cli.login(srv.url);
  await cli.ok(['iot', 'hub', 'create', '-n', 'goldhub', '-g', 'gold-rg']);
  golden = await cli.json([
    'iot',
    'hub',
    'policy',
    'create',
    '--hub-name',
    'goldhub',
    '-n',
    'golden-p',
    '--permissions',
    'DeviceConnect',
    'RegistryRead',
  ]);
  await cli.ok(['iot', 'dps', 'create', '-n', 'golddps', '-g', 'gold-rg']);
  await cli.ok([
    'iot',
    'dps',
    'policy',
    'create',
    '--dps-name',
    'golddps',
    '-n',
    'enrollment-reader',
    '--permissions',
    'EnrollmentRead,RegistrationStatusRead',
  ]);
});

afterAll(async () => {
  await srv?.close();
  cli?.cleanup();
});

const LIST_JSON = `[
  {
    "keyName": "iothubowner",
    "rights": "RegistryWrite, ServiceConnect, DeviceConnect"
  },
  {
    "keyName": "service",
    "rights": "ServiceConnect"
  },
  {
    "keyName": "device",
    "rights": "DeviceConnect"
  },
  {
    "keyName": "registryRead",
    "rights": "RegistryRead"
  },
  {
    "keyName": "registryReadWrite",
    "rights": "RegistryWrite"
  },
  {
    "keyName": "golden-p",
    "rights": "RegistryRead, DeviceConnect"
  }
]
`;

const LIST_YAML = `- keyName: iothubowner
  rights: RegistryWrite, ServiceConnect, DeviceConnect
- keyName: service
  rights: ServiceConnect
- keyName: device
  rights: DeviceConnect
- keyName: registryRead
  rights: RegistryRead
- keyName: registryReadWrite
  rights: RegistryWrite
- keyName: golden-p
  rights: RegistryRead, DeviceConnect
`;

const LIST_TABLE = `KeyName            Rights
-----------------  --------------------------------------------
iothubowner        RegistryWrite, ServiceConnect, DeviceConnect
service            ServiceConnect
device             DeviceConnect
registryRead       RegistryRead
registryReadWrite  RegistryWrite
golden-p           RegistryRead, DeviceConnect
`;

const LIST_TSV = `iothubowner\tRegistryWrite, ServiceConnect, DeviceConnect
service\tServiceConnect
device\tDeviceConnect
registryRead\tRegistryRead
registryReadWrite\tRegistryWrite
golden-p\tRegistryRead, DeviceConnect
`;

const SHOW_JSON = `{
  "keyName": "golden-p",
  "primaryKey": "${P}",
  "rights": "RegistryRead, DeviceConnect",
  "secondaryKey": "${S}"
}
`;

const SHOW_YAML = `keyName: golden-p
primaryKey: ${P}
rights: RegistryRead, DeviceConnect
secondaryKey: ${S}
`;

const SHOW_TABLE = `KeyName    PrimaryKey                                    Rights                       SecondaryKey
---------  --------------------------------------------  ---------------------------  --------------------------------------------
golden-p   PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP=  RegistryRead, DeviceConnect  SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS=
`;

const SHOW_TSV = `golden-p\t${P}\tRegistryRead, DeviceConnect\t${S}\n`;

/** `policy list -o table` without --query: keys sorted, the (null) lastUsedAt dropped like every null. */
const FULL_TABLE = `KeyName            PrimaryKey                                    Rights                                        SecondaryKey
-----------------  --------------------------------------------  --------------------------------------------  --------------------------------------------
iothubowner        KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=  RegistryWrite, ServiceConnect, DeviceConnect  KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=
service            KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=  ServiceConnect                                KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=
device             KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=  DeviceConnect                                 KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=
registryRead       KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=  RegistryRead                                  KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=
registryReadWrite  KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=  RegistryWrite                                 KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=
golden-p           KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=  RegistryRead, DeviceConnect                   KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=
`;

describe('iot hub policy list --query "[].{keyName:keyName, rights:rights}"', () => {
  it('json and jsonc (no TTY: same text)', async () => {
    expect(await hubList('json')).toBe(LIST_JSON);
    expect(await hubList('jsonc')).toBe(LIST_JSON);
  });
  it('yaml and yamlc', async () => {
    expect(await hubList('yaml')).toBe(LIST_YAML);
    expect(await hubList('yamlc')).toBe(LIST_YAML);
  });
  it('table: query order, exact text', async () => {
    expect(await hubList('table')).toBe(LIST_TABLE);
  });
  it('tsv: query order, exact text', async () => {
    expect(await hubList('tsv')).toBe(LIST_TSV);
  });
  it('none prints nothing', async () => {
    expect(await hubList('none')).toBe('');
  });
  it('table without --query (keys normalised)', async () => {
    expect((await out(['iot', 'hub', 'policy', 'list', '--hub-name', 'goldhub', '-o', 'table'])).replace(ANY_KEY, K)).toBe(FULL_TABLE);
  });
  it('a scalar projection: table Result column, tsv one per line', async () => {
    const names = ['iothubowner', 'service', 'device', 'registryRead', 'registryReadWrite', 'golden-p'];
    expect(await out(['iot', 'hub', 'policy', 'list', '--hub-name', 'goldhub', '--query', '[].keyName', '-o', 'table'])).toBe(
      `Result\n-----------------\n${names.join('\n')}\n`,
    );
    expect(await out(['iot', 'hub', 'policy', 'list', '--hub-name', 'goldhub', '--query', '[].keyName', '-o', 'tsv'])).toBe(
      `${names.join('\n')}\n`,
    );
  });
});

describe('iot hub policy show (keys replaced by placeholders)', () => {
  it('json / jsonc', async () => {
    expect(await hubShow('json')).toBe(SHOW_JSON);
    expect(await hubShow('jsonc')).toBe(SHOW_JSON);
  });
  it('yaml / yamlc', async () => {
    expect(await hubShow('yaml')).toBe(SHOW_YAML);
    expect(await hubShow('yamlc')).toBe(SHOW_YAML);
  });
  it('table', async () => {
    expect(await hubShow('table')).toBe(SHOW_TABLE);
  });
  it('tsv', async () => {
    expect(await hubShow('tsv')).toBe(SHOW_TSV);
  });
  it('none', async () => {
    expect(await hubShow('none')).toBe('');
  });
  it('renew-key swap prints the swapped policy (same shape, keys exchanged)', async () => {
    const swapped = await out([
      'iot',
      'hub',
      'policy',
      'renew-key',
      '--hub-name',
      'goldhub',
      '-n',
      'golden-p',
      '--rk',
      'swap',
      '--query',
      Q_RULE,
      '-o',
      'tsv',
    ]);
    expect(swapped).toBe(`golden-p\t${golden.secondaryKey}\tRegistryRead, DeviceConnect\t${golden.primaryKey}\n`);
    await out(['iot', 'hub', 'policy', 'renew-key', '--hub-name', 'goldhub', '-n', 'golden-p', '--rk', 'swap', '-o', 'none']);
    expect(await hubShow('tsv')).toBe(SHOW_TSV);
  });
});

describe('iot hub connection-string show', () => {
  it('table and tsv', async () => {
    const t = (await out(['iot', 'hub', 'connection-string', 'show', '-n', 'goldhub', '--pn', 'golden-p', '-o', 'table']))
      .split(golden.primaryKey)
      .join(P);
    const cs = `HostName=goldhub.azure-devices.net;SharedAccessKeyName=golden-p;SharedAccessKey=${P}`;
    expect(t).toBe(`ConnectionString\n${'-'.repeat(cs.length)}\n${cs}\n`);
    const v = (
      await out(['iot', 'hub', 'connection-string', 'show', '-n', 'goldhub', '--pn', 'golden-p', '--kt', 'secondary', '-o', 'tsv'])
    )
      .split(golden.secondaryKey)
      .join(S);
    expect(v).toBe(`HostName=goldhub.azure-devices.net;SharedAccessKeyName=golden-p;SharedAccessKey=${S}\n`);
  });
});

describe('iot dps policy list --query', () => {
  const dps = (o: string) => out(['iot', 'dps', 'policy', 'list', '--dps-name', 'golddps', '--query', Q_LIST, '-o', o]);
  it('json', async () => {
    expect(await dps('json')).toBe(`[
  {
    "keyName": "provisioningserviceowner",
    "rights": "ServiceConfig, DeviceConnect, EnrollmentWrite"
  },
  {
    "keyName": "enrollment-reader",
    "rights": "EnrollmentRead, RegistrationStatusRead"
  }
]
`);
  });
  it('yaml', async () => {
    expect(await dps('yaml')).toBe(`- keyName: provisioningserviceowner
  rights: ServiceConfig, DeviceConnect, EnrollmentWrite
- keyName: enrollment-reader
  rights: EnrollmentRead, RegistrationStatusRead
`);
  });
  it('table', async () => {
    expect(await dps('table')).toBe(`KeyName                   Rights
------------------------  ---------------------------------------------
provisioningserviceowner  ServiceConfig, DeviceConnect, EnrollmentWrite
enrollment-reader         EnrollmentRead, RegistrationStatusRead
`);
  });
  it('tsv', async () => {
    expect(await dps('tsv')).toBe(
      'provisioningserviceowner\tServiceConfig, DeviceConnect, EnrollmentWrite\nenrollment-reader\tEnrollmentRead, RegistrationStatusRead\n',
    );
  });
  it('none', async () => {
    expect(await dps('none')).toBe('');
  });
});
