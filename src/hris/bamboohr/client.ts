import type { BambooFieldValues } from './payload';
import { employeeRecordFields } from './normalize';

/**
 * Reads one employee from the BambooHR API: GET {apiUrl}/v1/employees/{id}?fields=a,b,c with
 * HTTP Basic (API key as the user name, any password) and Accept: application/json (without
 * it BambooHR answers XML). Errors carry a code and never the key.
 */
export type BambooHrClientErrorCode =
  | 'bamboohr_not_found' // 404: no such employee (or deleted meanwhile)
  | 'bamboohr_unauthorized' // 401/403: the key is wrong or lacks access; retrying will not help
  | 'bamboohr_unavailable' // 5xx, 429, timeouts, connection errors: retry later
  | 'bamboohr_bad_response'; // 2xx that is not the JSON object the API documents

export class BambooHrClientError extends Error {
  override readonly name = 'BambooHrClientError';
  constructor(
    readonly code: BambooHrClientErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.code === 'bamboohr_unavailable';
  }
}

export interface BambooHrClientOptions {
  /** The company's API base, e.g. https://api.bamboohr.com/api/gateway.php/acme. */
  apiUrl: string;
  apiKey: string;
  /** Per request, connect to last byte. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class BambooHrClient {
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: BambooHrClientOptions) {
    this.base = options.apiUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.apiKey}:x`, 'utf8').toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The employee's requested fields as strings (null where BambooHR has no value). */
  async getEmployee(employeeId: string, fields: readonly string[] = employeeRecordFields): Promise<BambooFieldValues> {
    const url = `${this.base}/v1/employees/${encodeURIComponent(employeeId)}?fields=${fields.map(encodeURIComponent).join(',')}&onlyCurrent=false`;
    const what = `BambooHR employee ${employeeId}`;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: 'GET',
        headers: { authorization: this.authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'connection failed';
      throw new BambooHrClientError('bamboohr_unavailable', `${what}: ${reason}`);
    }
    if (response.status === 404) throw new BambooHrClientError('bamboohr_not_found', `${what}: not found`, 404);
    if (response.status === 401 || response.status === 403) {
      throw new BambooHrClientError('bamboohr_unauthorized', `${what}: the API refused the key (${response.status})`, response.status);
    }
    if (!response.ok) {
      // BambooHR explains refusals in this header; it names fields, never credentials.
      const detail = response.headers.get('x-bamboohr-error-message');
      const code = response.status === 429 || response.status >= 500 ? 'bamboohr_unavailable' : 'bamboohr_bad_response';
      const explained = detail ? ` (${detail.slice(0, 200)})` : '';
      throw new BambooHrClientError(code, `${what}: the API answered ${response.status}${explained}`, response.status);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BambooHrClientError('bamboohr_bad_response', `${what}: the API answered ${response.status} without JSON`, response.status);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BambooHrClientError('bamboohr_bad_response', `${what}: the API answered with something other than an object`, response.status);
    }
    const out: BambooFieldValues = {};
    for (const [key, value] of Object.entries(body)) {
      if (value === null || typeof value === 'string') out[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    }
    return out;
  }
}
