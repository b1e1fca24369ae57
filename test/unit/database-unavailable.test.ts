/**
 * Which errors mean "the database is unavailable" (the API answers 503) rather than a
 * bad query (a bug: 500). The shapes are what pg gives when the server stops,
 * restarts or cannot be reached (seen in test/faults/postgres-down.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { mapError } from '../../api/plugins/errors.js';
import { isDatabaseUnavailable } from '../../store/db.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('database unavailable', () => {
  it.each([
    ['a stop in progress (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['shutting down (57P03)', pgError('57P03', 'the database system is shutting down')],
    ['starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    [
      'a crashed server (57P02)',
      pgError('57P02', 'terminating connection because of crash of another server process'),
    ],
    ['a connection failure (08006)', pgError('08006', 'connection failure')],
    ['a refused connection', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', pgError('ECONNRESET', 'read ECONNRESET')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'every address of a host name refused',
      new AggregateError([pgError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432')]),
    ],
  ])('%s → 503 unavailable', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(mapError(err)).toMatchObject({
      status: 503,
      code: 'unavailable',
      message: 'the database is unavailable; try again shortly',
    });
  });

  it.each([
    ['a syntax error (42601)', pgError('42601', 'syntax error at or near "SELEC"')],
    ['a unique violation (23505)', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('%s is not', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
    expect(mapError(err)).toBeUndefined();
  });
});
