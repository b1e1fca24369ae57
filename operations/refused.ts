/**
 * How an operation says no: the business state refuses the act (not found, already
 * decided, not allowed), named in the words the caller shows. The API maps each kind to
 * its status and the one error shape; an activity lets it fail the attempt.
 */
export type RefusedKind = 'not-found' | 'conflict' | 'rejected' | 'invalid';

export interface RefusedField {
  path: string;
  message: string;
}

export class OperationRefused extends Error {
  constructor(
    readonly kind: RefusedKind,
    message: string,
    readonly fields?: RefusedField[],
    /** A more particular error code than the kind's, for clients that act on it. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'OperationRefused';
  }

  static notFound(what: string) {
    return new OperationRefused('not-found', `${what} not found`);
  }
  /** Where the thing stands refuses it (already decided, not pending). */
  static conflict(message: string, fields?: RefusedField[], code?: string) {
    return new OperationRefused('conflict', message, fields, code);
  }
  /** Well-formed, but the business rules refuse it. */
  static rejected(message: string, fields?: RefusedField[]) {
    return new OperationRefused('rejected', message, fields);
  }
  /** Malformed in a way only the operation can see (a key its rules do not know). */
  static invalid(message: string, fields: RefusedField[]) {
    return new OperationRefused('invalid', message, fields);
  }
}
