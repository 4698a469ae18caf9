// The checklist items of issue 17 item 9 and the privacy places (item 2), pure: what the unit's
// duty records, its archive's firms and its cameras' kinds of place show an inspection. Each
// item cites the articles of the profile's duty; an item the profile's texts do not set is
// "not applicable", never failed.
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { isProhibited } from '../domain/place-category.js';
import type { ChecklistItem, ObservedKey, Problem, UnitFacts } from './checklist.js';
import { dutyArticles } from './duties.js';
import { inForce, reviewedBeforeWorks, type DutyRecordKind } from './duty-records.js';

const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

function item(key: ChecklistItem['key'], articles: string[], problems: Problem[], evidence: string, applicable: boolean): ChecklistItem {
  return { key, articles, status: !applicable ? 'not-applicable' : problems.length ? 'fail' : 'pass', evidence, problems };
}

/** The records of a kind in force now, newest first. */
function current(f: UnitFacts, kind: DutyRecordKind, now: number) {
  return f.dutyRecords.filter((r) => r.kind === kind && inForce(r, now)).sort((a, b) => b.heldAt - a.heldAt);
}

export function dutyItems(profile: JurisdictionProfile, f: UnitFacts, now: number): ChecklistItem[] {
  const out: ChecklistItem[] = [];

  // Design reviewed before construction (AH-11, HRB-12, WH-10/15, CN799-11); its penalty cited beside it.
  {
    const articles = dutyArticles('designReview', profile);
    const penalty = dutyArticles('designReviewPenalty', profile);
    const due = f.systems.filter((s) => !s.builtBeforeRules);
    const problems: Problem[] = [];
    for (const s of due) {
      const ok = reviewedBeforeWorks(f.dutyRecords.filter((r) => r.kind === 'design-review' && r.systemId === s.id), s);
      if (ok === null) problems.push({ kind: 'system', id: s.id, name: s.name, problem: `no design review recorded (${articles.join(', ')})` });
      else if (!ok) problems.push({ kind: 'system', id: s.id, name: s.name, problem: `design reviewed only after the works (${articles.join(', ')})` });
    }
    const evidence = `${due.length - problems.length} of ${due.length} systems built under the rules had their design reviewed before the works${penalty.length ? `; penalty: ${penalty.join(', ')}` : ''}`;
    out.push(item('designReview', [...articles, ...penalty], problems, evidence, articles.length > 0 && due.length > 0));
  }

  // Designers and installers qualified, as the archive names them (WH-12/13, HRB-14).
  {
    const articles = dutyArticles('qualifications', profile);
    const problems: Problem[] = [];
    for (const s of f.systems) {
      for (const role of ['designer', 'builder'] as const) {
        if (!s.parties.some((p) => p.role === role && p.licence.trim() !== '')) {
          problems.push({ kind: 'system', id: s.id, name: s.name, problem: `the archive names no ${role === 'designer' ? 'designer' : 'installer'} with its qualification (${articles.join(', ')})` });
        }
      }
    }
    out.push(item('qualifications', articles, problems, `${f.systems.length} systems; designers and installers with their qualifications are read from the archive`, articles.length > 0 && f.systems.length > 0));
  }

  // An emergency plan and periodic security checks, as records in force.
  for (const [key, kind, duty] of [['emergencyPlan', 'emergency-plan', 'emergencyPlan'], ['securityEvaluation', 'security-evaluation', 'securityEvaluation']] as const) {
    const articles = dutyArticles(duty, profile);
    const rec = current(f, kind, now);
    const problems: Problem[] = rec.length ? [] : [{ kind: 'system', id: 0, name: '', problem: `no ${kind.replace('-', ' ')} in force is recorded (${articles.join(', ')})` }];
    const evidence = rec.length ? `"${rec[0]!.title}" of ${day(rec[0]!.heldAt)}${rec[0]!.validUntil !== null ? `, until ${day(rec[0]!.validUntil)}` : ''}` : `no ${kind.replace('-', ' ')} recorded in force`;
    out.push(item(key, articles, problems, evidence, articles.length > 0));
  }

  // Cameras in privacy places (item 2): never allowed, whatever the registry accepted once.
  {
    const problems: Problem[] = [];
    const articles = new Set<string>();
    for (const c of f.cameras) {
      const check = isProhibited(profile, c.placeCategory);
      if (check.prohibited) {
        check.articles.forEach((a) => articles.add(a));
        problems.push({ kind: 'camera', id: c.id, name: c.name, problem: `in a privacy place (${c.placeCategory}) where cameras are prohibited (${check.articles.join(', ')})` });
      }
    }
    out.push(item('privacyPlaces', articles.size ? [...articles] : [...new Set(profile.prohibitedCategories.flatMap((r) => r.articles))].slice(0, 3), problems, `${f.cameras.length} cameras checked against the prohibited places of ${profile.name.en}`, f.cameras.length > 0));
  }
  return out;
}

/**
 * Training and duty rosters: the inspector's own observation decides when given; else a record
 * in force passes the item; else it waits to be observed on site.
 */
export function recordedOrObserved(profile: JurisdictionProfile, f: UnitFacts, key: ObservedKey, now: number): ChecklistItem {
  const duty = key === 'unobstructedView' ? 'unobstructedView' : key;
  const articles = dutyArticles(duty, profile);
  const o = f.observations[key];
  if (o) return { key, articles, status: o.ok ? 'pass' : 'fail', evidence: o.note, problems: o.ok ? [] : [{ kind: 'system', id: 0, name: '', problem: o.note }] };
  const kind: DutyRecordKind | null = key === 'training' ? 'training' : key === 'dutyRoster' ? 'duty-roster' : null;
  const rec = kind ? current(f, kind, now) : [];
  if (rec.length) return { key, articles, status: 'pass', evidence: `recorded: "${rec[0]!.title}" of ${day(rec[0]!.heldAt)}${rec[0]!.validUntil !== null ? `, until ${day(rec[0]!.validUntil)}` : ''}`, problems: [] };
  return { key, articles, status: 'to-observe', evidence: 'to be observed on site', problems: [] };
}
