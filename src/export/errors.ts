// Errors of evidence export and package verification, each with a stable code.
import { VigilError } from '../errors.js';

export type ExportErrorCode = 'EXPORT_SOURCE_MISSING' | 'EXPORT_SOURCE_DAMAGED' | 'EXPORT_CANCELLED' | 'EXPORT_NOT_SEALED' | 'EXPORT_EMPTY' | 'PACKAGE_UNREADABLE';

const STATUS: Record<ExportErrorCode, number> = {
  EXPORT_SOURCE_MISSING: 409,
  EXPORT_SOURCE_DAMAGED: 409,
  EXPORT_CANCELLED: 409,
  EXPORT_NOT_SEALED: 503,
  EXPORT_EMPTY: 404,
  PACKAGE_UNREADABLE: 400,
};

export class ExportError extends VigilError {
  constructor(code: ExportErrorCode, message: string) {
    super(code, message, STATUS[code]);
    this.name = 'ExportError';
  }
}
