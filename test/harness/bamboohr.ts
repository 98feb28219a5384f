import { signBambooBody } from '../../src/hris/bamboohr/signature';

export const bambooSecret = 'bamboohr-webhook-secret-for-tests';

/** Posts a body to /webhooks/bamboohr signed as BambooHR signs it (or with a given signature). */
export async function postBambooWebhook(
  baseUrl: string,
  body: unknown,
  options: { secret?: string; signature?: string; timestamp?: string; raw?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = options.raw ?? JSON.stringify(body);
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = options.signature ?? signBambooBody(options.secret ?? bambooSecret, raw, timestamp);
  const res = await fetch(`${baseUrl}/webhooks/bamboohr`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signature },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A field-based BambooHR delivery terminating a worker as of a date. */
export function terminationDelivery(employeeId: string, workEmail: string, terminationDate: string, extra: Record<string, string> = {}) {
  return {
    employees: [
      {
        id: employeeId,
        action: 'Updated',
        timestamp: new Date().toISOString(),
        changedFields: ['status', 'terminationDate'],
        fields: {
          workEmail,
          firstName: 'Test',
          lastName: 'Worker',
          status: 'Inactive',
          hireDate: '2020-01-06',
          terminationDate,
          ...extra,
        },
      },
    ],
  };
}

/** A field-based BambooHR delivery hiring a worker (hired in the past, so the joiner acts at once). */
export function hireDelivery(employeeId: string, workEmail: string, extra: Record<string, string | null> = {}) {
  return {
    employees: [
      {
        id: employeeId,
        action: 'Created',
        timestamp: new Date().toISOString(),
        changedFields: [],
        fields: { workEmail, firstName: 'Test', lastName: 'Worker', status: 'Active', hireDate: '2024-01-08', terminationDate: null, ...extra },
      },
    ],
  };
}
