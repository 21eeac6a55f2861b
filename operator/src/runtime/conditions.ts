import type { Condition } from '../api/v1alpha1/tenant-types.js';

export type ConditionStatus = Condition['status'];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/**
 * Sets a condition per the Kubernetes API conventions: `lastTransitionTime` moves only when the
 * status changes, so re-stating an unchanged condition writes nothing new.
 */
export function setCondition(
  conditions: readonly Condition[],
  input: ConditionInput,
  observedGeneration: number,
  now: Date = new Date(),
): Condition[] {
  const existing = conditions.find((c) => c.type === input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    observedGeneration,
    lastTransitionTime:
      existing && existing.status === input.status ? existing.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    reason: input.reason,
    message: input.message,
  };
  return existing ? conditions.map((c) => (c.type === input.type ? next : c)) : [...conditions, next];
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
