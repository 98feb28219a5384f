import { bambooFieldEntrySchema, type BambooFieldValues } from './payload';
import { employeeRecordFields, isoTime } from './normalize';

/**
 * Reads the BambooHR API: one employee (GET {apiUrl}/v1/employees/{id}?fields=a,b,c) and the
 * employees changed since a moment (GET {apiUrl}/v1/employees/changed/?since=...), with HTTP
 * Basic (API key as the user name, any password) and Accept: application/json (without it
 * BambooHR answers XML). Errors carry a code and never the key.
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
    const path = `/v1/employees/${encodeURIComponent(employeeId)}?fields=${fields.map(encodeURIComponent).join(',')}&onlyCurrent=false`;
    const what = `BambooHR employee ${employeeId}`;
    const { status, body } = await this.getJson(path, what);
    if (!isObject(body)) {
      throw new BambooHrClientError('bamboohr_bad_response', `${what}: the API answered with something other than an object`, status);
    }
    const out: BambooFieldValues = {};
    for (const [key, value] of Object.entries(body)) {
      if (value === null || typeof value === 'string') out[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    }
    return out;
  }

  /**
   * Employees inserted, updated or deleted since `since`: GET {apiUrl}/v1/employees/changed/
   * ?since=<yyyy-mm-ddThh:mm:ssZ>[&type=inserted|updated|deleted]. BambooHR counts a change to
   * any field, job info, employment status or compensation row. `since` is sent to the second,
   * rounded down, so nothing at the boundary is skipped. Oldest change first.
   */
  async changedSince(since: Date, options: { type?: BambooChangeType } = {}): Promise<BambooChangedEmployees> {
    if (Number.isNaN(since.getTime())) throw new RangeError('changedSince: since is not a valid date');
    const query = new URLSearchParams({ since: `${since.toISOString().slice(0, 19)}Z` });
    if (options.type) query.set('type', options.type);
    const what = `BambooHR employees changed since ${query.get('since')}`;
    const { status, body } = await this.getJson(`/v1/employees/changed/?${query.toString()}`, what);
    const bad = (why: string) => new BambooHrClientError('bamboohr_bad_response', `${what}: ${why}`, status);
    if (!isObject(body)) throw bad('the API answered with something other than an object');
    // An empty map comes back from PHP as [] rather than {}.
    const entries = Array.isArray(body.employees) ? body.employees.map((e, i) => [String(i), e] as const) : isObject(body.employees) ? Object.entries(body.employees) : undefined;
    if (!entries) throw bad('"employees" is missing');
    const employees = entries.map(([rawKey, entry]) => {
      const key = rawKey.slice(0, 64);
      if (!isObject(entry)) throw bad(`employees.${key} is not an object`);
      const rawId = entry.id ?? (Array.isArray(body.employees) ? undefined : rawKey);
      const id = employeeIdSchema.safeParse(rawId);
      if (!id.success) throw bad(`employees.${key}.id is not an employee ID`);
      const lastChanged = typeof entry.lastChanged === 'string' ? isoTime(entry.lastChanged) : undefined;
      if (!lastChanged) throw bad(`employees.${key}.lastChanged is not a timestamp`);
      return { employeeId: id.data, action: changeAction(entry.action), lastChanged };
    });
    employees.sort((a, b) => compare(a.lastChanged, b.lastChanged) || compare(a.employeeId.padStart(64, '0'), b.employeeId.padStart(64, '0')));
    const latest = typeof body.latest === 'string' ? isoTime(body.latest) : undefined;
    return { ...(latest ? { latest } : {}), employees };
  }

  /** One authenticated GET answered with JSON; every failure becomes a BambooHrClientError. */
  private async getJson(path: string, what: string): Promise<{ status: number; body: unknown }> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
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
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      throw new BambooHrClientError('bamboohr_bad_response', `${what}: the API answered ${response.status} without JSON`, response.status);
    }
  }
}

export type BambooChangeType = 'inserted' | 'updated' | 'deleted';
export type BambooChangeAction = 'Inserted' | 'Updated' | 'Deleted';

export interface BambooChangedEmployee {
  employeeId: string;
  action: BambooChangeAction;
  /** ISO-8601 UTC. */
  lastChanged: string;
}

export interface BambooChangedEmployees {
  /** The newest change BambooHR reports (ISO-8601 UTC), when it reports one. */
  latest?: string;
  employees: BambooChangedEmployee[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const employeeIdSchema = bambooFieldEntrySchema.shape.id;

/**
 * The JSON sample writes Inserted/Updated/Deleted, the XML description lower case. Anything
 * else is read as an update: the caller decides from the employee's current record anyway.
 */
function changeAction(value: unknown): BambooChangeAction {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return text === 'inserted' ? 'Inserted' : text === 'deleted' ? 'Deleted' : 'Updated';
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
