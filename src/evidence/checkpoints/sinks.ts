import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { SlackApi } from '../../slack/client';
import { checkpointLine, type Checkpoint } from './checkpoint';

/** Somewhere outside the database a checkpoint is published to. */
export interface CheckpointSink {
  /** For logs: the sink's type and where, never a secret. */
  readonly name: string;
  /** What the sink is known by in evidence_checkpoint_deliveries: stable, unique, never a secret. */
  readonly id: string;
  publish(checkpoint: Checkpoint): Promise<void>;
}

/** The file a directory sink appends to (and `jml evidence verify --checkpoints DIR` reads). */
export const checkpointFileName = 'checkpoints.jsonl';

/** Appends one JSON line per checkpoint to DIR/checkpoints.jsonl, opened for append and fsynced after each write. */
export function directorySink(path: string): CheckpointSink {
  return {
    name: `directory ${path}`,
    id: `directory ${path}`,
    async publish(checkpoint) {
      await mkdir(path, { recursive: true });
      const handle = await open(join(path, checkpointFileName), 'a', 0o640);
      try {
        await handle.writeFile(checkpointLine(checkpoint) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

export interface HttpSinkOptions {
  url: string;
  /** Sent as a bearer token. */
  token?: string;
  attempts?: number;
  /** First retry delay, doubled each time. */
  backoffMs?: number;
  timeoutMs?: number;
}

/** POSTs each checkpoint as JSON; retried with backoff; any non-2xx is a failure. */
export function httpSink(options: HttpSinkOptions): CheckpointSink {
  // Only the origin is ever named: a path or query may carry a token.
  const name = `http ${new URL(options.url).origin}`;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  return {
    name,
    // Two URLs on one origin are two sinks; the digest tells them apart without showing the path.
    id: `${name} ${createHash('sha256').update(options.url).digest('hex').slice(0, 16)}`,
    async publish(checkpoint) {
      let problem = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const res = await fetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
            body: checkpointLine(checkpoint),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          await res.body?.cancel().catch(() => undefined);
          if (res.ok) return;
          problem = `status ${res.status}`;
          // A refusal (other than throttling) will not change on its own.
          if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
        } catch (err) {
          problem = (err as Error).name === 'TimeoutError' ? 'timed out' : 'request failed';
        }
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
      }
      throw new Error(`${name}: ${problem}`);
    },
  };
}

/** Posts each checkpoint's line to a Slack channel (the security channel by default). */
export function slackSink(slack: SlackApi, channel: string): CheckpointSink {
  return {
    name: `slack ${channel}`,
    id: `slack ${channel}`,
    async publish(checkpoint) {
      const line = checkpointLine(checkpoint);
      const text = `Evidence checkpoint: seq ${checkpoint.seq}, hash ${checkpoint.hash}, signed ${checkpoint.at} by ${checkpoint.keyId}`;
      await slack.post(channel, {
        text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text } },
          { type: 'section', text: { type: 'mrkdwn', text: '```' + line + '```' } },
        ],
      });
    },
  };
}
