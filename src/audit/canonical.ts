// The bytes that a register entry's hash covers, and canonical JSON for its free-form detail.
// The encoding is spelled out in README.md: anyone can re-check the chain without this code.
import { hash } from 'node:crypto';
import type { AuditContent } from './entry.js';

export const HASH_ENCODING_VERSION = 1;
const NULL_LENGTH = 0xffffffff;
const MAX_DEPTH = 32;

/** JSON with object keys sorted (by UTF-16 code units) at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(v: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError(`nested deeper than ${MAX_DEPTH} levels`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('numbers must be finite');
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : encode(x, depth + 1))).join(',')}]`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(o[k], depth + 1)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof v} cannot be recorded`);
  }
}

type Int = number | string | bigint | null;
type Text = string | null;

/** A stored row, as the hash sees it. */
export type HashedFields = AuditContent & { seq: number };

/**
 * Computes row hashes into one reused buffer, so walking a million entries allocates little
 * beyond the hex digests.
 */
export class RowHasher {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private off = 0;

  /** Hex SHA-256 of version ‖ prev hash (32 bytes) ‖ the row's fields in README order. */
  hash(prevHashHex: string, r: HashedFields): string {
    return this.fields(prevHashHex, r.seq, r.at, r.action, r.actors, r.camera_ids, r.range_from, r.range_to, r.target, r.purpose,
      r.destination, r.approval_id, r.source_address, r.outcome, r.reason, r.detail);
  }

  /**
   * The same hash from a row read as an array in CHAIN_COLUMNS order (src/db/audit.repository.ts),
   * without building an object per row. Integers may come as decimal text (PostgreSQL bigint).
   */
  hashArray(prevHashHex: string, r: readonly unknown[]): string {
    return this.fields(prevHashHex, r[0] as Int, r[1] as Int, r[2] as string, r[3] as string, r[4] as string, r[5] as Int, r[6] as Int,
      r[7] as Text, r[8] as Text, r[9] as Text, r[10] as Int, r[11] as Text, r[12] as string, r[13] as Text, r[14] as string);
  }

  private fields(prevHashHex: string, seq: Int, at: Int, action: string, actors: string, cameraIds: string, from: Int, to: Int,
    target: Text, purpose: Text, destination: Text, approvalId: Int, source: Text, outcome: string, reason: Text, detail: string): string {
    const longest =
      action.length + actors.length + cameraIds.length + outcome.length + detail.length +
      (target?.length ?? 0) + (purpose?.length ?? 0) + (destination?.length ?? 0) +
      (source?.length ?? 0) + (reason?.length ?? 0);
    // UTF-8 needs at most 3 bytes per UTF-16 unit; 15 fields × (4 + 20 digits) for the rest.
    const need = 1 + 32 + longest * 3 + 15 * 24;
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    const buf = this.buf;
    buf[0] = HASH_ENCODING_VERSION;
    if (prevHashHex.length !== 64 || buf.write(prevHashHex, 1, 'hex') !== 32) {
      throw new TypeError('the previous hash is not 64 hex digits');
    }
    this.off = 33;
    this.int(seq);
    this.int(at);
    this.str(action);
    this.str(actors);
    this.str(cameraIds);
    this.int(from);
    this.int(to);
    this.str(target);
    this.str(purpose);
    this.str(destination);
    this.int(approvalId);
    this.str(source);
    this.str(outcome);
    this.str(reason);
    this.str(detail);
    return hash('sha256', buf.subarray(0, this.off), 'hex');
  }

  private str(s: string | null): void {
    if (s === null) {
      this.buf.writeUInt32BE(NULL_LENGTH, this.off);
      this.off += 4;
      return;
    }
    const n = this.buf.write(s, this.off + 4, 'utf8');
    this.buf.writeUInt32BE(n, this.off);
    this.off += 4 + n;
  }

  private int(v: Int): void {
    this.str(v === null ? null : String(v));
  }
}
