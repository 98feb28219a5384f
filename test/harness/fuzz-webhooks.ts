import fc from 'fast-check';
import { bambooChanges } from '../../src/hris/bamboohr/normalize';
import { parseBambooPayload } from '../../src/hris/bamboohr/payload';
import { signBambooBody } from '../../src/hris/bamboohr/signature';
import { parseWorkdayNotification } from '../../src/hris/workday/notification';
import { basicAuthorization, signWorkdayBody } from '../../src/hris/workday/signature';
import { bambooSecret } from './bamboohr';
import { anyJson, bodyBytes, contentEncoding, contentType, extraHeaders, headerValue, hugeBody, type FuzzRequest } from './fuzz-http';
import { confirmedWorkday, workdaySecret } from './fuzz-world';

/** Arbitraries for the two HR webhook doors: valid payloads to mutate, and signing, right or forged. */

/** Employee IDs the webhook fuzz may start workflows for (the Temporal server is shared by every test file). */
const employeeId = fc.integer({ min: 4600, max: 4649 }).map(String);
const ours = /^46[0-4]\d$/;

/**
 * Whether every worker a delivery could be accepted for is one of ours: a mutation that turns
 * an ID into another would otherwise feed another test file's workflow of that ID.
 */
function onlyOurWorkers(source: Source, bytes: Buffer): boolean {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return true;
  }
  if (source === 'workday') {
    const parsed = parseWorkdayNotification(json);
    return !parsed.ok || ours.test(parsed.notification.workerId);
  }
  const parsed = parseBambooPayload(json);
  return !parsed.ok || bambooChanges(parsed.payload).every((c) => ours.test(c.employeeId));
}
const bambooFields = fc.record(
  {
    workEmail: fc.constantFrom('w4601@fuzz.test', 'w4602@fuzz.test', 'not-an-email', ''),
    firstName: fc.constantFrom('Fuzz', 'Ça', ''),
    lastName: fc.constant('Case'),
    status: fc.constantFrom('Active', 'Inactive'),
    department: fc.constantFrom('Engineering', 'Finance'),
    // Hires start far ahead: an accepted one waits and writes nothing to the targets.
    hireDate: fc.constantFrom('2099-01-05', '0000-00-00'),
    terminationDate: fc.constantFrom('2099-02-01', '0000-00-00', ''),
    jobTitle: fc.constantFrom('SRE', 'Analyst'),
  },
  { requiredKeys: ['workEmail', 'status'] },
);

