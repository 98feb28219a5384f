import { ConfigError, loadConfig, parseEnv } from '../config/load';
import { openDatabase } from '../db/database';
import { migrate, pendingMigrations } from '../db/migrate';
import { ExportError, runEvidenceExport } from '../evidence/export-cli';
import { runEvidenceVerify, VerifyUsageError } from '../evidence/verify-cli';
import { runEvidencePrune } from '../evidence/prune-cli';
import { PruneNotOwner } from '../evidence/prune';
import { runPackageVerify } from '../evidence/package-verify';
import { runKeygen, runPublicKey } from '../evidence/checkpoints/key-cli';
import { createLogger } from '../log';
import { checkOffboardingArgs, parseReportWindow, ReportError, runReportOffboarding } from '../reports/report-cli';
import { parseOrphanFormat, runReportOrphans } from '../reports/orphans';
import { devLockHolder } from '../runtime/dev-lock';
import { writeWorkflowBundle } from '../runtime/bundle';
import { runDev, runServer, runWorker, type Stop } from '../runtime/processes';
import { routeSdkLogs } from '../runtime/sdk-logging';
import { startSandbox } from '../sandbox/sandbox';
import { loopbackBindAddress, sdkMetricsReader } from '../metrics/sdk-metrics';
import { allOptions, parseArgs, stringOption, UsageError, type ParsedArgs } from './args';
import { runPreview } from './preview';
import { runDoctor } from './doctor';
import { runSimulate } from './simulate';
import { terminalProgress } from './progress';
import { helpRequested, usageText } from './help';
import { runMigrate } from './migrate';
import { runReportAccessReview, runReviewStart, runReviewStatus } from './review';
import { ReviewStore } from '../reviews/store';

