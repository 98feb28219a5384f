import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseEnv } from '../../src/config/load';
import { signBambooBody } from '../../src/hris/bamboohr/signature';
import { bambooSecret } from '../harness/bamboohr';
import { startTestEngine, type TestEngine } from '../harness/test-engine';

/**
 * JML_TRUST_PROXY decides whose X-Forwarded-For is believed, and so the evidence "where" of an
 * HR event: by default a proxy on the same host (this test connects over loopback) is believed;
 * with `false` nobody is, and the connection's own address is recorded. Employee IDs 946x.
 */
const engines: TestEngine[] = [];

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function whereOf(trust: string | undefined, employeeId: string): Promise<string | undefined> {
  const engine = await startTestEngine({ yaml: '', env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, ...(trust ? { JML_TRUST_PROXY: trust } : {}) } });
  engines.push(engine);
  const raw = JSON.stringify({
    employees: [{ id: employeeId, action: 'Created', timestamp: new Date().toISOString(), changedFields: [], fields: { workEmail: `p.${employeeId}@acme.test`, status: 'Active', hireDate: '2024-01-08', terminationDate: null } }],
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${engine.url}/webhooks/bamboohr`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signBambooBody(bambooSecret, raw, timestamp), 'x-forwarded-for': '192.0.2.44' },
    body: raw,
  });
  expect(res.status).toBe(202);
  const received = await vi.waitFor(
    async () => {
      const found = (await engine.services.evidence.forEmployee(employeeId)).find((e) => e.action === 'hr_event.received');
      if (!found) throw new Error('not received yet');
      return found;
    },
    { timeout: 15_000, interval: 100 },
  );
  return received.where;
}

describe('JML_TRUST_PROXY', () => {
  it('default (loopback): the address a proxy on this host forwards is the evidence "where"', async () => {
    expect(await whereOf(undefined, '9461')).toBe('192.0.2.44');
  });

  it('false: X-Forwarded-For is not believed; the connection’s address is recorded', async () => {
    expect(await whereOf('false', '9462')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('takes Express’s values and names a bad entry by position', () => {
    expect(parseEnv({}).JML_TRUST_PROXY).toEqual(['loopback']);
    expect(parseEnv({ JML_TRUST_PROXY: 'true' }).JML_TRUST_PROXY).toBe(true);
    expect(parseEnv({ JML_TRUST_PROXY: '2' }).JML_TRUST_PROXY).toBe(2);
    expect(parseEnv({ JML_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.1' }).JML_TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
    expect(() => parseEnv({ JML_TRUST_PROXY: 'loopback,proxy.internal' })).toThrow('env: JML_TRUST_PROXY: entry 2 is not an address');
    expect(() => parseEnv({ JML_TRUST_PROXY: '10.0.0.0/33' })).toThrow('entry 1');
  });
});
