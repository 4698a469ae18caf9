// Approval documents (审批文书): PDF or image, named by their SHA-256 in <dataDir>/documents/, so
// the register and the request can name the exact bytes. The type is judged by magic bytes, not
// by what the client claims.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeOnce } from '../keys/write-once.js';
import { join } from 'node:path';
import { AccessErrors } from './errors.js';

export type DocumentType = 'application/pdf' | 'image/png' | 'image/jpeg';

export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export function sniffDocumentType(bytes: Buffer): DocumentType | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

export class DocumentStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'documents');
  }

  /** Stores the bytes once (same bytes, same name) and returns their hash and type. */
  put(bytes: Buffer): { sha256: string; type: DocumentType; size: number } {
    if (bytes.length === 0 || bytes.length > MAX_DOCUMENT_BYTES) throw AccessErrors.badDocument(`a document is 1 byte to ${MAX_DOCUMENT_BYTES} bytes`);
    const type = sniffDocumentType(bytes);
    if (!type) throw AccessErrors.badDocument('the approval document must be a PDF, PNG or JPEG file');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, sha256);
    writeOnce(file, bytes);
    return { sha256, type, size: bytes.length };
  }

  get(sha256: string): Buffer {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw AccessErrors.badDocument('not a document hash');
    return readFileSync(join(this.dir, sha256));
  }
}
