import type { Connector } from '../src/connectors/types';
import type { EvidenceInput } from '../src/evidence/types';
import type { Logger } from '../src/log';

/** What activities need from the outside world; built once per worker. */
export interface ActivityDeps {
  connectors: ReadonlyMap<string, Connector>;
  evidence: { append(input: EvidenceInput): Promise<unknown> };
  leaver: {
    sessionKillSlaMs: number;
    fullRevokeSlaMs: number;
    cutoffLocalTime: string;
    defaultTimeZone: string;
  };
  log: Logger;
  now?: () => Date;
}
