// One error model for the whole platform: every error a user can see is declared here once with
// a stable code, a message and an HTTP status. The API maps them to responses; anything else is
// an internal error, reported as 500 with a correlation id and no internals.

export interface ErrorDetail {
  /** Where the problem is: a field path ("cameras[3].gbId"), a CSV line ("line 12: gbId"), … */
  path?: string;
  message: string;
}

export class VigilError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: ErrorDetail[] = [],
    /** Articles of the jurisdiction profile behind a refusal, e.g. ['AH-8(1)', 'CN799-8(1)']. */
    readonly articles: string[] = [],
  ) {
    super(message);
    this.name = 'VigilError';
  }

  /**
   * What the message is made of, as codes (e.g. { action: 'decide', subject: 'AccessRequest' }):
   * the console words a refusal in the reader's language from these; the message stays English.
   */
  params: Record<string, string | number> = {};

  withParams(params: Record<string, string | number>): this {
    this.params = { ...this.params, ...params };
    return this;
  }
}

type Maker = (message?: string, details?: ErrorDetail[], articles?: string[]) => VigilError;

function declare(code: string, defaultMessage: string, status: number): Maker & { code: string } {
  const make = ((message?: string, details: ErrorDetail[] = [], articles: string[] = []) =>
    new VigilError(code, message ?? defaultMessage, status, details, articles)) as Maker & { code: string };
  make.code = code;
  return make;
}

export const Errors = {
  validation: declare('VALIDATION_FAILED', 'The request is not valid', 400),
  badImport: declare('IMPORT_REJECTED', 'The import was rejected; nothing was imported', 400),
  unauthenticated: declare('UNAUTHENTICATED', 'Sign in first', 401),
  forbidden: declare('FORBIDDEN', 'You are not allowed to do this', 403),
  notFound: declare('NOT_FOUND', 'Not found', 404),
  conflict: declare('CONFLICT', 'This conflicts with existing data', 409),
  prohibitedPlace: declare('PROHIBITED_PLACE', 'Cameras may not be installed in this kind of place', 422),
  ruleRefused: declare('RULE_REFUSED', 'A rule of the jurisdiction refuses this', 422),
  /** A camera or system recorded as in service before its system passed acceptance (验收). */
  notAccepted: declare('NOT_ACCEPTED', 'Not in service before the system passes acceptance', 422),
  config: declare('CONFIG_INVALID', 'The configuration is not valid', 500),
  unavailable: declare('UNAVAILABLE', 'A required service is not available', 503),
} as const;

/** Too many requests or attempts: 429, and the API answers with a Retry-After header. */
export class RateLimitedError extends VigilError {
  readonly retryAfterSeconds: number;
  constructor(message: string, waitMs: number) {
    super('RATE_LIMITED', message, 429);
    this.retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  }
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}