/** A field-based delivery BambooHR could send. */
export const validBambooFieldPayload = fc.record({
  employees: fc.array(
    fc.record({
      id: employeeId,
      action: fc.constantFrom('Created', 'Updated', 'Deleted'),
      timestamp: fc.constant('2026-01-31T18:42:00+0000'),
      changedFields: fc.subarray(['status', 'department', 'jobTitle', 'terminationDate', 'hireDate']),
      fields: bambooFields,
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

/** An event-based (thin) delivery. */
export const validBambooEventPayload = fc.record({
  type: fc.constantFrom('employee.created', 'employee.updated', 'employee.deleted'),
  timestamp: fc.constant('2026-01-31T18:42:00Z'),
  data: fc.record({ companyId: fc.constant(1), employeeId, changedFields: fc.subarray(['status', 'department', 'jobTitle']) }),
});

export const validBambooPayload = fc.oneof(validBambooFieldPayload, validBambooEventPayload);

export const validWorkdayNotification = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ ...confirmedWorkday, effectiveMoment: '2026-01-30T00:00:00.000Z' }) },
  {
    weight: 2,
    arbitrary: fc.record({
      workerId: employeeId,
      businessProcessType: fc.constantFrom('Hire Employee', 'Change Job', 'Terminate Employee', 'Request Compensation Change'),
      effectiveMoment: fc.constantFrom('2026-01-30', '2026-03-16T09:00:00-08:00', '2099-01-01T00:00:00Z', '2026-03-16-08:00'),
      transactionLogWid: fc.stringMatching(/^[0-9a-f]{32}$/),
    }),
  },
);

export type Source = 'bamboohr' | 'workday';
const limits: Record<Source, number> = { bamboohr: 256 * 1024, workday: 64 * 1024 };
const nowSeconds = () => Math.floor(Date.now() / 1000);

function signedHeaders(source: Source, raw: Buffer, timestamp: string, secret: string): Record<string, string> {
  return source === 'bamboohr'
    ? { 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signBambooBody(secret, raw, timestamp) }
    : { 'x-workday-timestamp': timestamp, 'x-workday-signature': signWorkdayBody(secret, raw, timestamp) };
}

const secretOf = (source: Source) => (source === 'bamboohr' ? bambooSecret : workdaySecret);
const pathOf = (source: Source) => `/webhooks/${source}`;

/** How a forged delivery is signed: not at all, garbage, another key, another body, or too old. */
const forgery = fc.constantFrom('none', 'garbage', 'wrong-secret', 'other-body', 'stale', 'future', 'bad-timestamp', 'timestamp-only', 'basic');

/** A delivery no one holding the secret sent: always refused (401, or 413/415 before the signature is read). */
export function forgedDelivery(source: Source, body: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ bytes: fc.oneof({ weight: 20, arbitrary: bodyBytes(body) }, { weight: 1, arbitrary: fc.constant(hugeBody(limits[source])) }), type: contentType, how: forgery, junk: headerValue, extra: extraHeaders, other: bodyBytes(anyJson) })
    .map(({ bytes, type, how, junk, extra, other }) => {
      const now = nowSeconds();
      const secret = secretOf(source);
      const prefix = source === 'bamboohr' ? 'x-bamboohr' : 'x-workday';
      let auth: Record<string, string> = {};
      switch (how) {
        case 'garbage':
          auth = { [`${prefix}-timestamp`]: String(now), [`${prefix}-signature`]: junk };
          break;
        case 'wrong-secret':
          auth = signedHeaders(source, bytes, String(now), `${secret}-not`);
          break;
        case 'other-body':
          auth = signedHeaders(source, Buffer.concat([other, Buffer.from(' ')]), String(now), secret);
          break;
        case 'stale':
          auth = signedHeaders(source, bytes, String(now - 3600), secret);
          break;
        case 'future':
          auth = signedHeaders(source, bytes, String(now + 3600), secret);
          break;
        case 'bad-timestamp':
          auth = { ...signedHeaders(source, bytes, junk || 'x', secret) };
          break;
        case 'timestamp-only':
          auth = { [`${prefix}-timestamp`]: String(now) };
          break;
        case 'basic':
          auth = { authorization: basicAuthorization('workday', secret) };
          break;
      }
      return { method: 'POST', path: pathOf(source), headers: { ...extra, 'content-type': type, ...auth }, body: bytes };
    })
    .filter((req) => !isGenuinelySigned(source, req));
}

/** A junk timestamp that happens to be a fresh one makes "bad-timestamp" a real signature. */
function isGenuinelySigned(source: Source, req: FuzzRequest): boolean {
  const ts = req.headers?.[source === 'bamboohr' ? 'x-bamboohr-timestamp' : 'x-workday-timestamp'];
  const sig = req.headers?.[source === 'bamboohr' ? 'x-bamboohr-signature' : 'x-workday-signature'];
  if (ts === undefined || sig === undefined || !Buffer.isBuffer(req.body)) return false;
  const expected = signedHeaders(source, req.body, ts, secretOf(source));
  return Object.values(expected).includes(sig) && Math.abs(Number(ts) - nowSeconds()) < 300;
}

/** A delivery signed with the real secret over exactly the bytes sent. */
export function signedDelivery(source: Source, body: fc.Arbitrary<unknown>, options: { odd?: boolean } = {}): fc.Arbitrary<FuzzRequest> {
  const type = options.odd ? contentType : fc.constant('application/json');
  const encoding = options.odd ? contentEncoding : fc.constant(null);
  const bytes = options.odd ? fc.oneof({ weight: 30, arbitrary: bodyBytes(body) }, { weight: 1, arbitrary: fc.constant(hugeBody(limits[source])) }) : body.map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
  return fc.record({ bytes: bytes.filter((b) => onlyOurWorkers(source, b)), type, encoding, extra: options.odd ? extraHeaders : fc.constant({}), isoStamp: fc.boolean() }).map(({ bytes, type, encoding, extra, isoStamp }) => {
    const timestamp = source === 'bamboohr' && isoStamp ? new Date().toISOString() : String(nowSeconds());
    return {
      method: 'POST',
      path: pathOf(source),
      headers: { ...extra, 'content-type': type, ...(encoding ? { 'content-encoding': encoding } : {}), ...signedHeaders(source, bytes, timestamp, secretOf(source)) },
      body: bytes,
    };
  });
}
