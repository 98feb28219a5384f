import { canonicalJson } from '../hash';
import { signText, verifyText, type SigningKey, type VerifyingKey } from './signing-key';

export const checkpointType = 'jml.evidence.checkpoint';

/**
 * A signed statement about the chain head: "at `at`, the evidence chain `chain` had `seq` rows
 * and row `seq` had hash `hash`". Because every hash covers the one before, it vouches for every
 * row up to seq. One JSON object per line in every sink.
 */
export interface Checkpoint {
  type: typeof checkpointType;
  version: 1;
  /** The database and schema the chain lives in (a label, for people reading sinks). */
  chain: string;
  seq: number;
  hash: string;
  /** When the head row was recorded. */
  recordedAt: string;
  /** When the checkpoint was signed. */
  at: string;
  keyId: string;
  /** base64 Ed25519 signature over canonicalJson of every other field. */
  signature: string;
}

export type CheckpointBody = Omit<Checkpoint, 'signature'>;

export function signCheckpoint(key: SigningKey, head: { chain: string; seq: number; hash: string; recordedAt: string }, at: Date): Checkpoint {
  const body: CheckpointBody = { type: checkpointType, version: 1, chain: head.chain, seq: head.seq, hash: head.hash, recordedAt: head.recordedAt, at: at.toISOString(), keyId: key.keyId };
  return { ...body, signature: signText(key, canonicalJson(body)) };
}

export function checkpointVerifies(checkpoint: Checkpoint, key: VerifyingKey): boolean {
  const { signature, ...body } = checkpoint;
  return key.keyId === checkpoint.keyId && verifyText(key, canonicalJson(body), signature);
}

export function checkpointLine(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}

/** A line of a sink's file, or why it is not a checkpoint. */
export function parseCheckpoint(line: string): Checkpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  const c = value as Partial<Checkpoint> | null;
  if (c === null || typeof c !== 'object' || c.type !== checkpointType) return `not a ${checkpointType}`;
  if (c.version !== 1) return `unknown version ${String(c.version)}`;
  if (!Number.isSafeInteger(c.seq) || (c.seq ?? 0) < 1) return 'seq is not a positive integer';
  for (const field of ['chain', 'hash', 'recordedAt', 'at', 'keyId', 'signature'] as const) {
    if (typeof c[field] !== 'string') return `${field} is missing`;
  }
  return c as Checkpoint;
}
