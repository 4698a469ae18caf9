// The compliance dashboard per region (R8): coverage of mandatory place categories and points in
// prohibited places (the registry's coverage report), filings due and overdue, retention
// shortfalls from the recorder's index, the good rate from the health figures, and open
// rectification orders — each with its article, as JSON, CSV and PDF, in Chinese or English.
import type { Actor } from '../access/actor.js';
import { renderTablePdf } from '../audit/pdf-table.js';
import { toCsvLine } from '../registry/csv.js';
import { Gate, type SupervisionDeps } from './deps.js';
import { filingDeadline, filingState } from './filing-rules.js';
import { dates } from './filing.service.js';
import { isRectificationOverdue, type RectificationState } from './rectification-rules.js';
import { chinaDate, retentionHeld } from './retention-held.js';
import { legalStanding, type LegalStanding } from '../domain/legal-status.js';

export interface RegionCompliance {
  regionId: number; name: string; nameEn: string | null; level: string | null; path: string; profileId: string;
  /** Whether the region's profile is law today; a draft or expired text is said so in the report. */
  standing: LegalStanding;
  cameras: number;
  mandatoryMissing: { category: string; articles: string[] }[];
  prohibited: { placeCategory: string; cameras: number; articles: string[] }[];
  filings: { systems: number; filed: number; due: number; overdue: number; notStarted: number; noDeadline: number; article: string | null };
  retention: { inService: number; shortfalls: number; requiredDays: number | null; article: string | null };
  goodRate: { good: number; total: number; day: string; target: number | null; article: string | null } | null;
  rectifications: { open: number; overdue: number };
}

export interface ComplianceReport { generatedAt: number; regions: RegionCompliance[] }

export class ComplianceService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  async report(actor: Actor): Promise<ComplianceReport> {
    const now = this.d.clock.now();
    const coverage = await this.d.registry.coverage.report();
    const platforms = await this.d.repos.organisations.list({ kind: 'platform' });
    const byId = new Map(platforms.map((p) => [p.id, p]));
    const regions = coverage.regions.filter((r) => this.gate.allows(actor, 'read-compliance', [r.path]));
    const pathOf = (regionId: number) => byId.get(regionId)?.path ?? '\0';
    const under = (regionPath: string, regionId: number) => pathOf(regionId).startsWith(regionPath);

    const systems = await this.d.repos.supervision.systems();
    const firstFiling = new Map<number, number>();
    for (const s of systems) {
      const f = await this.d.repos.supervision.where('filings', 'system_id', s.id);
      if (f[0]) firstFiling.set(s.id, f[0].submitted_at);
    }
    const cams = await this.d.repos.supervision.camerasInService();
    const oldest = await this.d.repos.recordingIndex.oldestRecorded(cams.map((c) => c.id));
    const orders = await this.d.repos.supervision.openRectifications();
    const unitRegion = new Map((await this.d.repos.organisations.getMany([...new Set(orders.map((o) => o.unit_id))])).map((u) => [u.id, u.parentId]));

    const out: RegionCompliance[] = [];
    for (const r of regions) {
      const profile = this.d.catalogue.require(r.profileId);
      const org = byId.get(r.regionId);
      const mine = systems.filter((s) => under(r.path, s.region_id));
      const filings = { systems: mine.length, filed: 0, due: 0, overdue: 0, notStarted: 0, noDeadline: 0, article: profile.filing.deadlineDays.article };
      for (const s of mine) {
        const st = filingState(filingDeadline(profile, dates(s)), firstFiling.get(s.id) ?? null, now);
        if (st === 'filed' || st === 'filed-late') filings.filed++;
        else if (st === 'due') filings.due++;
        else if (st === 'overdue') filings.overdue++;
        else if (st === 'not-started') filings.notStarted++;
        else filings.noDeadline++;
      }
      const inService = cams.filter((c) => under(r.path, c.regionId));
      const shortfalls = inService.filter((c) => retentionHeld(profile, chinaDate(c.inServiceDate), oldest.get(c.id) ?? null, now).shortfall).length;
      const good = await this.d.repos.supervision.goodRate(inService.map((c) => c.id));
      const target = profile.maintenance.goodRateTarget;
      const regionOrders = orders.filter((o) => {
        const parent = unitRegion.get(o.unit_id);
        return parent != null && under(r.path, parent);
      });
      out.push({
        regionId: r.regionId, name: r.name, nameEn: org?.nameEn ?? null, level: r.level, path: r.path, profileId: r.profileId, cameras: r.cameras,
        standing: legalStanding(profile, now),
        mandatoryMissing: r.missing,
        prohibited: coverage.violations.filter((v) => under(r.path, v.regionId)).map((v) => ({ placeCategory: v.placeCategory, cameras: v.cameras, articles: v.articles })),
        filings,
        retention: { inService: inService.length, shortfalls, requiredDays: profile.retention.minimumDays.value, article: profile.retention.minimumDays.article },
        goodRate: good && good.total ? { ...good, target: target.value, article: target.article } : null,
        rectifications: {
          open: regionOrders.length,
          overdue: regionOrders.filter((o) => isRectificationOverdue({ state: o.state as RectificationState, dueAt: o.due_at, reportedAt: o.reported_at, closedAt: o.closed_at }, now)).length,
        },
      });
    }
    await this.d.log.record(actor, { action: 'registry_view', outcome: 'success', target: 'compliance report', detail: { regions: out.length } });
    return { generatedAt: now, regions: out };
  }
}

