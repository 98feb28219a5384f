/**
 * Progress of long CLI work (an export, a report over a large window, a verification of a large
 * chain) on one line of the terminal, rewritten in place at most ten times a second. Quiet when
 * stderr is not a terminal (piped, redirected, in CI): the output stays what scripts read.
 */
export interface Progress {
  update(done: number, total?: number): void;
  /** Clears the line. */
  end(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export const noProgress: Progress = { update: () => undefined, end: () => undefined };

/** Runs work that reports to `progress`, ending its line whatever the outcome. */
export async function during<T>(progress: Progress, work: (p: Progress) => Promise<T>): Promise<T> {
  try {
    return await work(progress);
  } finally {
    progress.end();
  }
}

export function terminalProgress(label: string, stream: ProgressStream = process.stderr, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return noProgress;
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      const at = now();
      if (shown && at - last < 100 && (total === undefined || done < total)) return;
      last = at;
      shown = true;
      const share = total !== undefined && total > 0 ? ` (${Math.min(100, Math.floor((done / total) * 100))}%)` : '';
      stream.write(`\r\x1b[2K${label}: ${done.toLocaleString('en')}${total !== undefined ? ` of ${total.toLocaleString('en')}` : ''}${share}`);
    },
    end() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
