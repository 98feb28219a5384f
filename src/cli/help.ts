/** What `jml --help` and `jml <command> --help` print: each command's usage, options and exit codes. */
export interface CommandHelp {
  usage: string;
  summary: string;
  options?: readonly (readonly [string, string])[];
  exits: readonly (readonly [number, string])[];
}

const usageError = [2, 'bad arguments or configuration (one line saying which)'] as const;

export const commandHelp: Readonly<Record<string, CommandHelp>> = {
  dev: {
    usage: 'jml dev',
    summary: 'API and worker in one process; an embedded Temporal dev server without TEMPORAL_ADDRESS, an embedded PGlite without DATABASE_URL, and a sandbox directory when no systems are configured',
    exits: [[0, 'stopped by Ctrl-C or SIGTERM'], [1, 'could not start (the reason is printed)'], usageError],
  },
  server: {
    usage: 'jml server',
    summary: 'the HTTP API: webhooks, Slack, the audit API, /healthz, /metrics (as the app role: never the owner)',
    exits: [[0, 'stopped by SIGTERM'], [1, 'could not start'], usageError],
  },
  worker: {
    usage: 'jml worker',
    summary: 'a Temporal worker for workflows and every system\'s steps, /metrics on JML_METRICS_PORT; run several to scale',
    exits: [[0, 'stopped by SIGTERM, in-flight steps drained'], [1, 'could not start'], usageError],
  },
  bundle: {
    usage: 'jml bundle --out FILE',
    summary: 'the workflow code bundled ahead of time; workers load it with JML_WORKFLOW_BUNDLE',
    options: [['--out FILE', 'where to write the bundle']],
    exits: [[0, 'written'], [1, 'bundling failed'], usageError],
  },
  'report offboarding': {
    usage: 'jml report offboarding --from D --to D [--format csv|json|pdf] [--out FILE]',
    summary: 'the offboarding timeliness report, one row per leaver whose termination took effect in the window',
    options: [
      ['--from D, --to D', 'UTC dates (the whole --to day is included) or ISO timestamps with a zone'],
      ['--format csv|json|pdf', 'default csv; pdf needs --out'],
      ['--out FILE', 'write there instead of standard output'],
    ],
    exits: [[0, 'written'], [1, 'the database could not be read'], usageError],
  },
  'report orphans': {
    usage: 'jml report orphans [--format csv|json] [--out FILE]',
    summary: 'accounts active in a connected system whose owner HR says has left, or never knew',
    options: [['--format csv|json', 'default csv'], ['--out FILE', 'write there instead of standard output']],
    exits: [[0, 'written (systems whose latest listing failed are named on stderr)'], [1, 'the database could not be read'], usageError],
  },
  'report access-review': {
    usage: 'jml report access-review --campaign ID [--format csv|json|pdf] [--out FILE]',
    summary: 'every item of an access-review campaign with its decision (who, when, why), its scope, snapshot and completion per reviewer and department',
    options: [['--campaign ID', 'e.g. review-2027-Q1 (jml review status names the latest)'], ['--format csv|json|pdf', 'default csv; pdf needs --out'], ['--out FILE', 'write there instead of standard output']],
    exits: [[0, 'written'], [1, 'the database could not be read'], usageError],
  },
  'review start': {
    usage: 'jml review start [--scope system=ID|entitlement=PATTERN|department=NAME ...]',
    summary: 'opens an access-review campaign now (besides the reviews.schedule ones): every active worker\'s access is read live and each manager asked to keep or revoke it',
    options: [['--scope k=v', 'narrow it (repeatable, values comma-separated): system=okta, entitlement=\'group:*admin*\', department=Engineering; default reviews.scope']],
    exits: [[0, 'started (its ID is printed)'], [1, 'Temporal could not be reached'], usageError],
  },
  'review status': {
    usage: 'jml review status [--campaign ID]',
    summary: 'how far a campaign is: items kept, revoked, pending and not reviewed, per department and per reviewer (the latest campaign by default)',
    options: [['--campaign ID', 'e.g. review-2027-Q1']],
    exits: [[0, 'shown'], [1, 'no such campaign, or the database could not be read'], usageError],
  },
  'evidence verify': {
    usage: 'jml evidence verify [--checkpoints DIR|FILE [--public-key FILE ...]] | --package DIR [--public-key FILE ...]',
    summary: 're-hashes the evidence chain (from after the months removed past retention), checks the report\'s kept rows, and with --checkpoints every signed checkpoint; --package checks an exported package offline',
    options: [
      ['--checkpoints DIR|FILE', 'the checkpoint lines the sinks received (*.jsonl)'],
      ['--public-key FILE', 'the signer\'s public key (repeatable); default the public half of JML_EVIDENCE_SIGNING_KEY'],
      ['--package DIR', 'a directory written by jml evidence export; needs no database'],
    ],
    exits: [[0, 'everything holds'], [1, 'a problem was found (one line each)'], usageError],
  },
  'evidence export': {
    usage: 'jml evidence export --from D --to D --out DIR',
    summary: "the auditor's package: evidence.jsonl, offboarding.csv, summary.pdf, checkpoints.jsonl, chain-links.jsonl, public-keys/, manifest.json",
    options: [['--from D, --to D', 'the window, as for jml report offboarding'], ['--out DIR', 'a new or empty directory']],
    exits: [[0, 'written and the chain is intact'], [1, 'written, but the chain has problems (named)'], usageError],
  },
  'evidence prune': {
    usage: 'jml evidence prune [--dry-run]',
    summary: 'removes whole months of evidence that ended before now - evidence.retention, as the owner (DATABASE_MIGRATION_URL), recording where verification then starts',
    options: [['--dry-run', 'check and say what would go, remove nothing']],
    exits: [[0, 'every month past retention removed (or nothing due)'], [1, 'a month had to stay (the reason is printed)'], usageError],
  },
  'evidence keygen': {
    usage: 'jml evidence keygen',
    summary: 'a new checkpoint signing key (a JML_EVIDENCE_SIGNING_KEY line) and its public key',
    exits: [[0, 'printed']],
  },
  'evidence public-key': {
    usage: 'jml evidence public-key',
    summary: 'the public key (PEM) of JML_EVIDENCE_SIGNING_KEY, for auditors; its key ID on stderr',
    exits: [[0, 'printed'], usageError],
  },
  preview: {
    usage: 'jml preview --employee [SOURCE:]ID --event hire|change|terminate [--set field=value ...] [--format table|json]',
    summary: 'what an HR event would change in every system, read from the systems now; changes nothing',
    options: [
      ['--employee [SOURCE:]ID', 'bamboohr:123, workday:21001, or a bare ID'],
      ['--event hire|change|terminate', 'the event to preview'],
      ['--set field=value', 'an HR field as the event would carry it (repeatable)'],
      ['--format table|json', 'default table'],
    ],
    exits: [[0, 'previewed'], [1, 'a system could not be read'], usageError],
  },
  migrate: {
    usage: 'jml migrate [--app-role ROLE]',
    summary: 'applies migrations as the owner (DATABASE_MIGRATION_URL), makes the coming months\' evidence partitions, then grants the app role (ROLE, else DATABASE_URL\'s user) only what it needs',
    options: [['--app-role ROLE', 'the role jml server and jml worker connect as']],
    exits: [[0, 'current, and the app role cannot change evidence'], [1, 'the app role could still change evidence'], usageError],
  },
  doctor: {
    usage: 'jml doctor',
    summary: 'config, database and every system: reachable, credentials, permissions; one line per problem',
    exits: [[0, 'everything passes'], [1, 'a check failed'], [2, 'the configuration is invalid']],
  },
  simulate: {
    usage: 'jml simulate hire|change|terminate --employee ID [--field name=value ...]',
    summary: 'sends the running engine a signed BambooHR webhook through the front door (the sandbox roster gives the worker\'s fields), then prints the workflows\' Temporal UI links and how to read the evidence',
    options: [
      ['--employee ID', 'the worker (the sandbox has 1001-1006)'],
      ['--field name=value', 'a BambooHR field to send or override (repeatable), e.g. department=Sales'],
    ],
    exits: [[0, 'accepted (202)'], [1, 'the engine refused it or did not answer'], usageError],
  },
};

