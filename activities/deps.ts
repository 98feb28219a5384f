import type { Connector } from '../src/connectors/types';
import type { EvidenceInput } from '../src/evidence/types';
import type { Logger } from '../src/log';
import type { Policy } from '../src/policy';

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
  policy: Policy;
  joiner: { provisionLeadTimeMs: number };
  log: Logger;
  now?: () => Date;
}
