import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BambooHrClient, BambooHrClientError } from '../../../src/hris/bamboohr/client';
import { start as startBambooPeer, type BambooPeer } from '../../peers/bamboohr-peer';

const apiKey = 'bamboohr-key-for-changed-since';
const t = (iso: string) => new Date(iso);

let peer: BambooPeer;
let client: BambooHrClient;

beforeAll(async () => {
  peer = await startBambooPeer({ apiKey });
  client = new BambooHrClient({ apiUrl: peer.url, apiKey, timeoutMs: 2000 });
  peer.setEmployee('900', { workEmail: 'a@acme.test', status: 'Active' }, { at: t('2026-03-01T08:00:00.250Z') });
  peer.setEmployee('10', { workEmail: 'b@acme.test', status: 'Active' }, { at: t('2026-03-02T08:00:00Z') });
  peer.setEmployee('55', { workEmail: 'c@acme.test', status: 'Active' }, { at: t('2026-03-01T12:00:00Z') });
  peer.setEmployee('55', { workEmail: 'c@acme.test', status: 'Inactive' }, { at: t('2026-03-03T09:30:00Z') });
  peer.setEmployee('77', { workEmail: 'd@acme.test', status: 'Active' }, { at: t('2026-02-01T00:00:00Z') });
  peer.removeEmployee('77', { at: t('2026-03-02T17:45:10Z') });
});

afterAll(async () => {
  await peer?.close();
});

afterEach(() => {
  peer.failWith(undefined);
});

describe('BambooHrClient.changedSince against the peer', () => {
  it('lists every change since the moment, oldest first, as Inserted/Updated/Deleted in ISO UTC', async () => {
    const changed = await client.changedSince(t('2026-03-01T00:00:00Z'));
    expect(changed).toEqual({
      latest: '2026-03-03T09:30:00.000Z',
      employees: [
        { employeeId: '900', action: 'Inserted', lastChanged: '2026-03-01T08:00:00.000Z' },
        { employeeId: '10', action: 'Inserted', lastChanged: '2026-03-02T08:00:00.000Z' },
        { employeeId: '77', action: 'Deleted', lastChanged: '2026-03-02T17:45:10.000Z' },
        { employeeId: '55', action: 'Updated', lastChanged: '2026-03-03T09:30:00.000Z' },
      ],
    });
  });

  it('filters on lastChanged >= since, sent to the whole second in a documented format', async () => {
    const changed = await client.changedSince(t('2026-03-02T08:00:00.900Z'));
    expect(changed.employees.map((e) => e.employeeId)).toEqual(['10', '77', '55']);
    const request = peer.changedRequests().at(-1)!;
    expect(request).toMatchObject({ path: '/api/gateway.php/acme/v1/employees/changed/', since: '2026-03-02T08:00:00Z', authorized: true, status: 200 });
    expect(request.accept).toMatch(/application\/json/);
  });

  it('answers an empty list (PHP writes it as []) without a latest', async () => {
    expect(await client.changedSince(t('2026-04-01T00:00:00Z'))).toEqual({ employees: [] });
  });

  it('passes the optional type filter', async () => {
    const deleted = await client.changedSince(t('2026-01-01T00:00:00Z'), { type: 'deleted' });
    expect(deleted.employees).toEqual([{ employeeId: '77', action: 'Deleted', lastChanged: '2026-03-02T17:45:10.000Z' }]);
    expect(peer.changedRequests().at(-1)?.type).toBe('deleted');
  });

  it('works with an API base written with a trailing slash', async () => {
    const slashed = new BambooHrClient({ apiUrl: `${peer.url}/`, apiKey });
    expect((await slashed.changedSince(t('2026-03-03T00:00:00Z'))).employees.map((e) => e.employeeId)).toEqual(['55']);
    expect(peer.changedRequests().at(-1)?.path).toBe('/api/gateway.php/acme/v1/employees/changed/');
  });

  it('reports a refused key as bamboohr_unauthorized, not retryable, without echoing it', async () => {
    const wrong = new BambooHrClient({ apiUrl: peer.url, apiKey: 'a-wrong-key-1234567890' });
    const error = await wrong.changedSince(t('2026-03-01T00:00:00Z')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BambooHrClientError);
    expect(error).toMatchObject({ code: 'bamboohr_unauthorized', status: 401, retryable: false });
    expect((error as Error).message).not.toContain('a-wrong-key');
  });

  it('reports 503 as bamboohr_unavailable, which is retryable', async () => {
    peer.failWith(503);
    await expect(client.changedSince(t('2026-03-01T00:00:00Z'))).rejects.toMatchObject({ code: 'bamboohr_unavailable', status: 503, retryable: true });
  });

  it('reports a slow API as bamboohr_unavailable', async () => {
    peer.setLatency(300);
    try {
      const impatient = new BambooHrClient({ apiUrl: peer.url, apiKey, timeoutMs: 50 });
      await expect(impatient.changedSince(t('2026-03-01T00:00:00Z'))).rejects.toMatchObject({ code: 'bamboohr_unavailable', retryable: true });
    } finally {
      peer.setLatency(0);
    }
  });

  it('refuses an invalid date before asking anything', async () => {
    const before = peer.changedRequests().length;
    await expect(client.changedSince(new Date(Number.NaN))).rejects.toThrow(RangeError);
    expect(peer.changedRequests()).toHaveLength(before);
  });

  it('keeps single-employee reads and their request log as they were', async () => {
    expect(await client.getEmployee('55', ['status'])).toEqual({ id: '55', status: 'Inactive' });
    await expect(client.getEmployee('77')).rejects.toMatchObject({ code: 'bamboohr_not_found' });
    expect(peer.requests().every((r) => r.employeeId !== undefined)).toBe(true);
  });
});

