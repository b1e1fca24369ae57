/** The one error type the API raises, and its mapping to the one error shape clients see. */
export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
  }

  static notFound(what: string) {
    return new ApiError(404, 'not_found', `${what} not found`);
  }
  static validation(message: string, fields: FieldError[]) {
    return new ApiError(400, 'validation_failed', message, fields);
  }
  /** The request is well-formed but the business state refuses it. */
  static unprocessable(message: string, fields?: FieldError[]) {
    return new ApiError(422, 'rejected', message, fields);
  }
  static conflict(message: string, fields?: FieldError[]) {
    return new ApiError(409, 'conflict', message, fields);
  }
  static unavailable(message: string) {
    return new ApiError(503, 'unavailable', message);
  }
}

/** What was asked for, or a 404 naming it (e.g. `webhook <id>`) when there is none. */
export function orNotFound<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw ApiError.notFound(what);
  return value;
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

export function errorBody(e: ApiError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
}

/** "amountMinor: must be …" → a field error on amountMinor; other messages name no field. */
export function fieldFromMessage(message: string): FieldError[] | undefined {
  const m = /^([A-Za-z][\w.]*): (.+)$/s.exec(message);
  return m?.[1] && m[2] ? [{ path: m[1], message: m[2] }] : undefined;
}
