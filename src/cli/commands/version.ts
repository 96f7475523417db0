/** `latch version` and `latch --version` (az `version`): the CLI's version from package.json, printed through -o. */
import fs from 'node:fs';
import type { CommandModule } from '../command-table.js';

/** The package's version: package.json sits three levels above this file, in src/ and in dist/ alike. */
export function cliVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const versionCommands: CommandModule = {
  commands: [
    {
      name: 'version',
      summary: "Show the versions of Latch and Node.js (also 'latch --version').",
      args: [],
      examples: [{ name: 'Show the version as text.', text: 'latch version -o tsv' }],
      handler: async () => ({ latch: cliVersion(), node: process.versions.node }),
    },
  ],
};
