/** Finds or builds the Temporal CLI (see src/temporal/cli-path.ts) and prints where it is. */
import { resolveTemporalCli } from '../src/temporal/cli-path';

const cli = await resolveTemporalCli({ log: (line) => console.error(line) });
if (cli.source === 'sdk-download') {
  console.error('no Temporal CLI found and none could be built; the SDK download will be tried at run time');
} else {
  console.log(`${cli.path} (${cli.source})`);
}
