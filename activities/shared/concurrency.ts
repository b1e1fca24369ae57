/**
 * Maps over `items` with at most `limit` calls in flight, results in input order.
 * Batch activities use it so one dealer's round trips to PostgreSQL and SMTP overlap
 * another's instead of adding up; the first failure rejects (the activity retries,
 * and every write it makes is keyed, so done work is not done twice).
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}
