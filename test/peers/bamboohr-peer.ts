import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for two BambooHR API calls, as documented. Both take HTTP Basic with the API
 * key as user name (password ignored), 401 otherwise, and answer XML unless asked for JSON.
 *  - GET /api/gateway.php/{company}/v1/employees/{id}?fields=...: 404 for an unknown employee;
 *    a JSON object of the requested fields, values as strings and null where unset, "id" always
 *    included. Fields are known by API name (alias) or numeric field ID, as BambooHR knows them,
 *    and answered under the name asked for; a name the company has no field for (a label, a
 *    typo, a custom field not defined) is left out of the answer.
 *  - GET /api/gateway.php/{company}/v1/employees/changed/?since=<ISO 8601>[&type=...] (trailing
 *    slash optional): {latest, employees: {<id>: {id, action, lastChanged}}} for the records
 *    last changed at or after `since`, timestamps to the second as +00:00; a missing or
 *    malformed `since` or `type` is a 400. An empty result is {"latest": null, "employees": []}.
 */
export interface BambooPeerRequest {
  method: string;
  path: string;
  employeeId?: string;
  fields: string[];
  authorized: boolean;
  accept: string;
}

export interface BambooPeerChangedRequest {
  path: string;
  since: string | null;
  type: string | null;
  authorized: boolean;
  accept: string;
  status: number;
}

export type BambooPeerAction = 'Inserted' | 'Updated' | 'Deleted';

/** A company's custom field, as the metadata API lists it: {id: 4047, name: "GitHub Username", alias: "customGitHubUsername"}. */
export interface BambooPeerCustomField {
  id: string;
  /** The English label, e.g. GitHub Username. */
  name: string;
  /** The API name; employee values are set under it (setEmployee). */
  alias: string;
}

export interface BambooPeerOptions {
  apiKey: string;
  company?: string;
  latencyMs?: number;
  customFields?: BambooPeerCustomField[];
}

export interface BambooPeer {
  /** The company API base; a client appends /v1/employees/{id}. */
  url: string;
  /** Adds a custom field to the company; values go under its alias in setEmployee. */
  defineField(field: BambooPeerCustomField): void;
  /** Creates or replaces a record; it shows as changed at `at` (default now): Inserted if new, else Updated. */
  setEmployee(id: string, fields: Record<string, string | null>, options?: { at?: Date }): void;
  /** Deletes a record; it shows as Deleted at `at` (default now). */
  removeEmployee(id: string, options?: { at?: Date }): void;
  /** Answer every authorised request with this status until cleared (undefined). */
  failWith(status: number | undefined): void;
  setLatency(ms: number): void;
  /** Requests for single employees (and anything unrouted); changed-since requests are in changedRequests(). */
  requests(): BambooPeerRequest[];
  changedRequests(): BambooPeerChangedRequest[];
  close(): Promise<void>;
}

