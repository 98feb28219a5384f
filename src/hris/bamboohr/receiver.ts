import { WebhookRejection } from '../../api/webhook-errors';
import type { HrEvent } from '../hr-event';
import { parseJson, type HrReceiver, type ReceiveContext, type Received, type ReceiverLogger, type RefusedEmployee } from '../receiver';
import { findUnstorableText, unstorableField } from '../storable-text';
import { BambooHrClientError, type BambooHrClient } from './client';
import type { HrFieldsConfig } from '../../config/file';
import { bambooHrFields, type BambooHrFields } from './hr-fields';
import { bambooChanges, employeeRecordFieldsWith, missingFields, normalizeBambooChange, type BambooChange } from './normalize';
import { parseBambooPayload, type BambooFieldValues, type BambooPayload } from './payload';
import { verifyBambooSignature } from './signature';

/**
 * POST /webhooks/bamboohr as BambooHR sends it: JSON only (a form-encoded webhook is refused
 * with a hint), X-BambooHR-Signature over the raw body and timestamp, an event-based or
 * field-based payload. Thin payloads (event-based ones carry no values) are completed by
 * fetching the employee from the BambooHR API, unless the event is already stored. So is a
 * change whose payload lacks an HR field declared in identity.hrFields: one more API call for
 * such a delivery, and none when no declared field is kept in BambooHR.
 */
export interface BambooReceiverOptions {
  /** BAMBOOHR_WEBHOOK_SECRET; without it every delivery is refused. */
  secret: string | undefined;
  /** Accepted clock distance of X-BambooHR-Timestamp (hris.bamboohr.signatureWindow). */
  windowMs: number;
  /** Completes thin payloads; without it a thin payload is refused with 400. */
  client: BambooHrClient | undefined;
  /** Largest accepted body; default 1 MiB (a field-based delivery of a thousand employees is about 300 kB). */
  maxBodyBytes?: number;
  /** identity.hrFields: the extra HR fields events carry in worker.hrFields. */
  hrFields?: HrFieldsConfig;
}

export const bambooWebhookPath = '/webhooks/bamboohr';

/** Employees fetched at once while completing thin payloads. */
const apiConcurrency = 4;

export function bambooReceiver(options: BambooReceiverOptions): HrReceiver {
  const declared = bambooHrFields(options.hrFields);
  return {
    source: 'bamboohr',
    label: 'BambooHR',
    path: bambooWebhookPath,
    // A field-based delivery batches every employee changed since the last one: a layoff of
    // thousands is a few MB.
    maxBodyBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
    contentTypeProblem(is) {
      if (is('application/json')) return undefined;
      if (is('application/x-www-form-urlencoded')) {
        return 'form-encoded webhooks are not accepted; choose the JSON format in the BambooHR webhook settings';
      }
      return 'Content-Type must be application/json';
    },
    authenticate(raw, header, now) {
      if (!options.secret) throw new WebhookRejection('not_configured', 'the BambooHR webhook secret is not configured; unsigned events are refused');
      const check = verifyBambooSignature({
        secret: options.secret,
        rawBody: raw,
        signature: header('x-bamboohr-signature'),
        timestamp: header('x-bamboohr-timestamp'),
        now,
        windowMs: options.windowMs,
      });
      if (!check.ok) throw new WebhookRejection(check.code, 'request signature rejected');
    },
    toEvents: (raw, context) => bambooEvents(options, declared, raw, context),
  };
}

