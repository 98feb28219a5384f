import { scrubPersonal } from '../personal-data';

/** Connector failures carry a code; callers decide retry and HTTP answers from the code only. */
export type ConnectorErrorCode =
  | 'rate_limited' // 429: retry after retryAfterMs
  | 'unavailable' // 5xx, timeouts, connection errors: retry
  | 'converging' // the system accepted a change but a fresh read does not show it yet: retry
  | 'not_found'
  | 'conflict'
  | 'unauthorized' // 401/403: credentials are wrong; retrying will not help
  | 'bad_request' // 4xx the system blamed on us: retrying will not help
  | 'not_removable' // the system decides this membership itself (a dynamic group): not ours to remove
  | 'unsupported'; // the connector lacks the ability

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly system: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    // Messages become Temporal failures, evidence reasons and log lines: no address survives in one.
    super(scrubPersonal(message));
  }

  get retryable(): boolean {
    return this.code === 'rate_limited' || this.code === 'unavailable' || this.code === 'converging';
  }
}

export class UnsupportedError extends ConnectorError {
  constructor(system: string, ability: string) {
    super('unsupported', `${system} does not support ${ability}`, system);
  }
}
