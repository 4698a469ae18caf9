// The inspection checklist (监督检查, R8.1; CN-23, AH-23, HRB-32, WH-27), pure: facts gathered
// about one unit — its systems, cameras, what the recorder holds, the register, the good rate —
// the resolved profile and the clock in; one item per duty out, each with the articles behind it
// and a status. Items the platform cannot see (training, duty rosters) wait for the inspector's
// own observation; the good rate is "not measured" when no health figures exist, never guessed.
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { acceptanceRequirement, type AcceptanceResult, type Funding } from './acceptance-rules.js';
import { dutyArticles } from './duties.js';
import { filingDeadline, filingState } from './filing-rules.js';
import { retentionHeld } from './retention-held.js';
import { dutyItems, recordedOrObserved } from './checklist-duties.js';
import type { DutyRecordFacts } from './duty-records.js';

export const CHECKLIST_KEYS = [
  'acceptance', 'filing', 'signage', 'retention', 'accessRegister', 'goodRate', 'maintenanceContract', 'archive', 'training', 'dutyRoster',
  // Issue 17: the duties nothing recorded before, and cameras in privacy places.
  'unobstructedView', 'designReview', 'qualifications', 'emergencyPlan', 'securityEvaluation', 'privacyPlaces',
] as const;
export type ChecklistKey = (typeof CHECKLIST_KEYS)[number];
export const OBSERVED_KEYS = ['training', 'dutyRoster', 'unobstructedView'] as const;
export type ObservedKey = (typeof OBSERVED_KEYS)[number];

export type ItemStatus = 'pass' | 'fail' | 'not-measured' | 'not-applicable' | 'no-target' | 'to-observe';

export const ARCHIVE_CATEGORIES = ['design', 'construction', 'acceptance', 'maintenance', 'other'] as const;
export type ArchiveCategory = (typeof ARCHIVE_CATEGORIES)[number];

export interface SystemFacts {
  id: number;
  name: string;
  funding: Funding;
  builtBeforeRules: boolean;
  rulesEffectiveAt: number | null;
  inServiceAt: number | null;
  acceptedAt: number | null;
  acceptance: AcceptanceResult;
  filedAt: number | null;
  userUnitId: number | null;
  managingUnitId: number | null;
  maintainerUnitId: number | null;
  hasMaintenanceContract: boolean;
  archiveCategories: ArchiveCategory[];
  archiveParties: number;
  /** The archive's firms: role (designer, builder, …) and qualification (licence). */
  parties: { role: string; licence: string }[];
}

export interface CameraFacts {
  id: number;
  name: string;
  inService: boolean;
  inServiceAt: number | null;
  signage: boolean;
  placeCategory: string;
  /** Start of the oldest footage the recorder's index still holds. */
  oldestRecordedAt: number | null;
}

export interface UnitFacts {
  systems: SystemFacts[];
  cameras: CameraFacts[];
  /** Entries the access register holds for the unit's cameras. */
  registerEntries: number;
  /** Cameras good / cameras counted, from the health module's daily figures; null: none exist. */
  goodRate: { good: number; total: number; day: string } | null;
  observations: Partial<Record<ObservedKey, { ok: boolean; note: string }>>;
  /** Design reviews, emergency plans, security checks, training, rosters the unit recorded. */
  dutyRecords: (DutyRecordFacts & { title: string })[];
}

export interface Problem {
  kind: 'system' | 'camera';
  id: number;
  name: string;
  problem: string;
}

export interface ChecklistItem {
  key: ChecklistKey;
  articles: string[];
  status: ItemStatus;
  /** What the platform found, in a sentence or two. */
  evidence: string;
  problems: Problem[];
}

const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null))];

function item(key: ChecklistKey, articles: string[], problems: Problem[], evidence: string, applicable = true): ChecklistItem {
  return { key, articles, status: !applicable ? 'not-applicable' : problems.length ? 'fail' : 'pass', evidence, problems };
}

