/**
 * What the Temporal server did during a phase, from its own Prometheus page: requests to its
 * store by operation with the time spent in them, its visibility writes, the history
 * service's tasks by type, and the requests its services served. Divided by what the phase started, it
 * says how much more store work a receivable's start makes than a no-op start, where CPU
 * seconds alone say only that the server was busy.
 */

/** Counter name → operation or task type → value, summed over the other labels. */
export type ServerCounters = Map<string, Map<string, number>>;

const COUNTERS = {
  persistence_requests: 'operation',
  persistence_latency_sum: 'operation',
  visibility_persistence_requests: 'operation',
  task_requests: 'task_type',
  service_requests: 'operation',
} as const;

/** Reads the counters above; an empty map when the page is unreadable. */
export async function readServerCounters(url: string): Promise<ServerCounters> {
  const counters: ServerCounters = new Map();
  let page: string;
  try {
    page = await (await fetch(url)).text();
  } catch {
    return counters;
  }
  for (const m of page.matchAll(/^([a-z_]+)\{([^}]*)\}\s+(\S+)$/gm)) {
    const [, name, labels, value] = m as unknown as [string, string, string, string];
    const by = COUNTERS[name as keyof typeof COUNTERS];
    if (!by) continue;
    const key = new RegExp(`(?:^|,)${by}="([^"]*)"`).exec(labels)?.[1] ?? '?';
    const counter = counters.get(name) ?? new Map<string, number>();
    counter.set(key, (counter.get(key) ?? 0) + Number(value));
    counters.set(name, counter);
  }
  return counters;
}

function delta(a: ServerCounters, b: ServerCounters, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, v] of b.get(name) ?? []) {
    const d = v - (a.get(name)?.get(key) ?? 0);
    if (d > 0) out.set(key, d);
  }
  return out;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);

const top = (m: Map<string, number>, units: number, n: number) =>
  [...m]
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${(v / units).toFixed(1)}`)
    .join(', ');

/** The server's work between two readings, per `unit` of the `units` the phase made. */
export function describeServerWork(
  a: ServerCounters,
  b: ServerCounters,
  units: number,
  unit: string,
): string {
  if (a.size === 0 || b.size === 0 || units <= 0) return "the server's work: its metrics page unreadable";
  const requests = delta(a, b, 'persistence_requests');
  const seconds = delta(a, b, 'persistence_latency_sum');
  const visibility = delta(a, b, 'visibility_persistence_requests');
  const tasks = delta(a, b, 'task_requests');
  const calls = delta(a, b, 'service_requests');
  return (
    `the server per ${unit}: ${(total(requests) / units).toFixed(1)} persistence requests ` +
    `(${((total(seconds) * 1000) / units).toFixed(1)} ms in them, waits included; ${top(requests, units, 6)}), ` +
    `${(total(visibility) / units).toFixed(1)} visibility writes besides (${top(visibility, units, 3)}), ` +
    `${(total(tasks) / units).toFixed(1)} history tasks (${top(tasks, units, 5)}), ` +
    `${(total(calls) / units).toFixed(1)} requests served, a client's counted at the frontend and at the service behind it (${top(calls, units, 6)})`
  );
}
