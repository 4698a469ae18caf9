// A jurisdiction profile holds the numbers and rules that differ between regulations, each with
// the article that sets it, so refusals and reports can cite it (REQUIREMENTS "Jurisdiction
// profiles"). Profiles are data files: their format is profile-file.ts, and how one profile is
// resolved on top of the one it inherits is profile-resolution.ts; this module is what a
// resolved profile says.

export interface Bilingual {
  zh: string;
  en: string;
}

/**
 * The approval the requester brings (查阅 / 复制 / 调取): none; its own unit's letter (HRB-22(3));
 * the head of the requesting agency (AH-21); the police at county level or above (WH-25); or the
 * requesting organ's own legal procedure (CN799-20), shown by its legal instrument.
 */
export type ViewApproval = 'none' | 'unit-letter' | 'head-of-agency' | 'county-police' | 'by-law';
export type CopyApproval = 'unit-letter' | 'head-of-agency' | 'county-police' | 'by-law';
/**
 * Who may grant a share of cameras to another department or platform (共享): anyone holding the
 * share:grant permission over the organisation (the platform default), or the county-level police
 * organ (HB-14: 县级以上人民政府公安机关 … 实现跨部门视频图像信息有序共享), a supervisor over it.
 */
export type ShareAuthority = 'share-grant' | 'county-police';
/**
 * Who approves connecting a police or state-security platform to a unit's system (接入, R2.1,
 * R2.3): the head of the connecting organ (AH-20: 经本机关主要负责人批准), or the police's own
 * requirement at county level or above (WH-20, HRB-13: 按照公安机关的要求). Unset: the unit's head
 * decides (a platform default, no article).
 */
export type ConnectApproval = 'head-of-agency' | 'county-police';
/** What the filing deadline counts from: going into use (交付/投入使用) or passing acceptance (验收合格). */
export type FilingStart = 'in-service' | 'acceptance';
/** Which systems a filing rule reaches: all, or only those not built by the government (AH-9 ¶2, HRB-10 ¶1). */
export type FilingScope = 'all' | 'non-government';
/** What a notice before works covers: removal (拆除), moving (移动), or both. */
export type NoticeScope = 'removal' | 'relocation';
export type SourceStatus = 'draft' | 'in-force' | 'expired';
/**
 * What a profile is for: a jurisdiction a deployment or region runs under; the layer of national
 * laws every profile inherits (the Counter-Terrorism Law's 90 days, CTL-32); or a superseded text
 * kept as history (the 2016 national draft). Only jurisdictions are found by division code.
 */
export type ProfileRole = 'jurisdiction' | 'law-layer' | 'history';

/** The legal source of a profile: its title, status and the dates it is in force (YYYY-MM-DD). */
export interface ProfileSource {
  title: Bilingual;
  status: SourceStatus;
  /** The day the text took effect; null when the text we hold does not say (a note says why). */
  effectiveFrom: string | null;
  /** The last day it was in force, for expired or time-limited texts; null when open-ended. */
  effectiveTo: string | null;
  note?: string;
}
export type FinePayer = 'unit' | 'responsible-person' | 'individual';
/** When a fine can be imposed: at once, only if an order to correct was ignored, or only if serious. */
export type PenaltyTrigger = 'on-violation' | 'if-not-corrected' | 'if-serious';

/**
 * One value of a profile. `from` is the profile whose file supplied it, so an inherited value
 * still names its own article (e.g. Hubei's retention comes from national, CN799-17).
 */
export type Setting<T> =
  | { value: T; article: string; note?: string; from: string }
  | { value: null; article: null; note: string; from: string };

/** What a text asks of a fault: repair at once (HRB-25(3)), keep running without interruption
 * (AH-16(1)), keep running normally (WH-21(3)), or keep a regular maintenance regime (CN-17(3)). */
export type RepairDuty = 'immediate' | 'uninterrupted' | 'normal-operation' | 'regular-maintenance';

/**
 * A number of hours set by an article, or — where no text gives a number ("repair at once") — the
 * platform's own default, marked `platformDefault` and explained in its note, never passed off
 * as law.
 */
export type HoursSetting =
  | (Setting<number> & { platformDefault?: false })
  | { value: number; article: null; platformDefault: true; note: string; from: string };

/** How faults are answered (R6.2): the duty with its article, and the hours that make it checkable. */
export interface RepairRules {
  faultDuty: Setting<RepairDuty>;
  /** The maintainer acknowledges (responds to / reaches) a fault within these hours. */
  faultRespondHours: HoursSetting;
  /** A fault not repaired within these hours escalates to the camera's managing unit. */
  faultRepairHours: HoursSetting;
  /** Hours after that escalation before the police unit of the camera's region is told. */
  policeEscalationHours: HoursSetting;
}

/**
 * Duties that carry no number but still need their article in a checklist or a refusal. A
 * profile lists the articles of its own text; the resolved profile adds those it inherits, so
 * Anhui cites AH-23 and CN799-24, and a new city still carries the national duties.
 */
