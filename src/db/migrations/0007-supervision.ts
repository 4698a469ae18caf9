import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Lifecycle and supervision (issue 8, R7, R8): systems and their cameras, acceptance, filings and
 * the police visit, removal and relocation notices, documents (by SHA-256, bytes in the data
 * folder), the archive's firms and technicians, inspections with findings, rectification orders,
 * penalties, and complaints from the public.
 */
export function supervision(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('systems'))
        .addColumn('name', 'text', notNull)
        .addColumn('region_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        /** 'government' or 'self'. */
        .addColumn('funding', 'text', notNull)
        .addColumn('builder_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('user_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('managing_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('maintainer_unit_id', 'bigint', (c) => c.references('organisations.id'))
        .addColumn('built_before_rules', 'integer', notNull)
        .addColumn('rules_effective_at', MS)
        /** building → in_service → removed. */
        .addColumn('state', 'text', notNull)
        /** Latest acceptance result: 'passed', 'failed' or null. */
        .addColumn('acceptance', 'text')
        .addColumn('accepted_at', MS)
        .addColumn('in_service_at', MS)
        .addColumn('removed_at', MS)
        .addColumn('created_at', MS, notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();
      await db.schema.createIndex('systems_region').on('systems').columns(['region_id']).execute();

      await db.schema
        .createTable('system_cameras')
        // A camera belongs to one system at most.
        .addColumn('camera_id', 'bigint', (c) => c.primaryKey().references('cameras.id'))
        .addColumn('system_id', 'bigint', (c) => c.notNull().references('systems.id'))
        .execute();
      await db.schema.createIndex('system_cameras_system').on('system_cameras').columns(['system_id']).execute();

      await withId(dialect, db.schema.createTable('system_acceptances'))
        .addColumn('system_id', 'bigint', (c) => c.notNull().references('systems.id'))
        .addColumn('at', MS, notNull)
        .addColumn('result', 'text', notNull)
        /** Who organised it: the government (AH-13), the builder with the police (HRB-16, CN-12). */
        .addColumn('organised_by', 'text', notNull)
        .addColumn('note', 'text', notNull)
        .addColumn('recorded_by', 'bigint')
        .addColumn('recorded_at', MS, notNull)
        .execute();

      await withId(dialect, db.schema.createTable('supervision_documents'))
        .addColumn('system_id', 'bigint', (c) => c.notNull().references('systems.id'))
        /** design-plan, maintenance-contract, acceptance, filing, relocation-plan, archive. */
        .addColumn('purpose', 'text', notNull)
        /** Archive category: design, construction, acceptance, maintenance, other. */
        .addColumn('category', 'text', notNull)
        /** The acceptance, filing or relocation the document belongs to. */
        .addColumn('ref_id', 'bigint')
        .addColumn('title', 'text', notNull)
        .addColumn('sha256', 'text', notNull)
        .addColumn('type', 'text', notNull)
        .addColumn('size', 'bigint', notNull)
        .addColumn('added_at', MS, notNull)
        .addColumn('added_by', 'bigint')
        .execute();
      await db.schema.createIndex('supervision_documents_system').on('supervision_documents').columns(['system_id', 'purpose']).execute();

      await withId(dialect, db.schema.createTable('filings'))
        .addColumn('system_id', 'bigint', (c) => c.notNull().references('systems.id'))
        .addColumn('submitted_at', MS, notNull)
        .addColumn('submitted_by', 'bigint')
        .addColumn('profile_id', 'text', notNull)
        .addColumn('due_at', MS)
        .addColumn('deadline_article', 'text')
        .addColumn('deadline_basis', 'text', notNull)
        /** JSON: device types and counts, and the point distribution, as filed. */
        .addColumn('device_types', 'text', notNull)
        .addColumn('points', 'text', notNull)
        .addColumn('received_at', MS)
        .addColumn('received_by', 'bigint')
        .addColumn('visit_due_at', MS)
        .addColumn('visit_article', 'text')
        .addColumn('visit_basis', 'text')
        .addColumn('visited_at', MS)
        .addColumn('visited_by', 'bigint')
        .addColumn('visit_note', 'text')
        .execute();
      await db.schema.createIndex('filings_system').on('filings').columns(['system_id']).execute();

      await withId(dialect, db.schema.createTable('relocations'))
        .addColumn('system_id', 'bigint', (c) => c.notNull().references('systems.id'))
        /** 'removal' or 'relocation'. */
        .addColumn('kind', 'text', notNull)
        .addColumn('camera_ids', 'text', notNull)
        .addColumn('profile_id', 'text', notNull)
        .addColumn('notice_at', MS, notNull)
        .addColumn('planned_at', MS, notNull)
        .addColumn('in_time', 'integer', notNull)
        .addColumn('notice_days', 'integer')
        .addColumn('notice_article', 'text')
        .addColumn('notice_reason', 'text', notNull)
        /** The rebuild or replacement plan (HB-11, HRB-19). */
        .addColumn('plan', 'text', notNull)
        .addColumn('works_at', MS)
        .addColumn('disposition', 'text')
        .addColumn('disposition_note', 'text')
        .addColumn('disposition_at', MS)
        .addColumn('disposition_by', 'bigint')
        .addColumn('supervised_at', MS)
        .addColumn('supervised_by', 'bigint')
        .addColumn('filed_by', 'bigint')
        .execute();

      await withId(dialect, db.schema.createTable('archive_parties'))
        .addColumn('system_id', 'bigint', (c) => c.notNull().references('systems.id'))
        /** designer, builder, tester, supervisor, maintainer. */
        .addColumn('role', 'text', notNull)
        .addColumn('firm', 'text', notNull)
        .addColumn('licence', 'text', notNull)
        /** JSON array of { name, qualification }. */
        .addColumn('technicians', 'text', notNull)
        .addColumn('added_at', MS, notNull)
        .addColumn('added_by', 'bigint')
        .execute();

      await withId(dialect, db.schema.createTable('inspections'))
        .addColumn('unit_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        .addColumn('inspector_id', 'bigint', notNull)
        .addColumn('profile_id', 'text', notNull)
        .addColumn('started_at', MS, notNull)
        /** JSON: the checklist as built at the last evaluation, and the inspector's observations. */
        .addColumn('checklist', 'text', notNull)
        .addColumn('observations', 'text', notNull)
        .addColumn('evaluated_at', MS, notNull)
        .addColumn('state', 'text', notNull)
        .addColumn('closed_at', MS)
        .addColumn('note', 'text', notNull)
        .execute();
      await db.schema.createIndex('inspections_unit').on('inspections').columns(['unit_id']).execute();

      await withId(dialect, db.schema.createTable('inspection_findings'))
        .addColumn('inspection_id', 'bigint', (c) => c.notNull().references('inspections.id'))
        .addColumn('item_key', 'text', notNull)
        .addColumn('articles', 'text', notNull)
        .addColumn('description', 'text', notNull)
        .addColumn('created_at', MS, notNull)
        .addColumn('created_by', 'bigint')
        .execute();

      await withId(dialect, db.schema.createTable('rectifications'))
        .addColumn('inspection_id', 'bigint', (c) => c.notNull().references('inspections.id'))
        .addColumn('unit_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        .addColumn('finding_ids', 'text', notNull)
        .addColumn('articles', 'text', notNull)
        .addColumn('requirement', 'text', notNull)
        .addColumn('ordered_at', MS, notNull)
        .addColumn('ordered_by', 'bigint')
        .addColumn('due_at', MS, notNull)
        .addColumn('state', 'text', notNull)
        .addColumn('reported_at', MS)
        .addColumn('reported_by', 'bigint')
        .addColumn('report_note', 'text')
        .addColumn('closed_at', MS)
        .addColumn('closed_by', 'bigint')
        /** JSON array of follow-ups: { at, by, outcome, note }. */
        .addColumn('follow_ups', 'text', notNull)
        .execute();
      await db.schema.createIndex('rectifications_unit').on('rectifications').columns(['unit_id', 'state']).execute();

      await withId(dialect, db.schema.createTable('penalties'))
        .addColumn('inspection_id', 'bigint', (c) => c.notNull().references('inspections.id'))
        .addColumn('rectification_id', 'bigint')
        .addColumn('unit_id', 'bigint', notNull)
        .addColumn('article', 'text', notNull)
        .addColumn('payer', 'text', notNull)
        .addColumn('amount_yuan', 'bigint', notNull)
        .addColumn('fine_condition', 'text')
        .addColumn('serious_reason', 'text')
        .addColumn('decided_at', MS, notNull)
        .addColumn('decided_by', 'bigint')
        .addColumn('note', 'text', notNull)
        .execute();

      await withId(dialect, db.schema.createTable('complaints'))
        .addColumn('received_at', MS, notNull)
        /** The region the complaint is about; its supervisors receive it. Null: the whole platform. */
        .addColumn('region_id', 'bigint')
        .addColumn('about', 'text', notNull)
        .addColumn('text', 'text', notNull)
        .addColumn('name', 'text')
        .addColumn('contact', 'text')
        .addColumn('source_address', 'text')
        .addColumn('state', 'text', notNull)
        .addColumn('handled_at', MS)
        .addColumn('handled_by', 'bigint')
        .addColumn('outcome', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['complaints', 'penalties', 'rectifications', 'inspection_findings', 'inspections', 'archive_parties', 'relocations', 'filings', 'supervision_documents', 'system_acceptances', 'system_cameras', 'systems']) {
        await db.schema.dropTable(t).execute();
      }
    },
  };
}
