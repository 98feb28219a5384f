import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../log';

/**
 * Routes the Temporal SDK's own logs into ours. Its info-level chatter (bundling, worker state)
 * only shows at debug; warnings and errors always do.
 */
export function routeSdkLogs(log: Logger): void {
  const level: LogLevel = log.isLevelEnabled('debug') ? 'DEBUG' : 'WARN';
  const sdk = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta ?? {};
      if (entry.level === 'ERROR') sdk.error(meta, entry.message);
      else if (entry.level === 'WARN') sdk.warn(meta, entry.message);
      else if (entry.level === 'INFO') sdk.info(meta, entry.message);
      else sdk.debug(meta, entry.message);
    }),
  });
}
