import express, { type Request, type Response, type Router } from 'express';
import type { Database } from '../db/database';
import { parseReportWindow, renderOffboardingReport, ReportError } from '../reports/report-cli';
import { evidencePackage } from './evidence-package';
import { messagePage } from './guard';

/**
 * The console's downloads for a window (`?from=&to=`, as the report takes them): the
 * offboarding report as CSV or PDF, and the evidence package as one .tar.gz. Mounted behind
 * the sign-in; a bad window is answered 400 with what is wrong, before anything is read.
 */
export function downloadRouter(deps: { db: Database; now: () => Date }): Router {
  const router = express.Router();

  const windowOf = (req: Request, res: Response): { from: string; to: string } | undefined => {
    const { from, to } = req.query;
    try {
      if (typeof from !== 'string' || typeof to !== 'string') throw new ReportError('bad_date', 'from and to are required (YYYY-MM-DD)');
      parseReportWindow(from, to);
      return { from, to };
    } catch (err) {
      if (!(err instanceof ReportError)) throw err;
      messagePage(res, 400, 'Bad window', err.message);
      return undefined;
    }
  };

  for (const format of ['csv', 'pdf'] as const) {
    router.get(`/offboarding.${format}`, async (req, res) => {
      const window = windowOf(req, res);
      if (!window) return;
      const rendered = await renderOffboardingReport(deps.db, { ...window, format }, deps.now());
      res.attachment(`offboarding-${window.from.slice(0, 10)}-${window.to.slice(0, 10)}.${format}`);
      res.status(200).type(rendered.contentType).send(rendered.body);
    });
  }

  router.get('/evidence-package.tar.gz', async (req, res) => {
    const window = windowOf(req, res);
    if (!window) return;
    const pkg = await evidencePackage(deps.db, window, deps.now());
    res.attachment(`${pkg.name}.tar.gz`);
    res.status(200).type('application/gzip').set('X-JML-Chain-OK', String(pkg.chainOk));
    res.once('close', () => {
      if (!pkg.stream.readableEnded) pkg.stream.destroy();
      void pkg.discard();
    });
    pkg.stream.once('error', (err) => res.destroy(err));
    pkg.stream.pipe(res);
  });

  return router;
}
