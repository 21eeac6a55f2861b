import { MindBotApiError, type Balance, type TimeCard, type TimeCardActivation } from '../../api/widget-api.js';
import {
  activatableCards,
  cardOfPurchase,
  completePurchase,
  waitForPurchaseCard,
  type Clock,
  type PurchaseReturnApi,
} from './purchase-return.js';

const NOW = Date.parse('2026-12-06T15:00:00Z');

function card(over: Partial<TimeCard> & Pick<TimeCard, 'id' | 'purchaseId'>): TimeCard {
  return {
    activationCode: `CODE-${over.id}`,
    seconds: 3600,
    status: 'issued',
    activatedAt: null,
    codeExpiresAt: '2027-12-06T15:00:00Z',
    createdAt: '2026-12-06T14:59:00Z',
    ...over,
  };
}

/** Time passes only when the code under test sleeps. */
function fakeClock(start = NOW): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

const problem = (status: number, code: string) =>
  new MindBotApiError(status, { type: 'about:blank', title: code, status, detail: `${code} detail`, code });

/** Answers the time cards of each poll in turn (the last one again after that), and records activations. */
function fakeApi(
  polls: (TimeCard[] | Error)[],
  options: { activate?: (code: string) => TimeCardActivation | Error; balance?: Balance } = {},
) {
  const activated: string[] = [];
  let calls = 0;
  const api: PurchaseReturnApi & { activated: string[]; calls: () => number } = {
    activated,
    calls: () => calls,
    timeCards: () => {
      const answer = polls[Math.min(calls, polls.length - 1)] ?? [];
      calls += 1;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    activate: (code) => {
      activated.push(code);
      const answer = options.activate?.(code) ?? { timeCardId: 'tc', lotId: 'lot_1', seconds: 3600, expiresAt: '2027-12-06T15:00:00Z' };
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    balance: () => Promise.resolve(options.balance ?? { availableSeconds: 0, totalSeconds: 0, heldSeconds: 0, lots: [] }),
  };
  return api;
}

describe('card selection', () => {
  const cards = [
    card({ id: 'tc_old', purchaseId: 'pur_old', createdAt: '2026-11-01T00:00:00Z' }),
    card({ id: 'tc_used', purchaseId: 'pur_used', status: 'active', activationCode: null, activatedAt: '2026-11-02T00:00:00Z' }),
    card({ id: 'tc_new', purchaseId: 'pur_new', createdAt: '2026-12-06T14:00:00Z' }),
    card({ id: 'tc_revoked', purchaseId: 'pur_refunded', status: 'revoked', activationCode: null }),
    card({ id: 'tc_lapsed', purchaseId: 'pur_lapsed', codeExpiresAt: '2026-12-01T00:00:00Z' }),
  ];

  it('finds the card of the purchase by its purchaseId, whatever its state', () => {
    expect(cardOfPurchase(cards, 'pur_new')?.id).toBe('tc_new');
    expect(cardOfPurchase(cards, 'pur_used')?.id).toBe('tc_used');
    expect(cardOfPurchase(cards, 'pur_other')).toBeUndefined();
  });

  it('lists the cards that can still be activated, newest first', () => {
    expect(activatableCards(cards, NOW).map((c) => c.id)).toEqual(['tc_new', 'tc_old']);
  });
});

describe('waiting for the purchase card', () => {
  it('asks every second until the webhook has issued the card', async () => {
    const clock = fakeClock();
    const api = fakeApi([[], [], [card({ id: 'tc_1', purchaseId: 'pur_1' })]]);
    const result = await waitForPurchaseCard(api, 'pur_1', { clock });
    expect(result).toMatchObject({ kind: 'found', card: { id: 'tc_1' } });
    expect(api.calls()).toBe(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('gives up after about 20 s with the last list', async () => {
    const clock = fakeClock();
    const other = card({ id: 'tc_other', purchaseId: 'pur_other' });
    const api = fakeApi([[other]]);
    const result = await waitForPurchaseCard(api, 'pur_1', { clock });
    expect(result).toEqual({ kind: 'timeout', cards: [other] });
    expect(api.calls()).toBe(21);
    expect(clock.now() - NOW).toBe(20_000);
  });

  it('retries network and server errors, but not a refusal asking again cannot cure', async () => {
    const clock = fakeClock();
    const found = await waitForPurchaseCard(
      fakeApi([new TypeError('fetch failed'), problem(503, 'unavailable'), [card({ id: 'tc_1', purchaseId: 'pur_1' })]]),
      'pur_1',
      {
        clock,
      },
    );
    expect(found.kind).toBe('found');

    const signedOut = fakeApi([problem(401, 'unauthorized')]);
    await expect(waitForPurchaseCard(signedOut, 'pur_1', { clock: fakeClock() })).rejects.toMatchObject({ status: 401 });
    expect(signedOut.calls()).toBe(1);

    await expect(waitForPurchaseCard(fakeApi([problem(502, 'bad_gateway')]), 'pur_1', { clock: fakeClock() })).rejects.toMatchObject({
      status: 502,
    });
  });

  it('stops when aborted (the widget went away)', async () => {
    const controller = new AbortController();
    const clock = fakeClock();
    const api = fakeApi([[]]);
    const sleep = clock.sleep;
    clock.sleep = (ms, signal) => {
      controller.abort();
      return sleep(ms, signal);
    };
    await expect(waitForPurchaseCard(api, 'pur_1', { clock, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(api.calls()).toBe(1);
  });
});

describe('completing a purchase', () => {
  it('activates the purchase card once it appears and reports what the API added', async () => {
    const api = fakeApi([
      [card({ id: 'tc_other', purchaseId: 'pur_other' })],
      [card({ id: 'tc_1', purchaseId: 'pur_1', activationCode: 'ABCD-EFGH-JKLM' })],
    ]);
    const outcome = await completePurchase(api, 'pur_1', { clock: fakeClock() });
    expect(outcome).toEqual({ kind: 'added', seconds: 3600, expiresAt: '2027-12-06T15:00:00Z' });
    expect(api.activated).toEqual(['ABCD-EFGH-JKLM']);
  });

  it('does not activate anything and lists the activatable cards when the card does not come in time', async () => {
    const waiting = card({ id: 'tc_other', purchaseId: 'pur_other' });
    const api = fakeApi([[waiting, card({ id: 'tc_used', purchaseId: 'pur_used', status: 'active', activationCode: null })]]);
    expect(await completePurchase(api, 'pur_1', { clock: fakeClock() })).toEqual({ kind: 'notYet', cards: [waiting] });
    expect(api.activated).toEqual([]);
  });

  it('reports an already activated card with its lot, without activating again', async () => {
    const used = card({ id: 'tc_1', purchaseId: 'pur_1', status: 'active', activationCode: null, seconds: 1800 });
    const lots = [{ id: 'lot_1', timeCardId: 'tc_1', grantedSeconds: 1800, remainingSeconds: 1200, expiresAt: '2027-12-01T00:00:00Z' }];
    const api = fakeApi([[used]], { balance: { availableSeconds: 1200, totalSeconds: 1200, heldSeconds: 0, lots } });
    expect(await completePurchase(api, 'pur_1', { clock: fakeClock() })).toEqual({
      kind: 'alreadyAdded',
      seconds: 1800,
      expiresAt: '2027-12-01T00:00:00Z',
    });
    expect(api.activated).toEqual([]);
  });

  it('takes a 409 (activated meanwhile in another tab) as already added', async () => {
    const api = fakeApi([[card({ id: 'tc_1', purchaseId: 'pur_1' })]], { activate: () => problem(409, 'already_activated') });
    expect(await completePurchase(api, 'pur_1', { clock: fakeClock() })).toEqual({
      kind: 'alreadyAdded',
      seconds: 3600,
      expiresAt: undefined,
    });
  });

  it('never claims time for a revoked card or a refused activation', async () => {
    const revoked = card({ id: 'tc_1', purchaseId: 'pur_1', status: 'revoked', activationCode: null });
    expect(await completePurchase(fakeApi([[revoked]]), 'pur_1', { clock: fakeClock() })).toEqual({ kind: 'unavailable', card: revoked });

    const refused = fakeApi([[card({ id: 'tc_1', purchaseId: 'pur_1' })]], { activate: () => problem(410, 'code_expired') });
    await expect(completePurchase(refused, 'pur_1', { clock: fakeClock() })).rejects.toMatchObject({ status: 410 });
  });
});
