// docs/LEGAL.md, generated from the profile files so a lawyer reviews every value, its article
// and its source's legal status on one page. Pure: the catalogue in, Markdown out. The script
// scripts/generate-legal.ts writes the file; legal-doc.test.ts fails when the file drifts.
import { articleZh } from './article-id.js';
import type { JurisdictionProfile, Setting } from './jurisdiction-profile.js';
import type { ProfileCatalogue } from './profile-loader.js';

type AnySetting = Setting<unknown> | { value: unknown; article: string | null; note?: string; from: string; platformDefault?: boolean };

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function valueText(v: unknown): string {
  if (v === null) return '—';
  if (typeof v === 'number' && v > 0 && v < 1) return `${Math.round(v * 1000) / 10}%`;
  return String(v);
}

function row(label: string, s: AnySetting): string {
  const article = s.article ? `${s.article} (${articleZh(s.article)})` : ('platformDefault' in s && s.platformDefault ? 'platform default, no article' : '—');
  const from = s.from;
  return `| ${label} | ${cell(valueText(s.value))} | ${cell(article)} | ${from} | ${cell(s.note ?? '')} |`;
}

const SETTINGS: [string, (p: JurisdictionProfile) => AnySetting][] = [
  ['retention: minimum days', (p) => p.retention.minimumDays],
  ['retention: key anti-terror targets, days', (p) => p.retention.keyTargetDays],
  ['retention: important incident footage, days', (p) => p.retention.incidentDays],
  ['retention: delete after the purpose is achieved', (p) => p.retention.deleteAfterPurpose],
  ['filing: days', (p) => p.filing.deadlineDays],
  ['filing: counted from', (p) => p.filing.deadlineStartsAt],
  ['filing: legacy systems, days', (p) => p.filing.legacyDeadlineDays],
  ['filing: police visit, days', (p) => p.filing.policeVisitDays],
  ['removal/moving: notice days', (p) => p.relocation.noticeDays],
  ['moving: coverage restored, hours', (p) => p.relocation.coverageRestoreHours],
  ['municipal damage: restored, hours', (p) => p.maintenance.municipalDamageRestoreHours],
  ['good-rate target', (p) => p.maintenance.goodRateTarget],
  ['online-rate target', (p) => p.maintenance.onlineRateTarget],
  ['fault duty', (p) => p.repair.faultDuty],
  ['fault: respond, hours', (p) => p.repair.faultRespondHours],
  ['fault: repair, hours', (p) => p.repair.faultRepairHours],
  ['fault: police told after, hours', (p) => p.repair.policeEscalationHours],
  ['officers to view', (p) => p.access.officersToView],
  ['officers to copy or retrieve', (p) => p.access.officersToCopy],
  ['approval to view', (p) => p.access.viewApproval],
  ['approval to copy or retrieve', (p) => p.access.copyApproval],
  ['police head for other administrations', (p) => p.access.policeHeadForOtherAdministrations],
  ['individuals view footage about them', (p) => p.access.individualView],
  ['approval to connect a police platform', (p) => p.access.connectApproval],
  ['notice signs required', (p) => p.signageRequired],
];

function profileSection(p: JurisdictionProfile, categoryName: (id: string) => string): string[] {
  const s = p.source;
  const dates = `in force from ${s.effectiveFrom ?? 'an unrecorded date'}${s.effectiveTo ? ` to ${s.effectiveTo}` : ''}`;
  const out = [
    `## ${p.name.zh} — ${p.name.en} (\`${p.id}\`, ${p.code}-n)`,
    '',
    `- Source: ${s.title.zh} — ${s.title.en}`,
    `- Status: **${s.status}**, ${dates}${p.role !== 'jurisdiction' ? `; role: ${p.role}` : ''}`,
    `- Inherits: ${p.lineage.slice(1).join(' → ') || 'nothing'}`,
  ];
  if (s.note) out.push(`- Note: ${s.note}`);
  if (p.filing.legacyCountsFrom) out.push(`- Legacy filing counts from: ${p.filing.legacyCountsFrom}`);
  out.push('', '| value | setting | article | from | note |', '|---|---|---|---|---|');
  for (const [label, get] of SETTINGS) out.push(row(label, get(p)));
  const duties = Object.entries(p.duties).filter(([, a]) => a.length).map(([d, a]) => `${d}: ${a.join(', ')}`);
  if (duties.length) out.push('', `Duties: ${duties.join('; ')}.`);
  if (p.prohibitedCategories.length) {
    out.push('', 'Prohibited (privacy) places:', '');
    for (const r of p.prohibitedCategories) out.push(`- ${categoryName(r.category)} — ${r.articles.join(', ')}`);
  }
  if (p.penalties.length) {
    out.push('', 'Penalties:', '');
    for (const x of p.penalties) {
      const fines = x.fines.map((f) => `${f.payer} ¥${f.minYuan}–${f.maxYuan}${f.orWarning ? ' or a warning' : ''}${f.condition ? ` (${f.condition.en})` : ''}`);
      out.push(`- ${x.article} (${articleZh(x.article)}), ${x.when}: ${x.offence.en} — ${x.perLaw ? x.perLaw.en : fines.join('; ')}${x.from !== p.id ? ` [from ${x.from}]` : ''}`);
    }
  }
  out.push('');
  return out;
}

export function renderLegalDoc(catalogue: ProfileCatalogue): string {
  const name = (id: string) => {
    const c = catalogue.categories.get(id);
    return c ? `${c.name.zh} (${c.name.en})` : id;
  };
  const order = (p: JurisdictionProfile) => ({ 'law-layer': 0, jurisdiction: 1, history: 2 })[p.role];
  const profiles = catalogue.list().sort((a, b) => order(a) - order(b) || (a.id === 'national' ? -1 : b.id === 'national' ? 1 : a.id.localeCompare(b.id)));
  return [
    '# Legal values per jurisdiction profile',
    '',
    'GENERATED from `profiles/*.json` by `npx tsx scripts/generate-legal.ts`; do not edit by hand',
    '(`src/domain/legal-doc.test.ts` fails when this file and the profiles differ).',
    'Every value with its article and the profile it comes from; an unset value (—) says why.',
    'Deadlines in days are counted as the Civil Code counts them (arts. 200–204): from the next day,',
    'to 24:00 of the last day, a last day on a rest day moved to the next working day (`calendar/`).',
    '',
    ...profiles.flatMap((p) => profileSection(p, name)),
  ].join('\n');
}
