import type { Connector } from '../src/connectors/types';
import type { EvidenceInput } from '../src/evidence/types';
import type { Logger } from '../src/log';
import type { Policy } from '../src/policy';
import type { ApprovalRecord, ApprovalRequest } from '../src/approvals/types';

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
  approvals: {
    store: {
      request(a: ApprovalRequest): Promise<ApprovalRecord>;
      decide(id: string, d: { status: 'approved' | 'rejected' | 'expired'; decidedBy: string; reason?: string; decidedAt: string }): Promise<unknown>;
    };
    timeoutMs: number;
  };
  joiner: { provisionLeadTimeMs: number; startLocalTime: string };
  mover: { revokeOldAccessAfterMs: number };
  log: Logger;
  now?: () => Date;
}
