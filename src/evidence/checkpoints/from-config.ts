import type { AppConfig } from '../../config/load';
import { ConfigError } from '../../config/load';
import type { Database } from '../../db/database';
import type { Logger } from '../../log';
import type { SlackApi } from '../../slack/client';
import { startCheckpointPublisher, type CheckpointPublisher } from './publisher';
import { directorySink, httpSink, slackSink, type CheckpointSink } from './sinks';

/** The sinks evidence.sinks names; a Slack sink without SLACK_BOT_TOKEN stops start-up. */
export function sinksFor(config: AppConfig, slack: SlackApi | undefined): CheckpointSink[] {
  return config.file.evidence.sinks.map((sink, i) => {
    switch (sink.type) {
      case 'directory':
        return directorySink(sink.path);
      case 'http':
        return httpSink({ url: sink.url, ...(sink.tokenEnv ? { token: config.secrets[sink.tokenEnv] } : {}) });
      case 'slack': {
        if (!slack) throw new ConfigError(`${config.env.JML_CONFIG}: evidence.sinks.${i}: a slack sink needs SLACK_BOT_TOKEN`);
        return slackSink(slack, (sink.channel ?? config.file.sla.securityChannel)!);
      }
    }
  });
}

/**
 * The checkpoint publisher of a worker process, when JML_EVIDENCE_SIGNING_KEY is set; sinks
 * without a key stop start-up (nothing would be signed), no key at all is a warning.
 */
export function checkpointPublisherFor(config: AppConfig, deps: { db: Database; slack: SlackApi | undefined; log: Logger }): CheckpointPublisher | undefined {
  const key = config.env.JML_EVIDENCE_SIGNING_KEY;
  const sinks = sinksFor(config, deps.slack);
  if (!key) {
    if (sinks.length > 0) throw new ConfigError('env: JML_EVIDENCE_SIGNING_KEY: not set, but evidence.sinks are configured (create one with jml evidence keygen)');
    deps.log.warn('JML_EVIDENCE_SIGNING_KEY is not set: no signed evidence checkpoints are published, so removing or rewriting evidence with the database owner\'s rights goes unnoticed');
    return undefined;
  }
  if (sinks.length === 0) deps.log.warn('evidence.sinks is empty: signed checkpoints are kept only in the database');
  deps.log.info({ keyId: key.keyId, sinks: sinks.map((s) => s.name), everyMs: config.file.evidence.checkpointEvery }, 'evidence checkpoints on');
  return startCheckpointPublisher({ db: deps.db, key, sinks, everyMs: config.file.evidence.checkpointEvery, log: deps.log });
}