export async function start(options: BambooPeerOptions): Promise<BambooPeer> {
  const company = options.company ?? 'acme';
  const employees = new Map<string, Record<string, string | null>>();
  /** Per employee ID: the latest action and when (epoch ms, whole seconds as BambooHR keeps them). */
  const changes = new Map<string, { action: BambooPeerAction; at: number }>();
  const seen: BambooPeerRequest[] = [];
  const changedSeen: BambooPeerChangedRequest[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const customFields = new Map<string, BambooPeerCustomField>();
  const define = (field: BambooPeerCustomField) => {
    customFields.set(field.alias, field);
    customFields.set(field.id, field);
  };
  for (const field of options.customFields ?? []) define(field);
  /** The key a requested name's value is kept under, or undefined when the company has no such field. */
  const storedUnder = (name: string): string | undefined => {
    const custom = customFields.get(name);
    if (custom) return custom.alias;
    if (standardFields.has(name)) return name;
    // A field a test set on a record exists in this company, whatever its name.
    return [...employees.values()].some((e) => name in e) ? name : undefined;
  };
  let failure: number | undefined;

  const changedPaths = new Set([`/api/gateway.php/${company}/v1/employees/changed`, `/api/gateway.php/${company}/v1/employees/changed/`]);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const authorized = basicUser(req.headers.authorization) === options.apiKey;
    const accept = req.headers.accept ?? '';
    if (changedPaths.has(url.pathname)) {
      const entry = { path: url.pathname, since: url.searchParams.get('since'), type: url.searchParams.get('type'), authorized, accept, status: 0 };
      changedSeen.push(entry);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      entry.status = answerChanged(req, res, url, authorized, accept);
      return;
    }
    const match = new RegExp(`^/api/gateway\\.php/${company}/v1/employees/([^/]+)$`).exec(url.pathname);
    const fields = (url.searchParams.get('fields') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
    const employeeId = match ? decodeURIComponent(match[1]!) : undefined;
    seen.push({ method: req.method ?? '', path: url.pathname, ...(employeeId ? { employeeId } : {}), fields, authorized, accept });
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));

    if (!authorized) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="BambooHR API"' }).end();
      return;
    }
    if (!match || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'text/plain' }).end('peer told to fail');
      return;
    }
    const employee = employees.get(employeeId!);
    if (!employee) {
      res.writeHead(404, { 'x-bamboohr-error-message': 'Employee not found' }).end();
      return;
    }
    const body: Record<string, string | null> = { id: employeeId! };
    for (const field of fields) {
      const key = storedUnder(field);
      if (key !== undefined) body[field] = employee[key] ?? null;
    }
    if (!/json/i.test(accept)) {
      const xml = Object.entries(body).map(([k, v]) => `<field id="${k}">${v ?? ''}</field>`).join('');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`<employee id="${employeeId}">${xml}</employee>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  /** GET .../v1/employees/changed/: answers and returns the status sent. */
  const answerChanged = (req: IncomingMessage, res: ServerResponse, url: URL, authorized: boolean, accept: string): number => {
    const send = (status: number, headers: Record<string, string> = {}, body = ''): number => {
      res.writeHead(status, headers).end(body);
      return status;
    };
    if (!authorized) return send(401, { 'www-authenticate': 'Basic realm="BambooHR API"' });
    if (req.method !== 'GET') return send(404);
    if (failure !== undefined) return send(failure, { 'content-type': 'text/plain' }, 'peer told to fail');
    const since = parseSince(url.searchParams.get('since'));
    if (since === undefined) return send(400, { 'x-bamboohr-error-message': 'Invalid or missing "since" parameter' });
    const type = url.searchParams.get('type')?.toLowerCase();
    if (type !== undefined && !['inserted', 'updated', 'deleted', 'all'].includes(type)) {
      return send(400, { 'x-bamboohr-error-message': 'Invalid "type" parameter' });
    }
    const found = [...changes]
      .filter(([, c]) => c.at >= since && (type === undefined || type === 'all' || c.action.toLowerCase() === type))
      .map(([id, c]) => ({ id, action: c.action, lastChanged: stamp(c.at), at: c.at }));
    const latest = found.length > 0 ? stamp(Math.max(...found.map((c) => c.at))) : null;
    if (!/json/i.test(accept)) {
      const xml = found.map((c) => `<employee id="${c.id}" action="${c.action.toLowerCase()}" lastChanged="${c.lastChanged}"/>`).join('');
      return send(200, { 'content-type': 'text/xml' }, `<employees latest="${latest ?? ''}">${xml}</employees>`);
    }
    // PHP writes an empty map as [].
    const map = found.length > 0 ? Object.fromEntries(found.map(({ id, action, lastChanged }) => [id, { id, action, lastChanged }])) : [];
    return send(200, { 'content-type': 'application/json' }, JSON.stringify({ latest, employees: map }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/gateway.php/${company}`,
    defineField: define,
    setEmployee: (id, fields, opts) => {
      changes.set(id, { action: employees.has(id) ? 'Updated' : 'Inserted', at: wholeSeconds(opts?.at) });
      employees.set(id, { ...fields });
    },
    removeEmployee: (id, opts) => {
      if (employees.delete(id)) changes.set(id, { action: 'Deleted', at: wholeSeconds(opts?.at) });
    },
    failWith: (status) => void (failure = status),
    setLatency: (ms) => void (latencyMs = ms),
    requests: () => [...seen],
    changedRequests: () => changedSeen.map((r) => ({ ...r })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** BambooHR's documented standard field names (API aliases) a client may ask for. */
const standardFields = new Set([
  'address1', 'address2', 'age', 'bestEmail', 'birthday', 'city', 'country', 'dateOfBirth', 'department', 'displayName',
  'division', 'eeo', 'employeeNumber', 'employmentHistoryStatus', 'employmentStatusDate', 'ethnicity', 'exempt', 'facebook',
  'firstName', 'flsaCode', 'fullName1', 'fullName2', 'fullName3', 'fullName4', 'fullName5', 'gender', 'hireDate', 'homeEmail',
  'homePhone', 'id', 'jobInformationDate', 'jobTitle', 'lastChanged', 'lastName', 'linkedIn', 'location', 'maritalStatus',
  'middleName', 'mobilePhone', 'originalHireDate', 'payChangeReason', 'payGroup', 'payRate', 'payRateEffectiveDate', 'payType',
  'paySchedule', 'preferredName', 'ssn', 'state', 'status', 'supervisor', 'supervisorEId', 'supervisorEmail', 'supervisorId',
  'terminationDate', 'terminationType', 'twitterFeed', 'workEmail', 'workPhone', 'workPhoneExtension', 'zipcode',
]);

const wholeSeconds = (at: Date = new Date()): number => Math.floor(at.getTime() / 1000) * 1000;

/** BambooHR's own way of writing a moment: to the second, offset +00:00. */
const stamp = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

/** The `since` formats BambooHR documents (a "+" must arrive as %2B); epoch ms, or undefined. */
function parseSince(text: string | null): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})$/.exec(text ?? '');
  if (!match) return undefined;
  const offset = match[2] === 'Z' ? 'Z' : match[2]!.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${match[1]}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

function basicUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}
