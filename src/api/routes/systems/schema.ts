import { z } from 'zod';
import { errorResponses } from '../common.schema.js';
import { PARTY_ROLES, type ArchiveView, type PartyView } from '../../../supervision/archive.service.js';
import { ARCHIVE_CATEGORIES } from '../../../supervision/checklist.js';
import type { FilingView } from '../../../supervision/filing.service.js';
import type { RelocationView } from '../../../supervision/relocation.service.js';
import { FOOTAGE_DISPOSITIONS } from '../../../supervision/relocation-rules.js';
import { DOCUMENT_PURPOSES, type DocumentView, type SystemView } from '../../../supervision/system.service.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const unit = z.number().int().positive().nullable().optional();
const instant = z.number().int().nonnegative().describe('epoch milliseconds');

export const systemBody = z.strictObject({
  name: text(200),
  regionId: z.number().int().positive(),
  funding: z.enum(['government', 'self']).describe('government-built (政府建设) or the unit\'s own'),
  builderUnitId: unit,
  userUnitId: unit,
  managingUnitId: unit,
  maintainerUnitId: unit,
  builtBeforeRules: z.boolean().optional().describe('built before the local rules took effect (AH-13 para. 3, HRB-18)'),
  rulesEffectiveAt: instant.nullable().optional().describe('when the rules took effect for this region; legacy filing deadlines count from it'),
});

export const systemQuery = z.strictObject({ regionId: z.coerce.number().int().positive().optional(), unitId: z.coerce.number().int().positive().optional() });
export const cameraChange = z.strictObject({ add: z.array(z.number().int().positive()).max(5000).optional(), remove: z.array(z.number().int().positive()).max(5000).optional() });
export const documentQuery = z.strictObject({
  purpose: z.enum(DOCUMENT_PURPOSES),
  category: z.enum(ARCHIVE_CATEGORIES).optional(),
  title: text(200),
});
export const docParams = z.strictObject({ id: z.coerce.number().int().positive(), docId: z.coerce.number().int().positive() });
export const acceptanceBody = z.strictObject({
  at: instant,
  result: z.enum(['passed', 'failed']),
  organisedBy: text(200).describe('who organised it: the government (AH-13), the builder (CN-12, HRB-16)'),
  note: z.string().trim().max(4000),
});
export const inServiceBody = z.strictObject({ at: instant });
export const partyBody = z.strictObject({
  role: z.enum(PARTY_ROLES),
  firm: text(200),
  licence: z.string().trim().max(200),
  technicians: z.array(z.strictObject({ name: text(100), qualification: z.string().trim().max(200) })).max(100),
});
export const noticeBody = z.strictObject({
  kind: z.enum(['removal', 'relocation']),
  cameraIds: z.array(z.number().int().positive()).min(1).max(5000),
  plannedAt: instant,
  plan: text(8000).describe('the rebuild or replacement plan (HB-11, HRB-19)'),
});
export const worksBody = z.strictObject({ at: instant });
export const dispositionBody = z.strictObject({ disposition: z.enum(FOOTAGE_DISPOSITIONS), note: z.string().trim().max(4000) });

// ---- what comes back: the services' view types as zod, so /openapi.json lists every field ----
// Responses are serialised through these schemas (unknown keys dropped), so each is held equal to
// its service type at compile time: a field added to a view and not here fails the build.