describe('custom fields on the peer, as BambooHR serves them', () => {
  it('answers a custom field by API name or field ID under the name asked, and leaves out names it has no field for', async () => {
    peer.defineField({ id: '4047', name: 'GitHub Username', alias: 'customGitHubUsername' });
    peer.defineField({ id: '4048', name: 'Desk', alias: 'customDesk' });
    peer.setEmployee('31', { workEmail: 'e@acme.test', status: 'Active', customGitHubUsername: 'eve-gh' }, { at: t('2026-01-01T00:00:00Z') });
    const record = await client.getEmployee('31', ['customGitHubUsername', '4047', 'GitHub Username', 'customDesk', 'customNoSuchField', 'hireDate']);
    expect(record).toEqual({ id: '31', customGitHubUsername: 'eve-gh', '4047': 'eve-gh', customDesk: null, hireDate: null });
  });
});

describe('the peer as BambooHR documents the call', () => {
  const get = (path: string, key = apiKey) =>
    fetch(`${peer.url}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${key}:x`).toString('base64')}`, accept: 'application/json' } });

  it('serves the path with and without the trailing slash', async () => {
    const withSlash = await get('/v1/employees/changed/?since=2026-03-03T00:00:00Z');
    const without = await get('/v1/employees/changed?since=2026-03-03T00:00:00Z');
    expect(withSlash.status).toBe(200);
    expect(without.status).toBe(200);
    const body = { latest: '2026-03-03T09:30:00+00:00', employees: { '55': { id: '55', action: 'Updated', lastChanged: '2026-03-03T09:30:00+00:00' } } };
    expect(await withSlash.json()).toEqual(body);
    expect(await without.json()).toEqual(body);
  });

  it.each([
    ['missing', ''],
    ['a bare date', '?since=2026-03-01'],
    ['fractional seconds', '?since=2026-03-01T00:00:00.000Z'],
    ['an unencoded "+" (arrives as a space)', '?since=2026-03-01T00:00:00+01:00'],
    ['not a date', '?since=yesterday'],
  ])('answers 400 for a since that is %s', async (_name, query) => {
    const res = await get(`/v1/employees/changed/${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-bamboohr-error-message')).toMatch(/since/);
  });

  it('accepts each documented offset form, "+" sent as %2B', async () => {
    for (const since of ['2026-03-03T10:00:00%2B01:00', '2026-03-03T10:00:00%2B0100', '2026-03-03T08:00:00-01:00', '2026-03-03T08:00:00-0100']) {
      const res = await get(`/v1/employees/changed/?since=${since}`);
      expect(res.status, since).toBe(200);
      expect(Object.keys(((await res.json()) as { employees: object }).employees), since).toEqual(['55']);
    }
  });

  it('answers 400 for an unknown type and XML when JSON is not asked for', async () => {
    expect((await get('/v1/employees/changed/?since=2026-03-01T00:00:00Z&type=moved')).status).toBe(400);
    const xml = await fetch(`${peer.url}/v1/employees/changed/?since=2026-03-03T00:00:00Z`, {
      headers: { authorization: `Basic ${Buffer.from(`${apiKey}:x`).toString('base64')}` },
    });
    expect(await xml.text()).toBe('<employees latest="2026-03-03T09:30:00+00:00"><employee id="55" action="updated" lastChanged="2026-03-03T09:30:00+00:00"/></employees>');
  });
});

