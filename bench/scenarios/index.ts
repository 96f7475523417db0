import type { Scenario } from '../harness.js';
import { baseline, baselineSameRequest } from './baseline.js';
import { eiAgents } from './ei-agents.js';
import { tokenClientCredentials } from './token.js';
import { armListKeys, inProcessListKeys, rawVerifySas, sasVerifyInProcess, sasWhoamiHttp } from './azure.js';
import { centralAuthInProcess, centralListTokens } from './central.js';
import { authOnly, inProcessAuth, inProcessListAgents, latchHealthz, rawSqliteListAgents } from './diagnostics.js';

/**
 * Every scenario, in the order they run. The baseline must stay first: ratios are taken
 * against it. Add new measurements here.
 */
export const SCENARIOS: Scenario[] = [
  baseline,
  baselineSameRequest,
  eiAgents,
  tokenClientCredentials,
  armListKeys,
  sasVerifyInProcess,
  sasWhoamiHttp,
  centralListTokens,
  latchHealthz,
  authOnly,
  inProcessAuth,
  inProcessListAgents,
  rawSqliteListAgents,
  rawVerifySas,
  inProcessListKeys,
  centralAuthInProcess,
];

/** The target the design sets for the hot path (DESIGN.md "Hot path"). */
export const TARGETS = [{ scenario: eiAgents.name, minRatio: 0.8 }];