/** True only when A and B are assignable both ways: the schema says what the service returns. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const sameShape = <A, B>(ok: Same<A, B>): Same<A, B> => ok;

const num = z.number();
const numOrNull = z.number().nullable();
const str = z.string();
const strOrNull = z.string().nullable();
const articles = z.array(z.string()).describe('articles of the jurisdiction profile, e.g. AH-13');

export const blockSchema = z.object({ message: str, articles }).describe('ServiceBlock');
export const documentViewSchema = z.object({ id: num, purpose: str, category: str, title: str, sha256: str, type: str, size: num, addedAt: num }).describe('DocumentView');
export const filingDeadlineSchema = z.object({
  dueAt: numOrNull, days: numOrNull, startsAt: z.enum(['in-service', 'acceptance', 'rules-effective']).nullable(), startAt: numOrNull, article: strOrNull, basis: str,
}).describe('FilingDeadline');
export const filingStateSchema = z.enum(['filed', 'filed-late', 'not-started', 'due', 'overdue', 'no-deadline']);
export const visitStateSchema = z.enum(['visited', 'visited-late', 'due', 'overdue', 'no-deadline']);

export const systemViewSchema = z.object({
  id: num, name: str, regionId: num, funding: z.enum(['government', 'self']),
  builderUnitId: numOrNull, userUnitId: numOrNull, managingUnitId: numOrNull, maintainerUnitId: numOrNull,
  builtBeforeRules: z.boolean(), rulesEffectiveAt: numOrNull, state: str, acceptance: z.enum(['passed', 'failed']).nullable(),
  acceptedAt: numOrNull, inServiceAt: numOrNull, profileId: str,
  acceptanceRequirement: z.object({ required: z.boolean(), articles, reason: str }),
  serviceBlock: blockSchema.nullable().describe('why the cameras may not be recorded as in service; null when they may'),
  filing: z.object({ deadline: filingDeadlineSchema, state: filingStateSchema, filedAt: numOrNull, filingId: numOrNull }),
  cameras: z.array(z.object({ id: num, name: str, status: str, inService: z.boolean(), block: blockSchema.nullable() })),
  documents: z.array(documentViewSchema),
}).describe('SystemView');
export const systemListSchema = z.object({ items: z.array(systemViewSchema) }).describe('SystemList');

export const partyViewSchema = z.object({
  id: num, role: z.enum(PARTY_ROLES), firm: str, licence: str, technicians: z.array(z.object({ name: str, qualification: str })), addedAt: num,
}).describe('PartyView');
export const archiveViewSchema = z.object({
  systemId: num, articles, categories: z.array(z.object({ category: z.enum(ARCHIVE_CATEGORIES), documents: z.array(documentViewSchema) })), parties: z.array(partyViewSchema),
}).describe('ArchiveView');

export const relocationViewSchema = z.object({
  id: num, systemId: num, kind: z.enum(['removal', 'relocation']), cameraIds: z.array(num), profileId: str,
  noticeAt: num, plannedAt: num, inTime: z.boolean(), noticeDays: numOrNull, noticeArticle: strOrNull, noticeReason: str,
  plan: str, worksAt: numOrNull, disposition: strOrNull, dispositionNote: strOrNull, supervisedAt: numOrNull,
  coverage: z.object({
    state: z.enum(['restored', 'restored-late', 'pending', 'overdue']), dueAt: numOrNull, hours: numOrNull, article: strOrNull, restoredAt: numOrNull, basis: str,
  }).nullable().describe('for relocations once the works are done: when the recorder saw the place again'),
}).describe('RelocationView');
export const relocationListSchema = z.object({ items: z.array(relocationViewSchema) }).describe('RelocationList');

export const filingViewSchema = z.object({
  id: num, systemId: num, submittedAt: num, submittedBy: numOrNull, profileId: str,
  dueAt: numOrNull, deadlineArticle: strOrNull, deadlineBasis: str, inTime: z.boolean(),
  deviceTypes: z.array(z.object({ deviceType: str, count: num })),
  points: z.array(z.object({ cameraId: num, gbId: str, name: str, address: str, longitude: numOrNull, latitude: numOrNull, placeCategory: str })),
  documents: z.array(documentViewSchema),
  receivedAt: numOrNull, visitDueAt: numOrNull, visitArticle: strOrNull, visitBasis: strOrNull,
  visitedAt: numOrNull, visitNote: strOrNull, visitState: visitStateSchema.nullable(),
}).describe('FilingView');

sameShape<z.infer<typeof systemViewSchema>, SystemView>(true);
sameShape<z.infer<typeof archiveViewSchema>, ArchiveView>(true);
sameShape<z.infer<typeof partyViewSchema>, PartyView>(true);
sameShape<z.infer<typeof documentViewSchema>, DocumentView>(true);
sameShape<z.infer<typeof relocationViewSchema>, RelocationView>(true);
sameShape<z.infer<typeof filingViewSchema>, FilingView>(true);

/** A success body with the error bodies every route may give. */
export const ok = <T extends z.ZodType>(schema: T) => ({ 200: schema, ...errorResponses });
export const created = <T extends z.ZodType>(schema: T) => ({ 201: schema, ...errorResponses });
