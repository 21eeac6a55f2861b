/** Shared between the app (readiness) and the server runner (shutdown). */
export interface Lifecycle {
  draining: boolean;
}

export function createLifecycle(): Lifecycle {
  return { draining: false };
}
