// CSV import and export of camera points. Real deployments hold thousands of points: an import
// is checked as a whole, every bad row is reported with its line and field, and only a file with
// no problem is written — in one transaction, so nothing is half-imported.
import type { CameraChanges } from './camera-changes.js';
import { Errors, type ErrorDetail } from '../errors.js';
import type { Clock } from '../domain/clock.js';
import type { Camera, CameraFields } from '../db/camera.repository.js';
import type { Repositories } from '../db/repositories.js';
import { cameraInputSchema, CSV_COLUMNS } from './camera.schema.js';
import type { CameraService } from './camera.service.js';
import { maskCredentials } from '../ingest/registry.js';
import type { RecordChange, SourceRequester } from './registry-change.js';
import { profileResolver } from './coverage.service.js';
import { CsvSyntaxError, parseCsv, toCsvLine } from './csv.js';
import type { ProfileRules } from './profile-rules.js';

const NUMBER_COLUMNS = new Set(['longitude', 'latitude', 'directionDeg', 'fovDeg', 'regionId', 'ownerUnitId', 'userUnitId', 'managingUnitId', 'maintainerUnitId']);
const BOOLEAN_COLUMNS = new Set(['keyPosition', 'signage']);
const REQUIRED_COLUMNS = ['gbId', 'name', 'deviceType', 'address', 'placeCategory', 'regionId', 'funding', 'signage'];
const MAX_REPORTED = 1000;

export interface ImportResult {
  imported: number;
}

export class CameraImporter {
  constructor(
    private readonly repos: Repositories,
    private readonly cameras: CameraService,
    private readonly rules: ProfileRules,
    private readonly clock: Clock,
    private readonly changes?: CameraChanges,
  ) {}

  async importCsv(text: string, record?: RecordChange, by?: SourceRequester): Promise<ImportResult> {
    let records;
    try {
      records = parseCsv(text);
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw Errors.badImport(`the CSV cannot be read: ${e.message}`, [{ path: `line ${e.line}`, message: e.message }]);
      throw e;
    }
    const header = records.shift();
    if (!header) throw Errors.badImport('the CSV is empty: it needs a header line and rows');
    const columns = header.fields.map((f) => f.trim());
    const headerProblems: ErrorDetail[] = [];
    for (const c of columns) {
      if (!(CSV_COLUMNS as readonly string[]).includes(c)) headerProblems.push({ path: `line 1: ${c || '(empty)'}`, message: 'unknown column' });
    }
    for (const c of REQUIRED_COLUMNS) if (!columns.includes(c)) headerProblems.push({ path: `line 1: ${c}`, message: 'required column is missing' });
    const dup = columns.find((c, i) => columns.indexOf(c) !== i);
    if (dup) headerProblems.push({ path: `line 1: ${dup}`, message: 'column appears twice' });
    if (headerProblems.length) throw Errors.badImport('the CSV header is not valid; nothing was imported', headerProblems);
    if (records.length === 0) throw Errors.badImport('the CSV has a header but no rows; nothing was imported');

    const problems: ErrorDetail[] = [];
    const parsed: { line: number; camera: CameraFields }[] = [];
    const seen = new Map<string, number>();
    for (const rec of records) {
      if (rec.fields.length !== columns.length) {
        problems.push({ path: `line ${rec.line}`, message: `has ${rec.fields.length} fields, the header has ${columns.length}` });
        continue;
      }
      const raw: Record<string, unknown> = {};
      const before = problems.length;
      columns.forEach((col, i) => {
        const v = rec.fields[i]!.trim();
        if (v === '') return;
        if (NUMBER_COLUMNS.has(col)) {
          const n = Number(v);
          if (!Number.isFinite(n)) problems.push({ path: `line ${rec.line}: ${col}`, message: `"${v}" is not a number` });
          else raw[col] = n;
        } else if (BOOLEAN_COLUMNS.has(col)) {
          const b = parseBool(v);
          if (b === undefined) problems.push({ path: `line ${rec.line}: ${col}`, message: `"${v}" is not yes/no (true/false, 1/0, 是/否)` });
          else raw[col] = b;
        } else raw[col] = v;
      });
      if (problems.length > before) continue;
      const result = cameraInputSchema.safeParse(raw);
      if (!result.success) {
        for (const issue of result.error.issues) {
          problems.push({ path: `line ${rec.line}: ${issue.path.join('.') || '(row)'}`, message: issue.message });
        }
        continue;
      }
      const first = seen.get(result.data.gbId);
      if (first !== undefined) {
        problems.push({ path: `line ${rec.line}: gbId`, message: `${result.data.gbId} already appears on line ${first}` });
        continue;
      }
      seen.set(result.data.gbId, rec.line);
      parsed.push({ line: rec.line, camera: result.data });
    }

    const orgs = await this.cameras.loadOrganisations(parsed.map((p) => p.camera));
    const profileOf = profileResolver(await this.repos.organisations.list({ kind: 'platform' }), this.rules.defaultProfileId);
    const refused: string[] = [];
    for (const { line, camera } of parsed) {
      const r = await this.cameras.check(camera, orgs, `line ${line}: `, profileOf);
      problems.push(...r.details);
      if (r.refusal) {
        problems.push(...r.refusal.details);
        refused.push(...r.refusal.articles);
      }
    }
    // A refused source refuses the whole import, registered once with the first line it is on.
    for (const { line, camera } of parsed) await this.cameras.checkSource(camera.sourceUrl, by, `line ${line}: sourceUrl`);
    const existing = await this.repos.cameras.existingGbIds(parsed.map((p) => p.camera.gbId));
    for (const { line, camera } of parsed) {
      if (existing.has(camera.gbId)) problems.push({ path: `line ${line}: gbId`, message: `${camera.gbId} is already registered` });
    }
    if (problems.length) {
      problems.sort((a, b) => lineOf(a.path) - lineOf(b.path));
      const shown = problems.slice(0, MAX_REPORTED);
      const more = problems.length > shown.length ? ` (first ${MAX_REPORTED} shown)` : '';
      throw Errors.badImport(
        `${problems.length} problem(s) in ${new Set(problems.map((p) => lineOf(p.path))).size} row(s)${more}; nothing was imported`,
        shown,
        [...new Set(refused)],
      );
    }
    const now = this.clock.now();
    await this.repos.db.kysely.transaction().execute(async (trx) => {
      await this.repos.cameras.insertMany(parsed.map((p) => p.camera), now, trx);
      await record?.(trx, { object: 'camera', action: 'import', detail: { rows: parsed.length, gbIds: parsed.map((p) => p.camera.gbId), sourceUrls: parsed.map((p) => (p.camera.sourceUrl === null ? null : maskCredentials(p.camera.sourceUrl))) } });
    });
    this.changes?.changed([]);
    return { imported: parsed.length };
  }

  async *exportCsv(): AsyncGenerator<string> {
    yield `${CSV_COLUMNS.join(',')}\n`;
    for await (const c of this.repos.cameras.all()) yield `${toCsvLine(CSV_COLUMNS.map((k) => (c as Camera)[k]))}\n`;
  }
}

function parseBool(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (['true', 'yes', 'y', '1', '是'].includes(s)) return true;
  if (['false', 'no', 'n', '0', '否'].includes(s)) return false;
  return undefined;
}

const lineOf = (path: string | undefined) => Number(/^line (\d+)/.exec(path ?? '')?.[1] ?? 0);