function requiredArchive(s: SystemFacts): ArchiveCategory[] {
  if (s.builtBeforeRules) return s.inServiceAt !== null ? ['design', 'maintenance'] : ['design'];
  const need: ArchiveCategory[] = ['design'];
  if (s.acceptance !== null) need.push('construction', 'acceptance');
  if (s.inServiceAt !== null) need.push('maintenance');
  return need;
}

export function buildChecklist(profile: JurisdictionProfile, f: UnitFacts, now: number): ChecklistItem[] {
  const out: ChecklistItem[] = [];
  const inService = f.cameras.filter((c) => c.inService);

  // Acceptance: no system in service without having passed (CN-12; AH-13, HRB-16 for government-built).
  {
    const problems: Problem[] = [];
    const articles = new Set<string>();
    for (const s of f.systems) {
      const req = acceptanceRequirement(profile, s);
      req.articles.forEach((a) => articles.add(a));
      if (req.required && s.inServiceAt !== null && s.acceptance !== 'passed') {
        problems.push({ kind: 'system', id: s.id, name: s.name, problem: `in service without passing acceptance (${req.articles.join(', ')})` });
      }
    }
    const accepted = f.systems.filter((s) => s.acceptance === 'passed').length;
    out.push(item('acceptance', articles.size ? [...articles] : dutyArticles('acceptance', profile), problems, `${f.systems.length} systems, ${accepted} passed acceptance`, f.systems.length > 0));
  }

  // Filing within the profile's deadline.
  {
    const problems: Problem[] = [];
    const arts: (string | null)[] = [];
    const notes: string[] = [];
    for (const s of f.systems) {
      const d = filingDeadline(profile, s);
      arts.push(d.article);
      const st = filingState(d, s.filedAt, now);
      if (st === 'overdue') problems.push({ kind: 'system', id: s.id, name: s.name, problem: `not filed; due ${new Date(d.dueAt!).toISOString().slice(0, 10)} (${d.basis})` });
      if (st === 'filed-late') problems.push({ kind: 'system', id: s.id, name: s.name, problem: `filed late (${d.basis})` });
      if (st === 'no-deadline') notes.push(d.basis);
    }
    const filed = f.systems.filter((s) => s.filedAt !== null).length;
    out.push(item('filing', uniq(arts), problems, [`${filed} of ${f.systems.length} systems filed`, ...uniq(notes)].join('; '), f.systems.length > 0));
  }

  // Signage where cameras are in use.
  {
    const s = profile.signageRequired;
    const problems = s.value ? inService.filter((c) => !c.signage).map((c) => ({ kind: 'camera' as const, id: c.id, name: c.name, problem: `no sign (${s.article})` })) : [];
    out.push(item('signage', s.article ? [s.article] : [], problems, s.value ? `${inService.length - problems.length} of ${inService.length} cameras in service carry a sign` : `no signage rule: ${s.note}`, inService.length > 0 && s.value === true));
  }

  // Retention actually held, from the recorder's index.
  {
    const problems: Problem[] = [];
    let article: string | null = profile.retention.minimumDays.article;
    let shortest: number | null = null;
    for (const c of inService) {
      const r = retentionHeld(profile, c.inServiceAt, c.oldestRecordedAt, now);
      article = r.article;
      shortest = shortest === null ? r.heldDays : Math.min(shortest, r.heldDays);
      if (r.shortfall) problems.push({ kind: 'camera', id: c.id, name: c.name, problem: r.reason });
    }
    const req = profile.retention.minimumDays.value;
    const evidence = inService.length ? `${inService.length} cameras in service; the shortest footage held reaches back ${shortest} days; at least ${req ?? '—'} required` : 'no cameras in service';
    out.push(item('retention', article ? [article] : [], problems, evidence, inService.length > 0 && req !== null));
  }

  // The access register: the platform writes an entry for every view, copy and retrieval itself.
  out.push({
    key: 'accessRegister',
    articles: dutyArticles('accessRegister', profile),
    status: 'pass',
    evidence: `the platform's access register holds ${f.registerEntries} entries for this unit's cameras; every view, copy and retrieval through the platform is registered`,
    problems: [],
  });

  // Good rate, where the health module measured it and the profile sets a target.
  {
    const target = profile.maintenance.goodRateTarget;
    const articles = target.article ? [target.article] : [];
    if (!f.goodRate || f.goodRate.total === 0) {
      out.push({ key: 'goodRate', articles, status: 'not-measured', evidence: 'not measured: no daily health figures for these cameras', problems: [] });
    } else {
      const rate = f.goodRate.good / f.goodRate.total;
      const pct = `${(rate * 100).toFixed(1)}% (${f.goodRate.good} of ${f.goodRate.total} on ${f.goodRate.day})`;
      if (target.value === null) out.push({ key: 'goodRate', articles, status: 'no-target', evidence: `${pct}; ${target.note}`, problems: [] });
      else {
        const low = rate < target.value;
        out.push({
          key: 'goodRate',
          articles,
          status: low ? 'fail' : 'pass',
          evidence: `${pct}; target ${(target.value * 100).toFixed(0)}% (${target.article})`,
          problems: low ? [{ kind: 'system', id: 0, name: '', problem: `good rate ${pct} below ${(target.value * 100).toFixed(0)}% (${target.article})` }] : [],
        });
      }
    }
  }

  // The entrusted maintainer's duty in writing (AH-16(2), WH-23).
  {
    // HRB-23 asks for a named maintenance party, not a written contract: the same item checks what
    // the profile's text asks.
    const named = dutyArticles('namedMaintainer', profile);
    if (named.length) {
      const unnamed = f.systems.filter((s) => s.maintainerUnitId === null).map((s) => ({ kind: 'system' as const, id: s.id, name: s.name, problem: `no party named responsible for maintenance (${named.join(', ')})` }));
      out.push(item('maintenanceContract', named, unnamed, `${f.systems.length - unnamed.length} of ${f.systems.length} systems name their maintainer`, f.systems.length > 0));
    } else {
      const articles = dutyArticles('maintenanceContract', profile);
      const entrusted = f.systems.filter((s) => s.maintainerUnitId !== null && s.maintainerUnitId !== s.userUnitId && s.maintainerUnitId !== s.managingUnitId);
      const problems = entrusted.filter((s) => !s.hasMaintenanceContract).map((s) => ({ kind: 'system' as const, id: s.id, name: s.name, problem: `maintained by another unit without a written contract (${articles.join(', ')})` }));
      out.push(item('maintenanceContract', articles, problems, `${entrusted.length} systems maintained by another unit`, articles.length > 0 && entrusted.length > 0));
    }
  }

  // The archive (立卷归档, CN-14, HRB-17).
  {
    const articles = dutyArticles('archive', profile);
    const problems: Problem[] = [];
    for (const s of f.systems) {
      const missing = requiredArchive(s).filter((c) => !s.archiveCategories.includes(c));
      if (missing.length) problems.push({ kind: 'system', id: s.id, name: s.name, problem: `archive lacks ${missing.join(', ')} records` });
      else if (s.archiveParties === 0) problems.push({ kind: 'system', id: s.id, name: s.name, problem: 'archive names no firm or technician' });
    }
    out.push(item('archive', articles, problems, `${f.systems.length - problems.length} of ${f.systems.length} systems have their records archived`, articles.length > 0 && f.systems.length > 0));
  }

  // Training and rosters: the unit's records, or what the inspector sees on site; the view of
  // the cameras only on site.
  for (const key of OBSERVED_KEYS) out.push(recordedOrObserved(profile, f, key, now));
  out.push(...dutyItems(profile, f, now));
  return out;
}
