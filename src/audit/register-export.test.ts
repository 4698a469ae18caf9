import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { Db } from '../db/database.js';
import { fixedClock } from '../domain/clock.js';
import { parseCsv } from '../registry/csv.js';
import { AuditLog } from './audit-log.js';
import { PlatformKeys } from './platform-key.js';
import { CSV_HEADER, exportCsv, exportPdf, formatTime } from './register-export.js';
import { renderTablePdf, wrapText } from './pdf-table.js';

const HAS_PDFTOTEXT = spawnSync('pdftotext', ['-v']).status === 0;
const T0 = Date.UTC(2026, 2, 3, 4, 5, 6);

function pdfText(pdf: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-pdf-')), 'r.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of gen) s += c;
  return s;
}

for (const dialect of DIALECTS) {
  describe(`register export on ${dialect}`, () => {
    let db: Db;
    let log: AuditLog;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      const clock = fixedClock(T0);
      log = new AuditLog(db, { keys: PlatformKeys.ephemeral(), clock });
      await log.record({
        action: 'copy',
        actors: [{ userId: 41, workId: '340102', name: '王警官' }, { userId: 42, workId: '340177', name: '李警官' }],
        cameraIds: [900, 901],
        from: T0 - 3_600_000,
        to: T0 - 1_800_000,
        purpose: '刑事案件侦查, "急"',
        destination: '市公安局刑侦支队',
        approvalId: 77,
        sourceAddress: '10.1.2.3',
        outcome: 'success',
        detail: { file: 'a.mp4' },
      });
      clock.advance(1000);
      await log.record({ action: 'login', actors: [{ userId: null, workId: null, name: '=cmd|calc' }], sourceAddress: '203.0.113.9', outcome: 'failed', reason: 'wrong password\nthird try' });
      for (let i = 0; i < 130; i++) {
        clock.advance(1000);
        await db.kysely.transaction().execute((trx) => log.append(trx, { action: 'view', actors: [{ userId: 5, workId: 'G5', name: '值班员' }], cameraIds: [i % 4 + 1], purpose: '值守监看', outcome: 'success' }));
      }
    });
    afterAll(async () => {
      await db?.close();
    });

    it('writes CSV with every field that a CSV reader gets back, formulas defused', async () => {
      const csv = await collect(exportCsv(log, {}, { utcOffsetMinutes: 480 }));
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const records = parseCsv(csv);
      expect(records[0]!.fields).toEqual(CSV_HEADER);
      expect(records).toHaveLength(1 + 132);
      const copy = Object.fromEntries(CSV_HEADER.map((h, i) => [h, records[1]!.fields[i]]));
      expect(copy).toMatchObject({
        seq: '1',
        time: '2026-03-03 12:05:06 +08:00',
        action: 'copy',
        actors: '王警官 (340102, #41); 李警官 (340177, #42)',
        camera_ids: '900 901',
        range_from: '2026-03-03 11:05:06 +08:00',
        purpose: '刑事案件侦查, "急"',
        destination: '市公安局刑侦支队',
        approval_id: '77',
        outcome: 'success',
        detail: '{"file":"a.mp4"}',
      });
      const login = records[2]!.fields;
      expect(login[3]).toBe("'=cmd|calc");
      expect(login[13]).toBe('wrong password\nthird try');
      expect(records.slice(1).map((r) => Number(r.fields[0]))).toEqual(Array.from({ length: 132 }, (_, i) => i + 1));
    });

    it('filters the CSV like a search', async () => {
      const csv = await collect(exportCsv(log, { cameraId: 2 }));
      expect(parseCsv(csv).length - 1).toBe(130 / 4 + 0.5 | 0);
    });

    it.skipIf(!HAS_PDFTOTEXT)('writes a PDF whose Chinese text pdftotext reads back', async () => {
      const pdf = await exportPdf(log, {}, { utcOffsetMinutes: 480, generatedAt: T0 + 3_600_000 });
      expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
      const text = pdfText(pdf);
      for (const s of ['访问登记 Access register', '王警官', '李警官', '市公安局刑侦支队', '刑事案件侦查', '复制 copy', '失败 failed', '2026-03-03', '值守监看', '条目 Entries: 132 (seq 1–132)']) {
        expect(text).toContain(s);
      }
      const pages = execFileSync('pdfinfo', ['-'], { input: pdf, encoding: 'utf8' });
      expect(Number(/Pages:\s+(\d+)/.exec(pages)![1])).toBeGreaterThan(1);
      expect(text).toContain(`1 / ${Number(/Pages:\s+(\d+)/.exec(pages)![1])}`);
    });

    it.skipIf(!HAS_PDFTOTEXT)('keeps text that outruns a page and characters outside the font range readable', () => {
      const long = '很长的说明'.repeat(400);
      const pdf = renderTablePdf({ title: '测试', columns: [{ header: 'A', width: 200 }, { header: 'B', width: 100 }], rows: [['𠀋x', long], ['end', '结束']] });
      const text = pdfText(pdf);
      expect(text).toContain('〓x');
      expect(text).toContain('结束');
      // Page furniture (header row, page numbers) falls between the pieces; the text is all there.
      expect(text.replace(/[^很长的说明]/g, '')).toBe(long);
      expect(text).toMatch(/1 \/ [2-9]/);
    });
  });
}

describe('text layout', () => {
  it('wraps by display width, at spaces where it can', () => {
    expect(wrapText('2026-03-03 12:05:06 +08:00', 8)).toEqual(['2026-03-03', '12:05:06 +08:00']);
    expect(wrapText('一二三四五六', 4)).toEqual(['一二三四', '五六']);
    expect(wrapText('a\nb', 10)).toEqual(['a', 'b']);
  });
  it('prints times with their offset', () => {
    expect(formatTime(Date.UTC(2026, 0, 1, 23, 30), 480)).toBe('2026-01-02 07:30:00 +08:00');
    expect(formatTime(Date.UTC(2026, 0, 1), -90)).toBe('2025-12-31 22:30:00 -01:30');
  });
});
