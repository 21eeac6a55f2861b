import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { CheckoutOffer } from '@mindbot/sdk/agent-job';
import type { Logger } from '@mindbot/logger';
import { BillingError, type BillingJobClient } from '@mindbot/billing-client';
import { spokenDuration, spokenPrice } from './spoken-format.js';

/** What the tools need from the call they run in. */
export interface CallToolsContext {
  billing: BillingJobClient;
  language: string;
  /** Seconds the user has been in the call so far (what metering will charge). */
  elapsedSeconds: () => number;
  /** Puts a checkout link on the user's screen (never read aloud: card details stay out of the call). */
  offerCheckout: (offer: CheckoutOffer) => Promise<void>;
  logger: Logger;
}

/**
 * The agent's tools. Each answers from billing for this call's tenant and user only (the job
 * credential reaches nothing else), and a failure becomes plain words for the user, never a stack
 * trace or a status code.
 */
export function createCallTools(call: CallToolsContext) {
  const answer = async <T>(tool: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      call.logger.warn({ err: error, tool }, 'tool failed');
      throw new llm.ToolError(plainWordsFor(error));
    }
  };

  return {
    check_time_balance: llm.tool({
      description: "The user's talk time: how long this call may still run, and their time cards with when each expires.",
      execute: () =>
        answer('check_time_balance', async () => {
          const { session, balance } = await call.billing.summary();
          return {
            timeLeftInThisCall: spokenDuration(session.remainingSeconds),
            remainingSeconds: session.remainingSeconds,
            timeCards: balance.lots.map((lot) => ({
              remaining: spokenDuration(lot.remainingSeconds),
              expires: lot.expiresAt.slice(0, 10),
            })),
          };
        }),
    }),
    get_pricing_packages: llm.tool({
      description: 'The time-card packages this service sells, with their prices, talk time and bonus.',
      execute: () =>
        answer('get_pricing_packages', async () => {
          const { packages } = await call.billing.packages();
          return packages.map((p) => ({
            id: p.id,
            name: p.name,
            price: spokenPrice(p.priceCents, p.currency, call.language),
            talkTime: spokenDuration(p.baseSeconds),
            bonus: p.bonusSeconds > 0 ? spokenDuration(p.bonusSeconds) : 'none',
          }));
        }),
    }),
    estimate_session_cost: llm.tool({
      description: 'How much talk time this call has used so far and how much is left.',
      execute: () =>
        answer('estimate_session_cost', async () => {
          const { session } = await call.billing.summary();
          const used = Math.max(call.elapsedSeconds(), session.settledSeconds);
          const left = Math.max(0, session.remainingSeconds - Math.max(0, used - session.settledSeconds));
          return { usedSoFar: spokenDuration(used), usedSeconds: used, timeLeft: spokenDuration(left), remainingSeconds: left };
        }),
    }),
    start_purchase: llm.tool({
      description:
        'Start buying a time-card package for the user. The payment page appears on their screen; never ask for or repeat card details. Call get_pricing_packages first to know the package ids.',
      parameters: z.object({ package: z.string().min(1).max(100).describe('The package id (pkg_…) or its name, e.g. Basic') }),
      execute: ({ package: wanted }) =>
        answer('start_purchase', async () => {
          const { packages } = await call.billing.packages();
          const needle = wanted.trim().toLowerCase();
          const chosen = packages.find((p) => p.id === wanted.trim() || p.name.toLowerCase() === needle);
          if (!chosen)
            throw new llm.ToolError(`There is no package called "${wanted}". The packages are: ${packages.map((p) => p.name).join(', ')}.`);
          const purchase = await call.billing.purchase(chosen.id);
          if (purchase.checkoutUrl === null)
            throw new llm.ToolError('That purchase cannot be paid any more; please try again in a moment.');
          await call.offerCheckout({
            type: 'checkout',
            purchaseId: purchase.id,
            packageName: purchase.packageName,
            amountCents: purchase.amountCents,
            currency: purchase.currency,
            checkoutUrl: purchase.checkoutUrl,
          });
          return {
            sentToScreen: true,
            package: purchase.packageName,
            price: spokenPrice(purchase.amountCents, purchase.currency, call.language),
            note: 'The secure payment page is on the user’s screen now. Do not read out the link.',
          };
        }),
    }),
    get_session_summary: llm.tool({
      description: 'A summary of this call: how long it has lasted, what it has cost so far, and the time left.',
      execute: () =>
        answer('get_session_summary', async () => {
          const { session, balance } = await call.billing.summary();
          const lasted = Math.max(call.elapsedSeconds(), session.settledSeconds);
          return {
            lasted: spokenDuration(lasted),
            charged: spokenDuration(session.chargedSeconds),
            timeLeftInThisCall: spokenDuration(session.remainingSeconds),
            totalTalkTimeLeft: spokenDuration(balance.totalSeconds),
            startedAt: session.startedAt,
          };
        }),
    }),
  };
}

function plainWordsFor(error: unknown): string {
  if (error instanceof llm.ToolError) return error.message;
  if (error instanceof BillingError) {
    if (error.status === 409 && error.detail) return error.detail;
    if (error.status === 404) return 'That is not available.';
    if (error.status === 401) return 'This call has ended, so I cannot do that any more.';
  }
  return 'I could not reach the billing service just now. Please try again in a moment.';
}
