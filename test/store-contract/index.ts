import { tenantsContract, usersContract, rolesContract } from './directory.js';
import { apiKeysContract, sessionsContract } from './credentials.js';
import {
  agentsContract,
  assetTypesContract,
  auditContract,
  metaContract,
  signingKeysContract,
  transactionContract,
  writeContract,
} from './misc.js';
import { iotContract } from './iot.js';
import { centralContract } from './central.js';
import { loginFailuresContract } from './login-failures.js';
import type { Open } from './fixtures.js';

export type { Open } from './fixtures.js';

/** Every port member's contract, against stores made by `open` (each suite opens its own, empty, migrated). */
export function runStoreContract(open: Open) {
  tenantsContract(open);
  usersContract(open);
  rolesContract(open);
  apiKeysContract(open);
  sessionsContract(open);
  signingKeysContract(open);
  auditContract(open);
  agentsContract(open);
  assetTypesContract(open);
  metaContract(open);
  iotContract(open);
  centralContract(open);
  loginFailuresContract(open);
  transactionContract(open);
  writeContract(open);
}
