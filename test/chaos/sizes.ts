/**
 * How hard the chaos suite pushes: the full form by default, a reduced one (CHAOS_REDUCED=1)
 * for CI that proves the same properties with fewer leavers, fewer kills and shorter outages.
 */
export const reduced = process.env.CHAOS_REDUCED === '1' || process.env.CHAOS_REDUCED === 'true';

export const sizes = reduced
  ? {
      sessionKillSla: '15s',
      workerKills: { leavers: 20, kills: 2, everyMs: [3000, 5000] as const },
      postgres: { leavers: 10, outageMs: 6000 },
      temporal: { leavers: 10, outageMs: 5000 },
      scim: { leavers: 5, outageMs: 25_000 },
      dev: { leavers: 3, restarts: 1 },
    }
  : {
      sessionKillSla: '60s',
      workerKills: { leavers: 100, kills: 1000, everyMs: [3000, 6000] as const },
      postgres: { leavers: 40, outageMs: 15_000 },
      temporal: { leavers: 40, outageMs: 10_000 },
      scim: { leavers: 10, outageMs: 120_000 },
      dev: { leavers: 5, restarts: 3 },
    };

export const seconds = (sla: string) => Number(sla.replace(/s$/, ''));

/** Figures each scenario reports, printed at the end of its file. */
export function report(title: string, figures: Record<string, unknown>): void {
  console.log(`chaos ${reduced ? '(reduced)' : '(full)'} ${title}: ${JSON.stringify(figures)}`);
}
