import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for BambooHR's GET /api/gateway.php/{company}/v1/employees/{id}?fields=...
 * as documented: HTTP Basic with the API key as user name (password ignored), 401 otherwise;
 * 404 for an unknown employee; a JSON object of the requested fields, values as strings and
 * null where unset, "id" always included; XML unless the client asks for JSON.
 */
export interface BambooPeerRequest {
  method: string;
  path: string;
  employeeId?: string;
  fields: string[];
  authorized: boolean;
  accept: string;
}

export interface BambooPeerOptions {
  apiKey: string;
  company?: string;
  latencyMs?: number;
}

export interface BambooPeer {
  /** The company API base; a client appends /v1/employees/{id}. */
  url: string;
  setEmployee(id: string, fields: Record<string, string | null>): void;
  removeEmployee(id: string): void;
  /** Answer every employee request with this status until cleared (undefined). */
  failWith(status: number | undefined): void;
  setLatency(ms: number): void;
  requests(): BambooPeerRequest[];
  close(): Promise<void>;
}

export async function start(options: BambooPeerOptions): Promise<BambooPeer> {
  const company = options.company ?? 'acme';
  const employees = new Map<string, Record<string, string | null>>();
  const seen: BambooPeerRequest[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let failure: number | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const match = new RegExp(`^/api/gateway\\.php/${company}/v1/employees/([^/]+)$`).exec(url.pathname);
    const authorized = basicUser(req.headers.authorization) === options.apiKey;
    const accept = req.headers.accept ?? '';
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
    for (const field of fields) body[field] = employee[field] ?? null;
    if (!/json/i.test(accept)) {
      const xml = Object.entries(body).map(([k, v]) => `<field id="${k}">${v ?? ''}</field>`).join('');
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`<employee id="${employeeId}">${xml}</employee>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/gateway.php/${company}`,
    setEmployee: (id, fields) => void employees.set(id, { ...fields }),
    removeEmployee: (id) => void employees.delete(id),
    failWith: (status) => void (failure = status),
    setLatency: (ms) => void (latencyMs = ms),
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function basicUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}
