/** One measured leaver (through the engine or directly) and what measuring one needs. */
import type { TestEngine } from '../test/harness/engine';
import type { Targets } from '../test/harness/targets';
import type { DirectConnectors } from './direct';
import type { Killed } from './kill-watch';
import type { PeerWatch } from './peer-watch';

export interface Sample {
  employeeId: string;
  login: string;
  /** Epoch ms just before the webhook POST (engine) or the first direct call (baseline). */
  startAt: number;
  killed: Killed;
  /** Engine: 202 received. Baseline: both direct call chains returned. */
  returnedAt: number;
  employeeWorkflowId?: string;
  leaverWorkflowId?: string;
}

/** The measured figure: from the start to the kill being seen in every system. */
export const killMs = (s: Sample) => s.killed.at - s.startAt;

export interface Context {
  engine: TestEngine;
  targets: Targets;
  watch: PeerWatch;
  direct: DirectConnectors;
  terminationDate: string;
  nextId: () => { employeeId: string; login: string };
}
