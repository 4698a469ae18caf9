// The archive of records (立卷归档, CN-14, HRB-17): design, construction, acceptance and
// maintenance documents, and the firms and technicians involved, kept per system and as
// confidential as the basic information (basic-info:read to read, registered when read).
import type { Actor } from '../access/actor.js';
import { ARCHIVE_CATEGORIES, type ArchiveCategory } from './checklist.js';
import { changeScope, Gate, json, organisationIdsOf, profileOf, requireSystem, systemPaths, type SupervisionDeps } from './deps.js';
import { dutyArticles } from './duties.js';
import { documentView, type DocumentView } from './system.service.js';

export const PARTY_ROLES = ['designer', 'builder', 'tester', 'supervisor', 'maintainer'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export interface Technician { name: string; qualification: string }
export interface PartyView { id: number; role: PartyRole; firm: string; licence: string; technicians: Technician[]; addedAt: number }

export interface ArchiveView {
  systemId: number;
  articles: string[];
  categories: { category: ArchiveCategory; documents: DocumentView[] }[];
  parties: PartyView[];
}

export class ArchiveService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  async get(actor: Actor, systemId: number): Promise<ArchiveView> {
    const s = await requireSystem(this.d, systemId);
    const cameraIds = await this.d.repos.supervision.cameraIdsOf(systemId);
    const scope = await this.gate.check(actor, 'read-system', { paths: await systemPaths(this.d, s), cameraIds }, 'registry_view', `system:${systemId} archive`);
    await this.d.log.record(actor, { action: 'registry_view', outcome: 'success', cameraIds, target: `system:${systemId} archive`, organisationIds: organisationIdsOf(scope.paths) });
    const { profile } = await profileOf(this.d, s.region_id);
    const docs = (await this.d.repos.supervision.documents(systemId)).map(documentView);
    const parties = await this.d.repos.supervision.where('archive_parties', 'system_id', systemId);
    return {
      systemId,
      articles: dutyArticles('archive', profile),
      categories: ARCHIVE_CATEGORIES.map((category) => ({ category, documents: docs.filter((x) => x.category === category) })),
      parties: parties.map((p) => ({ id: p.id, role: p.role as PartyRole, firm: p.firm, licence: p.licence, technicians: json(p.technicians), addedAt: p.added_at })),
    };
  }

  async addParty(actor: Actor, systemId: number, input: { role: PartyRole; firm: string; licence: string; technicians: Technician[] }): Promise<PartyView> {
    const s = await requireSystem(this.d, systemId);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s), 'registry_change', `system:${systemId} archive party`);
    const row = await this.d.log.transaction(async (trx) => {
      const p = await this.d.repos.supervision.insert('archive_parties', {
        system_id: systemId, role: input.role, firm: input.firm, licence: input.licence, technicians: JSON.stringify(input.technicians), added_at: this.d.clock.now(), added_by: actor.userId,
      }, trx);
      await this.gate.record(trx, actor, `system:${systemId} archive party`, { role: input.role, firm: input.firm, technicians: input.technicians.length }, scope);
      return p;
    });
    return { id: row.id, role: input.role, firm: row.firm, licence: row.licence, technicians: input.technicians, addedAt: row.added_at };
  }
}
