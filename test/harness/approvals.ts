import type { ApprovalRecord } from '../../src/approvals/types';
import { adminToken } from './engine';

/** Waits (up to 15 s) for a worker's pending approval to show in `GET /api/approvals`. */
export async function pendingApprovalFor(baseUrl: string, employeeId: string): Promise<ApprovalRecord> {
  for (const deadline = Date.now() + 15_000; ; ) {
    const res = await fetch(`${baseUrl}/api/approvals`, { headers: { authorization: `Bearer ${adminToken}` } });
    const found = ((await res.json()) as { approvals: ApprovalRecord[] }).approvals.find((a) => a.employeeId === employeeId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no pending approval for employee ${employeeId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