describe('BambooHrClient.changedSince on answers the peer does not give', () => {
  const answering = (status: number, body: string, headers: Record<string, string> = {}) =>
    new BambooHrClient({ apiUrl: 'https://api.bamboohr.test/api/gateway.php/acme', apiKey, fetch: async () => new Response(body, { status, headers }) });

  it('reads lower-case actions, +0000 offsets and entries keyed only by ID; an unknown action is an update', async () => {
    const body = JSON.stringify({
      latest: '2026-03-02T10:00:00+0000',
      employees: { '5': { action: 'deleted', lastChanged: '2026-03-02T10:00:00+0000' }, '4': { id: 4, action: 'Merged', lastChanged: '2026-03-02T09:00:00Z' } },
    });
    expect(await answering(200, body).changedSince(t('2026-03-01T00:00:00Z'))).toEqual({
      latest: '2026-03-02T10:00:00.000Z',
      employees: [
        { employeeId: '4', action: 'Updated', lastChanged: '2026-03-02T09:00:00.000Z' },
        { employeeId: '5', action: 'Deleted', lastChanged: '2026-03-02T10:00:00.000Z' },
      ],
    });
  });

  it('orders changes in the same second by employee ID', async () => {
    const at = '2026-03-02T10:00:00+00:00';
    const body = JSON.stringify({ latest: at, employees: [{ id: '100', action: 'Updated', lastChanged: at }, { id: '20', action: 'Updated', lastChanged: at }] });
    expect((await answering(200, body).changedSince(t('2026-03-01T00:00:00Z'))).employees.map((e) => e.employeeId)).toEqual(['20', '100']);
  });

  it.each([
    ['not JSON', '<employees/>'],
    ['no employees', '{"latest":null}'],
    ['an entry without lastChanged', '{"employees":{"1":{"id":"1","action":"Updated"}}}'],
    ['an unusable employee ID', '{"employees":{"x":{"id":"../1","action":"Updated","lastChanged":"2026-03-02T10:00:00Z"}}}'],
  ])('reports %s as bamboohr_bad_response', async (_name, body) => {
    await expect(answering(200, body).changedSince(t('2026-03-01T00:00:00Z'))).rejects.toMatchObject({ code: 'bamboohr_bad_response', retryable: false });
  });

  it('reports a refused request with BambooHR\'s explanation, not retryable', async () => {
    const error = await answering(400, '', { 'x-bamboohr-error-message': 'Invalid since' }).changedSince(t('2026-03-01T00:00:00Z')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bamboohr_bad_response', status: 400, retryable: false });
    expect((error as Error).message).toContain('Invalid since');
  });

  it('reports 429 as retryable', async () => {
    await expect(answering(429, '').changedSince(t('2026-03-01T00:00:00Z'))).rejects.toMatchObject({ code: 'bamboohr_unavailable', retryable: true });
  });
});
