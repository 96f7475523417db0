/**
 * `latch iot hub|dps policy list|show|create|delete|renew-key` and `connection-string show`.
 *
 * Policy edits follow az (Azure/azure-cli `command_modules/iot/custom.py`): GET the resource (etag),
 * POST listkeys for the current policies with their keys, change the list, PUT the resource with
 * `properties.authorizationPolicies` and `If-Match: <etag>`. Keys of the other policies are passed
 * through unchanged; a new policy is sent without keys (the server generates them).
 */
import { CliError, CliNotFoundError } from '../../output/index.js';
import { argsOf, type ArgSpec, type CommandContext, type CommandSpec } from '../../command-table.js';
import { buildConnectionString, generateSasKey } from '../../../domain/sas.js';
import { sameName } from '../../../domain/names.js';
import {
  getKey,
  getResource,
  listKeys,
  putPolicies,
  RESOURCE_GROUP_ARG,
  type ArmResource,
  type AuthorizationRule,
  type KindSpec,
} from './arm.js';

export const KEY_TYPE_ARG: ArgSpec = {
  dest: 'keyType',
  options: ['--key-type', '--kt'],
  choices: ['primary', 'secondary'],
  help: 'Shared access policy key type for authentication.  Allowed values: primary, secondary.  Default: primary.',
};

/** The resource named by `--hub-name/--dps-name` (and `-g` when given). */
export const targetOf = (ctx: CommandContext, k: KindSpec): Promise<ArmResource> =>
  getResource(ctx, k, ctx.args.resourceName as string, ctx.args.resourceGroup as string | undefined);

export const keyOf = (rule: AuthorizationRule, keyType: unknown): string => (keyType === 'secondary' ? rule.secondaryKey : rule.primaryKey);

