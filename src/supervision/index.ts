// Lifecycle and supervision (issue 8, R7, R8), assembled once per process.
import { DocumentStore } from '../access/document-store.js';
import type { SecurityLog } from '../access/security-log.js';
import type { Clock } from '../domain/clock.js';
import type { ProfileCatalogue } from '../domain/profile-loader.js';
import type { Repositories } from '../db/repositories.js';
import type { Registry } from '../registry/index.js';
import { Errors } from '../errors.js';
import { ArchiveService } from './archive.service.js';
import { ComplaintService, type ComplaintLimits } from './complaint.service.js';
import { ComplianceService } from './compliance.service.js';
import { FilingService } from './filing.service.js';
import { DutyRecordService } from './duty-record.service.js';
import { InspectionService } from './inspection.service.js';
import { ObstructionService, type WorkOrderOpener } from './obstruction.service.js';
import { RelocationService } from './relocation.service.js';
import { acceptanceGate } from './service-gate.js';
import { SystemService } from './system.service.js';

export interface Supervision {
  systems: SystemService;
  filings: FilingService;
  relocations: RelocationService;
  archive: ArchiveService;
  inspections: InspectionService;
  compliance: ComplianceService;
  complaints: ComplaintService;
  dutyRecords: DutyRecordService;
  obstructions: ObstructionService;
}

export function createSupervision(o: { repos: Repositories; registry: Registry; catalogue: ProfileCatalogue; clock: Clock; log: SecurityLog; dataDir: string; complaints?: ComplaintLimits; openWorkOrder?: WorkOrderOpener }): Supervision {
  // Same folder as approval documents: one store, every document named by its SHA-256.
  const d = { repos: o.repos, registry: o.registry, catalogue: o.catalogue, clock: o.clock, log: o.log, documents: new DocumentStore(o.dataDir) };
  // From now on the registry holds back cameras of systems that have not passed acceptance.
  o.registry.cameras.setServiceGate(acceptanceGate(d));
  return {
    systems: new SystemService(d),
    filings: new FilingService(d),
    relocations: new RelocationService(d),
    archive: new ArchiveService(d),
    inspections: new InspectionService(d),
    compliance: new ComplianceService(d),
    complaints: new ComplaintService(d, o.complaints),
    dutyRecords: new DutyRecordService(d),
    obstructions: new ObstructionService(
      d,
      o.openWorkOrder ??
        (() => {
          throw Errors.unavailable('work orders are not served by this process');
        }),
    ),
  };
}
