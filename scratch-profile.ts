import { openDatabase } from './src/db/database';
import { migrate } from './src/db/migrate';
import { loadOffboardingReport } from './src/reports/report-cli';
import { offboardingCsv } from './src/reports/csv';
import { seedReportWorld } from './bench/report-world';
const schema = process.argv[2] ?? 'prof_report';
const seed = process.argv[3] === 'seed';
const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/test', schema });
if (seed) { await migrate(db); await seedReportWorld(db, 100_000, console.log); }
const asOf = new Date(Date.UTC(2026, 0, 15));
const year = { from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' };
for (let i = 0; i < 4; i++) {
  const t0 = Date.now();
  const report = await loadOffboardingReport(db, year, asOf);
  const t1 = Date.now();
  const j = JSON.stringify(report);
  const t2 = Date.now();
  const c = offboardingCsv(report);
  const t3 = Date.now();
  console.log(`run ${i}: load ${t1 - t0} ms, json ${t2 - t1} ms (${j.length}), csv ${t3 - t2} ms (${c.length}), heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
}
await db.close();