async function bambooEvents(options: BambooReceiverOptions, declared: BambooHrFields, raw: Buffer, context: ReceiveContext): Promise<Received> {
  const json = parseJson(raw);
  const parsed = parseBambooPayload(json);
  if (!parsed.ok) throw new WebhookRejection('invalid_payload', `${parsed.path}: ${parsed.message}`, { field: parsed.path });

  // An employee with text Postgres cannot store is refused; the rest of the delivery is taken.
  const refused = new Map<string, RefusedEmployee>();
  const refuse = (employeeId: string, found: { path: string; reason: string }) => {
    if (!refused.has(employeeId)) refused.set(employeeId, { employeeId, field: found.path, reason: found.reason });
  };
  for (const entry of rawEntries(json, parsed.payload)) {
    const found = findUnstorableText(entry.value, entry.path);
    if (found) refuse(entry.employeeId, found);
  }

  const changes = uniqueBy(bambooChanges(parsed.payload, declared), (c) => c.eventId).filter((c) => !refused.has(c.employeeId));
  const missing = (change: BambooChange) => missingFields(change, declared);
  // A redelivery of stored thin events needs no API call: the stored copy is what counts. A
  // complete change needs no look-up: storing it finds a redelivery and answers with the stored copy.
  const thinOrStored = changes.filter((c) => missing(c).length > 0);
  const known = thinOrStored.length > 0 ? await context.stored(thinOrStored.map((c) => c.eventId)) : new Map<string, HrEvent>();
  const thin = thinOrStored.filter((c) => !known.has(c.eventId));
  const { records, gone } = await completeThin(options.client, context.log, thin, declared);

  const normalizeContext = {
    receivedAt: context.receivedAt.toISOString(),
    via: 'webhook' as const,
    ...(context.sourceIp ? { sourceIp: context.sourceIp } : {}),
    ...(declared.length > 0 ? { hrFields: declared } : {}),
  };
  const events: HrEvent[] = [];
  let ignored = 0;
  for (const change of changes) {
    const event =
      known.get(change.eventId) ??
      (gone.has(change.employeeId) && missingFields(change).length > 0
        ? undefined // deleted meanwhile: its own deleted event follows (a change lacking only HR fields is still taken)
        : normalizeBambooChange(change, normalizeContext, records.get(change.employeeId)));
    if (!event) {
      ignored += 1;
      continue;
    }
    // What the API filled in is checked too (as worker.*: it is not in the payload).
    const found = unstorableField(event);
    if (found) refuse(event.employeeId, found);
    else events.push(event);
  }
  return { events: events.filter((e) => !refused.has(e.employeeId)), ignored, refused: [...refused.values()] };
}

/** Each employee's part of the JSON as sent, with its path, for the text check. */
function rawEntries(json: unknown, payload: BambooPayload): { employeeId: string; path: string; value: unknown }[] {
  if (payload.format === 'event') return [{ employeeId: payload.body.data.employeeId, path: '', value: json }];
  const entries = (json as { employees: unknown[] }).employees;
  return payload.body.employees.map((entry, i) => ({ employeeId: entry.id, path: `employees[${i}]`, value: entries[i] }));
}

/** Fetches each thin change's employee once, a few at a time; 404 marks the employee gone. */
async function completeThin(client: BambooHrClient | undefined, log: ReceiverLogger, thin: BambooChange[], declared: BambooHrFields) {
  const records = new Map<string, BambooFieldValues>();
  const gone = new Set<string>();
  if (thin.length === 0) return { records, gone };
  if (!client) {
    const first = thin.find((c) => missingFields(c).length > 0);
    if (!first) {
      // Only declared HR fields are missing: the lifecycle event is not held back for them.
      log.warn({ employeeIds: thin.map((c) => c.employeeId).slice(0, 20), fields: declared.map((d) => d.field) }, 'BambooHR API not configured: HR fields the payload lacks are left out');
      return { records, gone };
    }
    throw new WebhookRejection(
      'thin_payload',
      `employee ${first.employeeId}: the payload lacks ${missingFields(first, declared).join(', ')} and no BambooHR API client is configured ` +
        '(set BAMBOOHR_API_URL and BAMBOOHR_API_KEY, or post these fields in the webhook)',
      { employeeId: first.employeeId, missing: missingFields(first, declared) },
    );
  }
  // The declared HR fields are asked for too; without any, the call is the one it always was.
  const fields = employeeRecordFieldsWith(declared);
  const ids = [...new Set(thin.map((c) => c.employeeId))];
  for (let i = 0; i < ids.length; i += apiConcurrency) {
    await Promise.all(
      ids.slice(i, i + apiConcurrency).map(async (id) => {
        try {
          records.set(id, await client.getEmployee(id, fields));
        } catch (err) {
          if (err instanceof BambooHrClientError && err.code === 'bamboohr_not_found') {
            log.warn({ employeeId: id }, 'BambooHR employee not found while completing a webhook; skipped');
            gone.add(id);
            return;
          }
          const code = err instanceof BambooHrClientError ? err.code : 'bamboohr_unavailable';
          log.warn({ employeeId: id, code }, 'BambooHR API call failed; asking BambooHR to retry');
          throw new WebhookRejection('hris_unavailable', `could not complete the payload from the BambooHR API (${code}); retry later`);
        }
      }),
    );
  }
  return { records, gone };
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(key(item)) ? false : (seen.add(key(item)), true)));
}
