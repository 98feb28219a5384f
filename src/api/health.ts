import { Router } from 'express';

export interface HealthCheck {
  name: string;
  /**
   * Whether the API can do its work without it. The database is required: without it no
   * webhook can be made durable. Temporal is not: webhooks are stored and handed over once it
   * answers again, so the API is degraded, not down.
   */
  required: boolean;
  check(): Promise<void>;
}

/**
 * GET /healthz: the state of each dependency. 200 `ok` when all answer; 200 `degraded` when only
 * dependencies the API can do without fail (it still takes webhooks); 503 `unavailable` when a
 * required one fails (a load balancer should send webhooks elsewhere). A failing check says
 * `{ok: false, state: failing | timeout}`: why is for the logs and `jml doctor`, not for anyone.
 */
export function healthRouter(checks: HealthCheck[], options: { timeoutMs?: number } = {}): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await withTimeout(c.check(), options.timeoutMs ?? 2000);
          return { check: c, result: { ok: true } as const };
        } catch (err) {
          // A state, never the error's text: /healthz answers anyone, and errors name hosts, roles and paths.
          return { check: c, result: { ok: false, state: err instanceof HealthTimeout ? 'timeout' : 'failing' } as const };
        }
      }),
    );
    const down = results.filter((r) => !r.result.ok);
    const status = down.length === 0 ? 'ok' : down.some((r) => r.check.required) ? 'unavailable' : 'degraded';
    res.status(status === 'unavailable' ? 503 : 200).json({ status, checks: Object.fromEntries(results.map((r) => [r.check.name, r.result])) });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthTimeout(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class HealthTimeout extends Error {}