export type Lang = 'zh' | 'en';

const HEADERS: Record<Lang, string[]> = {
  zh: ['区域', '适用规定', '摄像机', '应装未装场所', '禁装场所违规', '备案（已备/应备/逾期）', '留存不足', '完好率', '整改（未结/逾期）'],
  en: ['Region', 'Profile', 'Cameras', 'Mandatory places missing', 'Prohibited-place points', 'Filings (filed/due/overdue)', 'Retention shortfalls', 'Good rate', 'Rectifications (open/overdue)'],
};
const NOT_MEASURED: Record<Lang, string> = { zh: '未测量', en: 'not measured' };
const STATUS: Record<Lang, Record<string, string>> = {
  zh: { draft: '征求意见稿，非现行规定', expired: '已失效', 'not-yet-in-force': '尚未施行' },
  en: { draft: 'a draft, not law in force', expired: 'expired', 'not-yet-in-force': 'not yet in force' },
};

function cells(r: RegionCompliance, lang: Lang): string[] {
  const cite = (a: string | null) => (a ? ` (${a})` : '');
  const g = r.goodRate;
  const rate = g ? `${((g.good / g.total) * 100).toFixed(1)}%${g.target !== null ? ` / ${(g.target * 100).toFixed(0)}%${cite(g.article)}` : ''}` : NOT_MEASURED[lang];
  return [
    lang === 'en' && r.nameEn ? r.nameEn : r.name,
    r.standing.status === 'in-force' ? r.profileId : `${r.profileId} (${STATUS[lang][r.standing.status]})`,
    String(r.cameras),
    r.mandatoryMissing.length ? `${r.mandatoryMissing.length}: ${r.mandatoryMissing.map((m) => m.category).join(', ')}` : '0',
    r.prohibited.length ? r.prohibited.map((p) => `${p.placeCategory} ×${p.cameras} (${p.articles.join(', ')})`).join('; ') : '0',
    `${r.filings.filed}/${r.filings.due}/${r.filings.overdue}${cite(r.filings.article)}`,
    `${r.retention.shortfalls}/${r.retention.inService}${cite(r.retention.article)}`,
    rate,
    `${r.rectifications.open}/${r.rectifications.overdue}`,
  ];
}

export function complianceCsv(report: ComplianceReport, lang: Lang): string {
  // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
  return `\uFEFF${[toCsvLine(HEADERS[lang]), ...report.regions.map((r) => toCsvLine(cells(r, lang)))].join('\r\n')}\r\n`;
}

export function compliancePdf(report: ComplianceReport, lang: Lang): Buffer {
  const when = new Date(report.generatedAt + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  const widths = [110, 50, 45, 120, 110, 90, 70, 90, 80];
  return renderTablePdf({
    title: lang === 'zh' ? '公共安全视频图像信息系统合规报告' : 'Video image information systems: compliance report',
    preamble: [lang === 'zh' ? `生成时间（北京时间）：${when}` : `Generated (China Standard Time): ${when}`],
    columns: HEADERS[lang].map((header, i) => ({ header, width: widths[i]! })),
    rows: report.regions.map((r) => cells(r, lang)),
    footer: 'Vigil',
  });
}