export const DUTIES = [
  /** No use before passing acceptance (验收), any builder. */
  'acceptance',
  /** Government-built systems: acceptance organised by the government. */
  'governmentAcceptance',
  /** 立卷归档: design, construction, acceptance and maintenance records, firms and technicians. */
  'archive',
  /** An entrusted maintainer's duty stated in writing. */
  'maintenanceContract',
  /** A named party responsible for maintenance (HRB-23), whoever it is, with or without a contract. */
  'namedMaintainer',
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
  /** Operators report suspicious information to the police (R3.2). */
  'reportSuspicious',
  /** A camera's position and field of view stay as set; a scene change is a finding. */
  'fixedView',
  /** The design reviewed before construction, designed with the main works (综合设计、同步设计、审核论证). */
  'designReview',
  /** The penalty articles for building without that design (AH-24(2)). */
  'designReviewPenalty',
  /** Designers and installers hold the qualifications the law requires (资质, WH-12/13, HRB-14). */
  'qualifications',
  /** Signs, pipes, trees and other works do not obstruct a camera's view (HRB-11 para. 2, CN799-23(2)). */
  'unobstructedView',
  /** An emergency-handling plan (应急处理制度, AH-16(1); 突发事件处置预案, CN-17(1)). */
  'emergencyPlan',
  /** Periodic security checking of the system (安全检查 / 定期检查, CN799-15, CN-17(3)). */
  'securityEvaluation',
  /** Every penalty decision states the right to reconsideration and to sue (WH-29). */
  'appealRights',
] as const;
export type Duty = (typeof DUTIES)[number];
/** Articles of each duty, nearest profile first; empty when no text in the lineage sets it. */
export type Duties = Record<Duty, string[]>;

export interface CategoryRule {
  category: string;
  /** Nearest profile first: ['AH-8(1)', 'CN799-8(1)']. */
  articles: string[];
}

export interface Fine {
  payer: FinePayer;
  /** 0 where the text sets only a ceiling ("1万元以下", CN799-29). */
  minYuan: number;
  maxYuan: number;
  condition?: Bilingual;
  /** The text allows a warning instead of the fine. */
  orWarning?: boolean;
}

export interface Penalty {
  article: string;
  when: PenaltyTrigger;
  offence: Bilingual;
  fines: Fine[];
  /** Where the text fines by other laws instead of its own ranges (CN799-31: PIPL, DSL, CSL). */
  perLaw?: Bilingual;
  from: string;
}

/** A profile with inheritance resolved: every value present, every value with its article. */
export interface JurisdictionProfile {
  id: string;
  /** Article prefix: 'AH' for AH-17(3). */
  code: string;
  name: Bilingual;
  inherits: string | null;
  /** This profile and those it inherits from, nearest first: ['anhui', 'national']. */
  lineage: string[];
  /** GB/T 2260 division the profile governs ('340000' Anhui, '230100' Harbin); null = everywhere. */
  divisionCode: string | null;
  role: ProfileRole;
  source: ProfileSource;
  retention: {
    minimumDays: Setting<number>;
    keyTargetDays: Setting<number>;
    incidentDays: Setting<number>;
    /** Past the minimum, footage whose purpose is achieved is deleted (CN799-17), not kept. */
    deleteAfterPurpose: Setting<boolean>;
  };
  filing: {
    deadlineDays: Setting<number>;
    deadlineStartsAt: Setting<FilingStart>;
    /** Unset: the rule reaches every system. */
    appliesTo: Setting<FilingScope>;
    legacyDeadlineDays: Setting<number>;
    /**
     * The day the legacy deadline counts from: the effective date of the text that set
     * legacyDeadlineDays (CN799-14: 90 days from 2025-04-01), never a per-system guess.
     */
    legacyCountsFrom: string | null;
    policeVisitDays: Setting<number>;
  };
  relocation: {
    noticeDays: Setting<number>;
    /** What the notice covers, as the text words it; unset: both removal and moving. */
    noticeCovers: Setting<NoticeScope[]>;
    coverageRestoreHours: Setting<number>;
  };
  maintenance: {
    municipalDamageRestoreHours: Setting<number>;
    /** Fraction 0..1 (0.95 = 95%). */
    goodRateTarget: Setting<number>;
    onlineRateTarget: Setting<number>;
  };
  repair: RepairRules;
  /**
   * The notice burned into released footage, with {custodian} and {date} to fill; text null for
   * none. `from`: the profile whose file worded it (inherited unless a profile words its own).
   */
  releaseCaption: { text: Bilingual | null; note: string; from: string };
  access: {
    officersToView: Setting<number>;
    officersToCopy: Setting<number>;
    viewApproval: Setting<ViewApproval>;
    copyApproval: Setting<CopyApproval>;
    policeHeadForOtherAdministrations: Setting<boolean>;
    /** The person concerned, a close relative or carer may view related footage with the operator's consent (CN799-21). */
    individualView: Setting<boolean>;
    /** Who may grant a share; unset: the share:grant permission alone. */
    shareGrantAuthority: Setting<ShareAuthority>;
    /** Who approves an emergency connection (接入); unset: the unit's head. */
    connectApproval: Setting<ConnectApproval>;
  };
  /** The catch-all privacy articles of the lineage, nearest first (AH-8(5), CN799-8(4)). */
  privacyCatchAll: string[];
  signageRequired: Setting<boolean>;
  mandatoryCategories: CategoryRule[];
  prohibitedCategories: CategoryRule[];
  /** Own penalties first, then inherited ones: the national penalties apply everywhere. */
  penalties: Penalty[];
  duties: Duties;
  notes: { from: string; text: string }[];
  /** Summaries of every article the profile or its ancestors cite. */
  articles: Record<string, Bilingual>;
}
