/**
 * `latch iot hub generate-sas-token` (azure-iot-cli-extension `az iot hub generate-sas-token`):
 * a policy SAS token for the hub, or for one device (module) identity, printed as `{"sas": …}`.
 */
import { CliUsageError } from '../../output/index.js';
import type { CommandSpec } from '../../command-table.js';
import { encodeUriComponentStrict, parseSas, signSas } from '../../../domain/sas.js';
import { positiveInt } from '../iam/shared.js';
import { getKey, HUB, RESOURCE_GROUP_ARG } from './arm.js';
import { KEY_TYPE_ARG, keyOf, targetOf } from './policy.js';

/**
 * The token as az prints it: fields in the order `sr, sig, se, skn` (the extension urlencodes a
 * dict built in that order). signSas (azure-iot-common order `sr, sig, skn, se`) does the signing;
 * only the field order changes (`skn` is not signed).
 */
export function azFieldOrder(token: string): string {
  const p = parseSas(token);
  if (!p.ok) throw new Error(`not a SAS token: ${p.reason}`);
  const f = p.fields;
  return `SharedAccessSignature sr=${f.sr}&sig=${f.sig}&se=${f.se}${f.skn === undefined ? '' : `&skn=${f.skn}`}`;
}

export const sasTokenCommands: CommandSpec[] = [
  {
    name: 'iot hub generate-sas-token',
    summary: 'Generate a SAS token for a target IoT Hub or device.',
    description:
      'Signed with a key of the shared access policy (--policy-name). With --device-id the token is scoped to that device ' +
      '(resource URI {hostName}/devices/{id}, encoded as the device SDK encodes it) and carries the policy name.',
    tenantScoped: true,
    args: [
      { dest: 'resourceName', options: ['--hub-name', '-n'], required: true, help: 'IoT hub name.' },
      { dest: 'deviceId', options: ['--device-id', '-d'], help: 'Target device id.' },
      { dest: 'moduleId', options: ['--module-id', '-m'], help: 'Target module id (requires --device-id).' },
      {
        dest: 'policyName',
        options: ['--policy-name', '--pn'],
        help: 'Shared access policy with operation permissions for target IoT Hub entity.  Default: iothubowner.',
      },
      {
        dest: 'duration',
        options: ['--duration', '--du'],
        validate: positiveInt(),
        help: 'Valid token duration in seconds.  Default: 3600.',
      },
      KEY_TYPE_ARG,
      RESOURCE_GROUP_ARG(false),
    ],
    examples: [
      {
        name: 'Generate an IoT Hub SAS token using the iothubowner policy and primary key.',
        text: 'latch iot hub generate-sas-token -n MyIotHub',
      },
      {
        name: 'Generate a device SAS token valid for 30 minutes.',
        text: 'latch iot hub generate-sas-token -n MyIotHub -d MyDevice --du 1800',
      },
    ],
    async handler(ctx) {
      const a = ctx.args as { deviceId?: string; moduleId?: string; policyName?: string; duration?: string; keyType?: string };
      if (a.moduleId !== undefined && a.deviceId === undefined) throw new CliUsageError('usage error: --module-id requires --device-id');
      const hub = await targetOf(ctx, HUB);
      const rule = await getKey(ctx, HUB, hub, a.policyName ?? HUB.defaultPolicy);
      const host = HUB.hostName(hub);
      let resourceUri = host;
      if (a.deviceId !== undefined) {
        const path = `${host}/devices/${a.deviceId}${a.moduleId === undefined ? '' : `/modules/${a.moduleId}`}`;
        resourceUri = encodeUriComponentStrict(path);
      }
      const expiry = Math.floor(ctx.now() / 1000) + Number(a.duration ?? 3600);
      return { sas: azFieldOrder(signSas({ resourceUri, key: keyOf(rule, a.keyType), keyName: rule.keyName, expiry })) };
    },
  },
];
