import type { Scenario } from '../harness.js';
import { baseline } from './baseline.js';
import { eiAgents } from './ei-agents.js';
import { tokenClientCredentials } from './token.js';
import { authOnly, inProcessAuth, inProcessListAgents, latchHealthz, rawSqliteListAgents } from './diagnostics.js';

/**
 * Every scenario, in the order they run. The baseline must stay first: ratios are taken
 * against it. Add new measurements (ARM listkeys, SAS verification, …) here.
 */
export const SCENARIOS: Scenario[] = [
  baseline,
  eiAgents,
  tokenClientCredentials,
  latchHealthz,
  authOnly,
  inProcessAuth,
  inProcessListAgents,
  rawSqliteListAgents,
];

/** The target the design sets for the hot path (DESIGN.md "Hot path"). */
export const TARGETS = [{ scenario: eiAgents.name, minRatio: 0.8 }];
