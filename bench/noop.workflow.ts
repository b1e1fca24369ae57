/** P1's yardstick: a workflow that does nothing, so its start costs only what Temporal costs. */
export async function benchNoop(): Promise<void> {}