export function policyCommands(k: KindSpec): CommandSpec[] {
  const what = k.kind === 'hub' ? 'IoT hub' : 'IoT provisioning service';
  /** `--hub-name` / `--dps-name`; `-n` too where no policy name takes it. */
  const RESOURCE = (withShort: boolean): ArgSpec => ({
    dest: 'resourceName',
    options: withShort ? [k.nameOption, '-n'] : [k.nameOption],
    required: true,
    help: `${what} name.`,
  });
  const POLICY: ArgSpec = {
    dest: 'policyName',
    options: k.kind === 'hub' ? ['--name', '-n'] : ['--name', '-n', '--policy-name', '--pn'],
    required: true,
    help: 'Shared access policy name.',
  };
  const rightsHelp = k.atoms.join(', ');
  const PERMISSIONS: ArgSpec = {
    dest: 'permissions',
    options: k.kind === 'hub' ? ['--permissions'] : ['--permissions', '--rights', '-r'],
    required: true,
    multiple: true,
    commaList: true,
    help: `Permissions of shared access policy. Use space-separated (or comma-separated) list for multiple permissions. Possible values: ${rightsHelp}.`,
    validate: (v) => (k.parseRights(v).ok ? undefined : `allowed values: ${rightsHelp}`),
  };
  const RG = RESOURCE_GROUP_ARG(false);
  const find = (rules: AuthorizationRule[], name: string) => rules.find((p) => sameName(p.keyName, name));

  const commands: CommandSpec[] = [
    {
      name: `${k.group} policy list`,
      summary: `List shared access policies of an ${what}, with their keys.`,
      tenantScoped: true,
      args: [RESOURCE(true), RG],
      handler: async (ctx) => listKeys(ctx, k, await targetOf(ctx, k)),
    },
    {
      name: `${k.group} policy show`,
      summary: `Get a shared access policy of an ${what}, with its keys.`,
      tenantScoped: true,
      args: [RESOURCE(false), POLICY, RG],
      handler: async (ctx) => getKey(ctx, k, await targetOf(ctx, k), ctx.args.policyName as string),
    },
    {
      name: `${k.group} policy create`,
      summary: `Create a new shared access policy in an ${what}.`,
      tenantScoped: true,
      args: [RESOURCE(false), POLICY, PERMISSIONS, RG],
      examples: [
        {
          name: 'Create a new shared access policy.',
          text:
            k.kind === 'hub'
              ? `latch iot hub policy create --hub-name MyIotHub --name new-policy --permissions RegistryWrite ServiceConnect DeviceConnect`
              : `latch iot dps policy create --dps-name MyDps --name new-policy --permissions ServiceConfig EnrollmentRead`,
        },
      ],
      async handler(ctx) {
        const a = ctx.args as { policyName: string; permissions: string[] };
        // az drops duplicate permissions before mapping them onto one rights value.
        const distinct = [...new Map(a.permissions.map((p) => [p.toLowerCase(), p])).values()];
        const rights = k.parseRights(distinct.join(','));
        if (!rights.ok) throw new CliError(`argument --permissions: invalid value '${a.permissions.join(' ')}'`);
        const r = await targetOf(ctx, k);
        const policies = await listKeys(ctx, k, r);
        if (find(policies, a.policyName)) throw new CliError(`Policy ${a.policyName} already existed.`);
        await putPolicies(ctx, k, r, [...policies, { keyName: a.policyName, rights: rights.rights }]);
        return getKey(ctx, k, r, a.policyName);
      },
    },
    {
      name: `${k.group} policy delete`,
      summary: `Delete a shared access policy from an ${what}; tokens signed with its keys stop working.`,
      tenantScoped: true,
      args: [RESOURCE(false), POLICY, RG],
      async handler(ctx) {
        const name = ctx.args.policyName as string;
        const r = await targetOf(ctx, k);
        const policies = await listKeys(ctx, k, r);
        if (!find(policies, name)) throw new CliNotFoundError(`Policy ${name} not found.`);
        await putPolicies(
          ctx,
          k,
          r,
          policies.filter((p) => !sameName(p.keyName, name)),
        );
        return null;
      },
    },
    {
      name: `${k.group} policy renew-key`,
      summary: `Regenerate keys of a shared access policy of an ${what}.`,
      description: 'primary / secondary: a new 256-bit key replaces that key; swap: the primary and secondary keys trade places.',
      tenantScoped: true,
      args: [
        RESOURCE(false),
        POLICY,
        {
          dest: 'renewKey',
          options: ['--renew-key', '--rk'],
          required: true,
          choices: ['primary', 'secondary', 'swap'],
          help: 'Regenerate keys.  Allowed values: primary, secondary, swap.',
        },
        RG,
      ],
      examples: [
        {
          name: 'Swap the keys of a policy.',
          text: `latch ${k.group} policy renew-key ${k.nameOption} my${k.kind} --name ${k.defaultPolicy} --renew-key swap`,
        },
      ],
      async handler(ctx) {
        const a = ctx.args as { policyName: string; renewKey: 'primary' | 'secondary' | 'swap' };
        const r = await targetOf(ctx, k);
        const policies = await listKeys(ctx, k, r);
        const target = find(policies, a.policyName);
        if (!target) throw new CliNotFoundError(`Policy ${a.policyName} not found.`);
        const renewed = { ...target };
        if (a.renewKey === 'primary') renewed.primaryKey = generateSasKey();
        else if (a.renewKey === 'secondary') renewed.secondaryKey = generateSasKey();
        else [renewed.primaryKey, renewed.secondaryKey] = [target.secondaryKey, target.primaryKey];
        await putPolicies(
          ctx,
          k,
          r,
          policies.map((p) => (p === target ? renewed : p)),
        );
        return getKey(ctx, k, r, target.keyName);
      },
    },
    {
      name: `${k.group} connection-string show`,
      summary: `Show the connection string of an ${what} for a shared access policy.`,
      tenantScoped: true,
      args: [
        RESOURCE(true),
        { dest: 'policyName', options: ['--policy-name', '--pn'], help: `Shared access policy to use.  Default: ${k.defaultPolicy}.` },
        KEY_TYPE_ARG,
        RG,
      ],
      async handler(ctx) {
        const r = await targetOf(ctx, k);
        const rule = await getKey(ctx, k, r, (ctx.args.policyName as string | undefined) ?? k.defaultPolicy);
        return {
          connectionString: buildConnectionString({ hostName: k.hostName(r), keyName: rule.keyName, key: keyOf(rule, ctx.args.keyType) }),
        };
      },
    },
  ];
  // az --ids: the hub's (DPS's) ARM resource id instead of --hub-name/--dps-name, -g and the tenant.
  return commands.map((c) =>
    argsOf(c).some((a) => a.dest === 'resourceName') ? { ...c, ids: { type: `${k.provider}/${k.collection}`, name: 'resourceName' } } : c,
  );
}
