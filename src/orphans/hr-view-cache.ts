import type { HrView } from './hr-view';

/**
 * HR's view loaded once per run (a reconciliation, a review campaign) and shared by that run's
 * steps on this worker, however many systems read at once; kept `ttlMs`, and dropped at once
 * when its load fails so the next step loads it again.
 */
export function hrViewCache(load: () => Promise<HrView>, ttlMs: number) {
  const views = new Map<string, { at: number; view: Promise<HrView> }>();
  return {
    get(key: string): Promise<HrView> {
      const at = Date.now();
      for (const [k, entry] of views) if (at - entry.at > ttlMs) views.delete(k);
      let entry = views.get(key);
      if (!entry) {
        const view = load();
        view.catch(() => views.delete(key));
        entry = { at, view };
        views.set(key, entry);
      }
      return entry.view;
    },
    forget(key: string): void {
      views.delete(key);
    },
  };
}
