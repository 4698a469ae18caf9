// Duties that carry no number, and so have no value in a jurisdiction profile, but still need
// the article behind them in a checklist or a refusal: acceptance before use, the archive, the
// maintainer's written duty, the access register, training and duty rosters, the police's power
// to inspect. They are listed per regulation text (the article prefix), and a profile takes those
// of every text in its lineage — so Anhui cites AH-13 and CN-12, and a new city whose text is not
// listed here still carries the national duties it inherits.
// TODO(profiles): these belong in the profile files beside the numbers; kept here until the
// profile schema has a place for duties.

export const DUTIES = [
  /** No use before passing acceptance (验收), any builder. */
  'acceptance',
  /** Government-built systems: acceptance organised by the government. */
  'governmentAcceptance',
  /** 立卷归档: design, construction, acceptance and maintenance records, firms and technicians. */
  'archive',
  /** An entrusted maintainer's duty stated in writing. */
  'maintenanceContract',
  /** 登记: who viewed, copied, retrieved, when, why, where it went. */
  'accessRegister',
  /** Training of watching and management staff. */
  'training',
  /** 值守监看 / 值班: a duty roster. */
  'dutyRoster',
  /** The police inspect builders and users (监督检查). */
  'inspection',
  /** Anyone may report misconduct of the supervisors (检举、控告). */
  'complaint',
] as const;
export type Duty = (typeof DUTIES)[number];

// Read from the texts in the regulations folder; "(n)" is the numbered item of an article.
const BY_TEXT: Record<string, Partial<Record<Duty, string[]>>> = {
  CN: {
    acceptance: ['CN-12'],
    archive: ['CN-14'],
    accessRegister: ['CN-18'],
    training: ['CN-17(2)'],
    dutyRoster: ['CN-17(1)'],
    inspection: ['CN-23'],
    complaint: ['CN-25'],
  },
  AH: {
    governmentAcceptance: ['AH-13'],
    maintenanceContract: ['AH-16(2)'],
    accessRegister: ['AH-17(2)'],
    training: ['AH-17'],
    dutyRoster: ['AH-17'],
    inspection: ['AH-23'],
  },
  HB: {
    acceptance: ['HB-10'],
  },
  HRB: {
    governmentAcceptance: ['HRB-16'],
    archive: ['HRB-17'],
    maintenanceContract: ['HRB-23'],
    accessRegister: ['HRB-25(5)'],
    training: ['HRB-25(2)'],
    dutyRoster: ['HRB-25(4)'],
    inspection: ['HRB-32'],
  },
  WH: {
    acceptance: ['WH-15'],
    maintenanceContract: ['WH-23'],
    accessRegister: ['WH-21(1)'],
    training: ['WH-21(2)'],
    dutyRoster: ['WH-21(1)'],
    inspection: ['WH-27'],
  },
};

/**
 * The articles setting `duty` for a profile whose lineage has these article codes, nearest
 * first (['AH', 'CN']): local articles before the national one. Empty when no text sets it.
 */
export function dutyArticles(duty: Duty, lineageCodes: readonly string[]): string[] {
  const out: string[] = [];
  for (const code of lineageCodes) for (const a of BY_TEXT[code]?.[duty] ?? []) if (!out.includes(a)) out.push(a);
  return out;
}

/** Article codes of a profile's lineage, nearest first (['AH', 'CN']), from the catalogue. */
export function lineageCodes(profile: { lineage: string[] }, get: (id: string) => { code: string } | undefined): string[] {
  return profile.lineage.map((id) => get(id)?.code).filter((c): c is string => c !== undefined);
}