/** One command's help text. */
export function formatHelp(help: CommandHelp): string {
  const lines = [`usage: ${help.usage}`, '', help.summary];
  if (help.options?.length) {
    lines.push('', 'options:');
    const width = Math.max(...help.options.map(([flag]) => flag.length));
    for (const [flag, text] of help.options) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  }
  lines.push('', 'exit codes:');
  for (const [code, text] of help.exits) lines.push(`  ${code}  ${text}`);
  return lines.join('\n');
}

/** Every command, a line each. */
export function usageText(): string {
  const lines = ['usage: jml <command> [options]    (jml <command> --help for its options and exit codes)'];
  // A summary's first clause (up to a ';') is its line here.
  for (const [name, help] of Object.entries(commandHelp)) lines.push(`  ${name.padEnd(22)}${help.summary.split(';')[0]}`);
  return lines.join('\n');
}

/** The help a command line asks for (`jml help evidence export`, `jml evidence export --help`), or the usage of every command. */
export function helpRequested(positional: readonly string[]): string {
  const words = positional[0] === 'help' ? positional.slice(1) : positional;
  const key = [words.slice(0, 2).join(' '), words[0] ?? ''].find((k) => k in commandHelp);
  return key ? formatHelp(commandHelp[key]!) : usageText();
}