/** Entry point of the `jml` bin; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [command, sub] = args.positional;
  if (args.options.help === true || command === 'help' || command === '--help') {
    console.log(helpRequested(args.positional));
    return 0;
  }
  try {
    switch (command) {
      case 'dev':
      case 'server':
      case 'worker':
        return await runProcess(command);
      case 'bundle': {
        const out = stringOption(args, 'out', true);
        // For workers that encrypt payloads (production's default) unless told they will not.
        const encodeFailures = !parseEnv(process.env).JML_PAYLOADS_IN_CLEAR;
        const bytes = await writeWorkflowBundle(out, { encodeFailures });
        console.log(`workflow bundle written to ${out} (${bytes} bytes; failure messages ${encodeFailures ? 'encoded, for encrypting workers' : 'in clear: JML_PAYLOADS_IN_CLEAR=true'})`);
        return 0;
      }
      case 'report':
        if (sub === 'orphans') return await orphansReport(args);
        if (sub === 'access-review') return await withDatabase((db) => runReportAccessReview(new ReviewStore(db), args, (body) => process.stdout.write(body)));
        if (sub !== 'offboarding') throw new UsageError('report: use "report offboarding", "report orphans" or "report access-review"');
        return await report(args);
      case 'evidence':
        if (sub === 'verify') return await evidenceVerify(args);
        if (sub === 'export') return await evidenceExport(args);
        if (sub === 'prune') return await evidencePrune(args);
        if (sub === 'keygen') return runKeygen((text) => process.stdout.write(text));
        if (sub === 'public-key') return runPublicKey(parseEnv(process.env).JML_EVIDENCE_SIGNING_KEY, (text) => process.stdout.write(text), (line) => console.error(line));
        throw new UsageError('evidence: use "evidence verify", "evidence export", "evidence prune", "evidence keygen" or "evidence public-key"');
      case 'review':
        if (sub === 'start') return await runReviewStart(args, (line) => console.log(line));
        if (sub === 'status') return await withDatabase((db) => runReviewStatus(new ReviewStore(db), args, (line) => console.log(line)));
        throw new UsageError('review: use "review start" or "review status"');
      case 'preview':
        return await runPreview(args, (text) => process.stdout.write(text));
      case 'migrate':
        return await runMigrate(stringOption(args, 'app-role'), (line) => console.log(line));
      case 'doctor':
        return await runDoctor((line) => console.log(line));
      case 'simulate':
        return await runSimulate(args, parseEnv(process.env), (line) => console.log(line));
      case undefined:
        console.log(usageText());
        return 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof ReportError || err instanceof ExportError || err instanceof VerifyUsageError || err instanceof PruneNotOwner) {
      console.error(`jml: ${err.message}`);
      if (err instanceof UsageError) {
        const asked = [command, sub].filter(Boolean).join(' ');
        console.error(asked ? `(jml ${asked} --help for its options)` : '(jml --help for the commands)');
      }
      return 2;
    }
    console.error(`jml: ${(err as Error).message}`);
    return 1;
  }
}

type Loaded = Awaited<ReturnType<typeof loadConfig>>;

async function withDatabase(
  fn: (db: Awaited<ReturnType<typeof openDatabase>>, config: Loaded) => Promise<number>,
  urlOf: (env: Loaded['env']) => string | undefined = (env) => env.DATABASE_URL,
): Promise<number> {
  const config = await loadConfig();
  const url = urlOf(config.env);
  const holder = url ? undefined : await devLockHolder(config.env.JML_DATA_DIR);
  if (holder !== undefined) {
    throw new UsageError(`jml dev (pid ${holder}) holds the embedded database; use the API (e.g. GET /api/reports/offboarding) or stop it first`);
  }
  const db = await openDatabase(url ? { url } : { dataDir: `${config.env.JML_DATA_DIR}/pgdata` });
  try {
    // PGlite is the process's own; on Postgres migrating is `jml migrate`'s, as the owner.
    if (!url) await migrate(db);
    else {
      const pending = await pendingMigrations(db);
      if (pending.length > 0) throw new ConfigError(`database: ${pending.length} migration(s) not applied (first ${pending[0]}): run \`jml migrate\` first`);
    }
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

async function report(args: ParsedArgs): Promise<number> {
  const from = stringOption(args, 'from', true);
  const to = stringOption(args, 'to', true);
  const format = stringOption(args, 'format') ?? 'csv';
  const out = stringOption(args, 'out');
  const request = { from, to, format, ...(out ? { out } : {}) };
  checkOffboardingArgs(request);
  return withDatabase((db) => runReportOffboarding(db, request, (text) => process.stdout.write(text), new Date(), terminalProgress('offboarding report: leaver runs read')));
}

async function orphansReport(args: ParsedArgs): Promise<number> {
  const format = stringOption(args, 'format') ?? 'csv';
  const out = stringOption(args, 'out');
  parseOrphanFormat(format);
  return withDatabase((db) =>
    runReportOrphans(db, { format, ...(out ? { out } : {}) }, (text) => process.stdout.write(text), (line) => console.error(line)),
  );
}

async function evidenceVerify(args: ParsedArgs): Promise<number> {
  const checkpoints = stringOption(args, 'checkpoints');
  const pkg = stringOption(args, 'package');
  const publicKeys = allOptions(args, 'public-key');
  const print = (line: string) => console.log(line);
  if (checkpoints !== undefined && pkg !== undefined) throw new UsageError('give --checkpoints or --package, not both');
  // An exported package is checked on its own: no database, no configuration.
  if (pkg !== undefined) return runPackageVerify(pkg, print, { publicKeys });
  const signingKey = checkpoints !== undefined && publicKeys.length === 0 ? parseEnv(process.env).JML_EVIDENCE_SIGNING_KEY : undefined;
  return withDatabase((db, config) =>
    runEvidenceVerify(db, print, {
      ...(checkpoints !== undefined ? { checkpoints } : {}),
      publicKeys,
      ...(signingKey ? { signingKey } : {}),
      retentionMs: config.file.evidence.retention,
      progress: terminalProgress('evidence verified'),
    }),
  );
}

async function evidencePrune(args: ParsedArgs): Promise<number> {
  const dryRun = args.options['dry-run'];
  if (typeof dryRun === 'string') throw new UsageError('--dry-run takes no value');
  // Dropping a month is the owner's to do: the app role cannot, by design.
  return withDatabase(
    (db, config) => runEvidencePrune(db, { retentionMs: config.file.evidence.retention, dryRun: dryRun === true }, (line) => console.log(line)),
    (env) => env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL,
  );
}

async function evidenceExport(args: ParsedArgs): Promise<number> {
  const from = stringOption(args, 'from', true);
  const to = stringOption(args, 'to', true);
  const out = stringOption(args, 'out', true);
  parseReportWindow(from, to);
  return withDatabase((db) => runEvidenceExport(db, { from, to, out }, (line) => console.log(line), new Date(), (label) => terminalProgress(label)));
}

async function runProcess(command: 'dev' | 'server' | 'worker'): Promise<number> {
  let config = await loadConfig();
  // jml dev with nothing configured shows the product on a sandbox directory instead.
  const sandbox = command === 'dev' && config.file.systems.length === 0 ? await startSandbox({ stateDir: config.env.JML_DATA_DIR, source: process.env }) : undefined;
  if (sandbox) config = await loadConfig(sandbox.env(process.env), sandbox.overlay).catch(async (err: unknown) => {
    await sandbox.close();
    throw err;
  });
  const log = createLogger(config.env.LOG_LEVEL);
  // A process that runs a worker exports the SDK's worker series on a loopback port of its own; /metrics adds them.
  const sdkBind = command === 'server' ? undefined : await loopbackBindAddress();
  if (sdkBind) routeSdkLogs(log, { metricsBindAddress: sdkBind });
  // With OTEL_EXPORTER_OTLP_ENDPOINT set, one trace follows each HR event (src/tracing).
  const tracing = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('../tracing/tracing')).startTracing({ endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: process.env.OTEL_SERVICE_NAME ?? `jml-${command}` })
    : undefined;
  const telemetry = { ...(sdkBind ? { sdkMetrics: sdkMetricsReader(sdkBind) } : {}), ...(tracing ? { tracing } : {}) };
  const stop: Stop =
    command === 'dev'
      ? await runDev(config, log, (line) => console.log(line), { ...telemetry, ...(sandbox ? { sandbox } : {}) })
      : command === 'server'
        ? await runServer(config, log)
        : await runWorker(config, log, telemetry);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stop();
  // The last spans go out before the process does.
  await tracing?.shutdown();
  return 0;
}
