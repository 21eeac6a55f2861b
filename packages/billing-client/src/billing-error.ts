/** Billing answered, but not with what the call needed: the status and problem code say why. */
export class BillingError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string | undefined,
  ) {
    super(`billing answered ${status}${code ? ` (${code})` : ''}`);
    this.name = 'BillingError';
  }
}

/** Billing could not be reached, or did not answer in time; `cause` is what fetch threw. */
export class BillingUnreachableError extends Error {
  constructor(options: { cause: unknown }) {
    super('billing could not be reached', options);
    this.name = 'BillingUnreachableError';
  }
}
