import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/evidence/chain';
import { chainHash, genesisHash } from '../../../src/evidence/hash';
import type { EvidenceRecord } from '../../../src/evidence/types';

function chain(n: number): EvidenceRecord[] {
  const rows: EvidenceRecord[] = [];
  let prevHash = genesisHash;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      stepKey: `step-${seq}`,
      employeeId: 'e1',
      hrSource: 'bamboohr',
      actorType: 'engine' as const,
      actorId: 'test',
      action: 'sessions.kill',
      occurredAt: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(),
      recordedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(),
      outcome: 'success' as const,
      context: { i: seq },
    };
    const hash = chainHash(prevHash, content);
    rows.push({ ...content, seq, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

async function verify(rows: EvidenceRecord[], pageSize = 3) {
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  async function* pages() {
    for (let i = 0; i < sorted.length; i += pageSize) yield sorted.slice(i, i + pageSize);
  }
  return verifyChain(pages(), async (hash) => sorted.find((r) => r.hash === hash)?.seq);
}

const kinds = (r: Awaited<ReturnType<typeof verify>>) => r.problems.map((p) => `${p.seq}:${p.problem}`);

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', async () => {
    const ok = await verify(chain(10));
    expect(ok).toMatchObject({ ok: true, checked: 10, problemCount: 0, problems: [] });
    expect(ok.head?.seq).toBe(10);
    expect(await verify([])).toMatchObject({ ok: true, checked: 0, head: null });
  });

  it('reports an edited row once', async () => {
    const rows = chain(10);
    rows[4] = { ...rows[4]!, outcome: 'failure' };
    expect(kinds(await verify(rows))).toEqual(['5:edited']);
  });

  it('reports a deleted row at the next one', async () => {
    const rows = chain(10).filter((r) => r.seq !== 5);
    const result = await verify(rows);
    expect(kinds(result)).toEqual(['6:deleted']);
    expect(result.problems[0]?.detail).toContain('seq 5 missing');
  });

  it('reports deleted first rows', async () => {
    expect(kinds(await verify(chain(5).slice(2)))).toEqual(['3:deleted']);
  });

  it('reports swapped rows as reordered, not edited', async () => {
    const rows = chain(10);
    const [a, b] = [rows[4]!, rows[5]!];
    rows[4] = { ...b, seq: 5 };
    rows[5] = { ...a, seq: 6 };
    expect(kinds(await verify(rows))).toEqual(['5:reordered', '6:reordered', '7:reordered']);
  });

  it('reports a row moved to the end as reordered, not deleted', async () => {
    const rows = chain(10).map((r) => (r.seq === 3 ? { ...r, seq: 11 } : r));
    const result = await verify(rows);
    expect(result.problems.every((p) => p.problem === 'reordered')).toBe(true);
  });

  it('reports renumbered seqs with intact links as edited', async () => {
    const rows = chain(6).map((r) => (r.seq >= 4 ? { ...r, seq: r.seq + 1 } : r));
    expect(kinds(await verify(rows))).toEqual(['5:edited']);
  });
});
