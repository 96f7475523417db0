import type { CommandModule } from '../command-table.js';

export const keysCommands: CommandModule = {
  groups: [{ name: 'keys', summary: 'Token signing keys (platform administrator).' }],
  commands: [
    {
      name: 'keys rotate',
      summary: 'Rotate the JWT signing key: a new key signs, old keys verify until their tokens expire.',
      args: [],
      handler: async (ctx) => (await ctx.client()).request('POST', '/iam/keys/rotate'),
    },
  ],
};
