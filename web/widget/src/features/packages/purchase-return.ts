import { MindBotApiError, type Balance, type TimeCard, type TimeCardActivation } from '../../api/widget-api.js';

/**
 * After a paid Checkout: the purchase issues a time card (billing's webhook, which may come after the
 * browser is back) whose code must be activated before its time counts. These find that card (by its
 * `purchaseId`), wait for it, activate it, and say what happened; no React, so they are unit-tested.
 */

/** The calls this needs (WidgetApi has them). */
export interface PurchaseReturnApi {
  timeCards(): Promise<TimeCard[]>;
  activate(code: string): Promise<TimeCardActivation>;
  balance(): Promise<Balance>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export const POLL_INTERVAL_MS = 1000;
export const POLL_TIMEOUT_MS = 20_000;

/** The card this purchase issued, if the list has it. */
export function cardOfPurchase(cards: readonly TimeCard[], purchaseId: string): TimeCard | undefined {
  return cards.find((card) => card.purchaseId === purchaseId);
}

/** Cards whose code can still be activated (issued, code shown, not expired), newest first. */
export function activatableCards(cards: readonly TimeCard[], now: number): TimeCard[] {
  return cards
    .filter(
      (card): card is TimeCard & { activationCode: string } =>
        card.status === 'issued' && card.activationCode !== null && Date.parse(card.codeExpiresAt) > now,
    )
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

export type WaitResult = { kind: 'found'; card: TimeCard } | { kind: 'timeout'; cards: TimeCard[] };

/**
 * Asks for the time cards every `intervalMs` until the purchase's card is there or `timeoutMs` have
 * passed. A refusal that asking again cannot cure (4xx other than 408/429: signed out, forbidden) is
 * thrown at once; others (network, 5xx) are retried, and thrown at the end only if no list ever came.
 */
export async function waitForPurchaseCard(
  api: Pick<PurchaseReturnApi, 'timeCards'>,
  purchaseId: string,
  options: { clock?: Clock; intervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<WaitResult> {
  const { clock = realClock, intervalMs = POLL_INTERVAL_MS, timeoutMs = POLL_TIMEOUT_MS, signal } = options;
  const deadline = clock.now() + timeoutMs;
  let cards: TimeCard[] | undefined;
  let lastError: unknown;
  for (;;) {
    if (signal?.aborted) throw abortError();
    try {
      cards = await api.timeCards();
      const card = cardOfPurchase(cards, purchaseId);
      if (card) return { kind: 'found', card };
    } catch (error) {
      if (!retryable(error)) throw error;
      lastError = error;
    }
    if (clock.now() + intervalMs > deadline) break;
    await clock.sleep(intervalMs, signal);
  }
  if (cards === undefined) throw lastError;
  return { kind: 'timeout', cards };
}

export type PurchaseOutcome =
  /** Activated now: `seconds` added, the lot expires at `expiresAt`. */
  | { kind: 'added'; seconds: number; expiresAt: string }
  /** The card was activated before (another tab, an earlier return): its time is in the balance. */
  | { kind: 'alreadyAdded'; seconds: number; expiresAt: string | undefined }
  /** The card exists but cannot be activated (revoked, i.e. refunded; or its code expired). */
  | { kind: 'unavailable'; card: TimeCard }
  /** The card did not come in time: the cards that can be activated by hand (maybe none). */
  | { kind: 'notYet'; cards: TimeCard[] };

/** Waits for the purchase's card and activates it; never reports time added unless the API says so. */
export async function completePurchase(
  api: PurchaseReturnApi,
  purchaseId: string,
  options: { clock?: Clock; intervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<PurchaseOutcome> {
  const clock = options.clock ?? realClock;
  const waited = await waitForPurchaseCard(api, purchaseId, options);
  if (waited.kind === 'timeout') return { kind: 'notYet', cards: activatableCards(waited.cards, clock.now()) };
  const { card } = waited;
  if (card.status === 'active') return alreadyAdded(api, card);
  if (card.status !== 'issued' || card.activationCode === null) return { kind: 'unavailable', card };
  if (options.signal?.aborted) throw abortError();
  try {
    const activation = await api.activate(card.activationCode);
    return { kind: 'added', seconds: activation.seconds, expiresAt: activation.expiresAt };
  } catch (error) {
    // 409: activated meanwhile (another tab); its time is in the balance all the same.
    if (error instanceof MindBotApiError && error.status === 409) return alreadyAdded(api, card);
    throw error;
  }
}

async function alreadyAdded(api: Pick<PurchaseReturnApi, 'balance'>, card: TimeCard): Promise<PurchaseOutcome> {
  let expiresAt: string | undefined;
  try {
    expiresAt = (await api.balance()).lots.find((lot) => lot.timeCardId === card.id)?.expiresAt;
  } catch {
    expiresAt = undefined;
  }
  return { kind: 'alreadyAdded', seconds: card.seconds, expiresAt };
}

function retryable(error: unknown): boolean {
  if (!(error instanceof MindBotApiError)) return !isAbort(error);
  return error.status >= 500 || error.status === 408 || error.status === 429;
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}
