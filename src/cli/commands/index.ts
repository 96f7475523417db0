/**
 * The one command table of `latch`: every module below contributes its groups and commands.
 * A new area (e.g. `iot hub`, `iot dps`) is one more module file and one more line here.
 */
import type { CommandModule } from '../command-table.js';
import { accountCommands } from './iam/account.js';
import { apiKeyCommands } from './iam/api-key.js';
import { userCommands } from './iam/user.js';
import { roleCommands } from './iam/role.js';
import { orgCommands } from './iam/org.js';
import { sessionCommands } from './iam/session.js';
import { keysCommands } from './keys.js';
import { serveCommands } from './serve.js';
import { adminCommands } from './admin.js';
import { iotDpsCommands, iotHubCommands } from './iot/index.js';
import { iotCentralCommands } from './iot/central/index.js';
import { versionCommands } from './version.js';
import { configCommands } from './config.js';
import { completionCommands } from './completion.js';

export const MODULES: readonly CommandModule[] = [
  accountCommands,
  apiKeyCommands,
  userCommands,
  roleCommands,
  orgCommands,
  sessionCommands,
  keysCommands,
  serveCommands,
  adminCommands,
  iotHubCommands,
  iotDpsCommands,
  iotCentralCommands,
  versionCommands,
  configCommands,
  completionCommands,
];
