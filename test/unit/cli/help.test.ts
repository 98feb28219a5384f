import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main';
import { commandHelp } from '../../../src/cli/help';
import { terminalProgress } from '../../../src/cli/progress';

describe('jml <command> --help', () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(Object.keys(commandHelp))('%s --help prints its usage, options and exit codes, and does nothing else', async (command) => {
    expect(await main([...command.split(' '), '--help'])).toBe(0);
    const text = printed.join('\n');
    expect(text.startsWith(`usage: jml ${command}`)).toBe(true);
    expect(text).toMatch(/\nexit codes:\n {2}0 {2}/);
    if (commandHelp[command]!.options) expect(text).toContain('\noptions:\n');
    // `jml help <command>` is the same text.
    printed = [];
    expect(await main(['help', ...command.split(' ')])).toBe(0);
    expect(printed.join('\n')).toBe(text);
  });

  it('lists every command with --help, help or nothing (nothing exits 2)', async () => {
    expect(await main(['--help'])).toBe(0);
    const text = printed.join('\n');
    for (const command of Object.keys(commandHelp)) expect(text).toMatch(new RegExp(`^ {2}${command} {2,}\\S`, 'm'));
    printed = [];
    expect(await main([])).toBe(2);
    expect(printed.join('\n')).toBe(text);
  });
});

describe('progress on a terminal', () => {
  it('rewrites one line at most ten times a second, ends it, and says nothing when not a terminal', () => {
    let clock = 0;
    const written: string[] = [];
    const tty = { isTTY: true, write: (t: string) => written.push(t) };
    const p = terminalProgress('evidence verified', tty, () => clock);
    p.update(1000, 5000);
    clock = 50;
    p.update(2000, 5000);
    clock = 150;
    p.update(3000, 5000);
    p.update(5000, 5000);
    p.end();
    expect(written).toEqual([
      '\r\x1b[2Kevidence verified: 1,000 of 5,000 (20%)',
      '\r\x1b[2Kevidence verified: 3,000 of 5,000 (60%)',
      '\r\x1b[2Kevidence verified: 5,000 of 5,000 (100%)',
      '\r\x1b[2K',
    ]);
    const piped: string[] = [];
    const quiet = terminalProgress('evidence verified', { isTTY: false, write: (t: string) => piped.push(t) });
    quiet.update(1, 2);
    quiet.end();
    expect(piped).toEqual([]);
  });
});
