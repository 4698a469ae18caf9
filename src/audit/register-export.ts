// The register on paper and in spreadsheets: CSV (every field, for analysis) and PDF (a
// readable table in Chinese and English, for inspectors and case files).
import type { AuditRowFilter } from '../db/audit.repository.js';
import { Errors } from '../errors.js';
import type { AuditLog } from './audit-log.js';
import type { AuditEntry } from './entry.js';
import { renderTablePdf } from './pdf-table.js';

export interface ExportOptions {
  /** Offset from UTC used to print times, in minutes (480 for China Standard Time). */
  utcOffsetMinutes?: number;
}

export const ACTION_LABELS: Record<string, string> = {
  login: '登录 login',
  logout: '退出 logout',
  view: '监看 view',
  playback: '回放 playback',
  copy: '复制 copy',
  retrieve: '调取 retrieve',
  export: '导出 export',
  approval_decision: '审批 approval',
  permission_change: '权限变更 permission change',
  config_change: '配置变更 configuration change',
  registry_view: '查阅基础信息 registry view',
  registry_change: '基础信息变更 registry change',
  register_access: '查阅登记 register access',
  release: '公开发布 release',
};

export const OUTCOME_LABELS: Record<string, string> = { success: '成功 success', refused: '拒绝 refused', failed: '失败 failed' };

/** PDFs are built in memory; past this, export CSV or narrow the filter. */
export const MAX_PDF_ENTRIES = 20_000;

export function formatTime(ms: number | null, offsetMinutes = 0): string {
  if (ms === null) return '';
  const d = new Date(ms + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${d.slice(0, 10)} ${d.slice(11, 19)} ${zone}`;
}

export function formatActors(e: AuditEntry): string {
  return e.actors
    .map((a) => {
      const ids = [a.workId, a.userId !== null ? `#${a.userId}` : null].filter(Boolean).join(', ');
      return `${a.name ?? '?'}${ids ? ` (${ids})` : ''}`;
    })
    .join('; ');
}

/** A CSV field; text that a spreadsheet would run as a formula is prefixed with a quote mark. */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = [
  'seq', 'time', 'action', 'actors', 'camera_ids', 'range_from', 'range_to', 'target', 'purpose', 'destination',
  'approval_id', 'source_address', 'outcome', 'reason', 'detail', 'row_hash',
];

export function toCsvRow(e: AuditEntry, offset = 0): string {
  return [
    e.seq, formatTime(e.at, offset), e.action, formatActors(e), e.cameraIds.join(' '), formatTime(e.from, offset),
    formatTime(e.to, offset), e.target, e.purpose, e.destination, e.approvalId, e.sourceAddress, e.outcome, e.reason,
    JSON.stringify(e.detail), e.rowHash,
  ].map(csvField).join(',');
}

/** The matching entries as CSV (UTF-8 with BOM so spreadsheets read the Chinese), oldest first. */
export async function* exportCsv(log: AuditLog, filter: AuditRowFilter = {}, options: ExportOptions = {}): AsyncGenerator<string> {
  yield `\uFEFF${CSV_HEADER.join(',')}\r\n`;
  let batch: string[] = [];
  for await (const e of log.entries(filter)) {
    batch.push(`${toCsvRow(e, options.utcOffsetMinutes)}\r\n`);
    if (batch.length === 500) {
      yield batch.join('');
      batch = [];
    }
  }
  if (batch.length) yield batch.join('');
}

function describeFilter(f: AuditRowFilter, offset: number): string {
  const parts = [
    f.from !== undefined ? `from ${formatTime(f.from, offset)}` : null,
    f.to !== undefined ? `to ${formatTime(f.to, offset)}` : null,
    f.actorUserId !== undefined ? `user #${f.actorUserId}` : null,
    f.cameraId !== undefined ? `camera #${f.cameraId}` : null,
    f.action !== undefined ? `action ${f.action}` : null,
    f.outcome !== undefined ? `outcome ${f.outcome}` : null,
    f.approvalId !== undefined ? `approval #${f.approvalId}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : '全部 all entries';
}

/** The matching entries as a PDF table, oldest first. */
export async function exportPdf(
  log: AuditLog,
  filter: AuditRowFilter = {},
  options: ExportOptions & { title?: string; generatedAt: number },
): Promise<Buffer> {
  const offset = options.utcOffsetMinutes ?? 0;
  const rows: string[][] = [];
  let first: AuditEntry | undefined;
  let last: AuditEntry | undefined;
  for await (const e of log.entries(filter)) {
    if (rows.length >= MAX_PDF_ENTRIES) {
      throw Errors.validation(`more than ${MAX_PDF_ENTRIES} entries match; narrow the search or export CSV`);
    }
    first ??= e;
    last = e;
    const object = [
      e.cameraIds.length ? `cameras ${e.cameraIds.join(', ')}` : '',
      e.from !== null || e.to !== null ? `${formatTime(e.from, offset)} – ${formatTime(e.to, offset)}` : '',
      e.target ?? '',
    ].filter(Boolean).join('\n');
    rows.push([
      String(e.seq),
      formatTime(e.at, offset),
      ACTION_LABELS[e.action] ?? e.action,
      formatActors(e),
      object,
      e.purpose ?? '',
      e.destination ?? '',
      e.approvalId !== null ? String(e.approvalId) : '',
      e.sourceAddress ?? '',
      `${OUTCOME_LABELS[e.outcome] ?? e.outcome}${e.reason ? `\n${e.reason}` : ''}`,
    ]);
  }
  const columns: [string, number][] = [
    ['序号 Seq', 38], ['时间 Time', 72], ['操作 Action', 62], ['人员 Actors', 110], ['对象 Object', 130],
    ['用途 Purpose', 90], ['去向 Destination', 80], ['审批 Approval', 42], ['来源 Source', 60], ['结果 Outcome', 78],
  ];
  return renderTablePdf({
    title: options.title ?? '访问登记 Access register',
    preamble: [
      `条件 Filter: ${describeFilter(filter, offset)}`,
      `条目 Entries: ${rows.length}${first && last ? ` (seq ${first.seq}–${last.seq})` : ''}`,
      `生成时间 Generated: ${formatTime(options.generatedAt, offset)}`,
      ...(last ? [`末条哈希 Last entry hash: ${last.rowHash}`] : []),
    ],
    columns: columns.map(([header, width]) => ({ header, width })),
    rows,
    footer: 'Vigil',
  });
}
