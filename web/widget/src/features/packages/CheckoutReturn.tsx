import { useEffect, useId, useState } from 'react';
import { problemMessage, type TimeCard } from '../../api/widget-api.js';
import { useWidget } from '../../app/context.js';
import type { Translate } from '../../i18n/index.js';
import { formatDate, formatDuration } from '../balance/duration.js';
import type { CheckoutResult } from './checkout-return.js';
import { activatableCards, completePurchase, isAbort, type PurchaseOutcome } from './purchase-return.js';

type State = { kind: 'waiting' } | { kind: 'failed'; message: string } | PurchaseOutcome;

/**
 * The result of a Checkout the page came back from, in `role="status"`. Paid: the purchase's time card
 * is waited for (the webhook may come after the browser), activated, and the balance refreshed; only
 * then does it say the time was added. If the card does not come in time, the cards that can still be
 * activated are listed with their codes and an Activate button each.
 */
export function CheckoutReturn({
  result,
  purchaseId,
  signedIn,
  onBalanceChanged,
  onRefused,
}: {
  result: CheckoutResult;
  purchaseId: string | undefined;
  signedIn: boolean;
  onBalanceChanged: () => void;
  onRefused: () => void;
}) {
  const { api, t, language } = useWidget();
  const [state, setState] = useState<State>({ kind: 'waiting' });
  const [attempt, setAttempt] = useState(0);
  const [activated, setActivated] = useState<string>();
  const [activateError, setActivateError] = useState<string>();
  const [busyCard, setBusyCard] = useState<string>();
  const listId = useId();

  useEffect(() => {
    if (result !== 'success' || !signedIn) return;
    const controller = new AbortController();
    setState({ kind: 'waiting' });
    const run = async (): Promise<PurchaseOutcome> =>
      purchaseId === undefined
        ? { kind: 'notYet', cards: activatableCards(await api.timeCards(), Date.now()) }
        : completePurchase(api, purchaseId, { signal: controller.signal });
    run().then(
      (outcome) => {
        if (controller.signal.aborted) return;
        setState(outcome);
        if (outcome.kind === 'added' || outcome.kind === 'alreadyAdded') onBalanceChanged();
      },
      (e: unknown) => {
        if (controller.signal.aborted || isAbort(e)) return;
        setState({ kind: 'failed', message: problemMessage(e, t('genericError')) });
        onRefused();
      },
    );
    return () => controller.abort();
  }, [api, t, result, purchaseId, signedIn, attempt, onBalanceChanged, onRefused]);

  const activate = async (card: TimeCard) => {
    if (card.activationCode === null || state.kind !== 'notYet') return;
    setBusyCard(card.id);
    setActivateError(undefined);
    try {
      const activation = await api.activate(card.activationCode);
      setActivated(t('activated', { time: formatDuration(activation.seconds, t), date: formatDate(activation.expiresAt, language) }));
      setState({ kind: 'notYet', cards: state.cards.filter((c) => c.id !== card.id) });
      onBalanceChanged();
    } catch (e) {
      setActivateError(problemMessage(e, t('genericError')));
      onRefused();
    } finally {
      setBusyCard(undefined);
    }
  };

  const view = describe(result, signedIn, state, t, language);
  // One status element whose text changes (a live region that stays put is announced reliably).
  return (
    <>
      {view.status !== undefined && (
        <p role="status" className="status">
          {state.kind === 'notYet' && activated !== undefined ? activated : view.status}
        </p>
      )}
      {(view.alert ?? activateError) && (
        <p role="alert" className="alert">
          {view.alert ?? activateError}
        </p>
      )}
      {state.kind === 'notYet' && signedIn && result === 'success' && state.cards.length > 0 && (
        <ul aria-label={t('codesToActivate')}>
          {state.cards.map((card) => (
            <li key={card.id} className="package">
              <span id={`${listId}-${card.id}`}>
                {formatDuration(card.seconds, t)} · <code>{card.activationCode}</code>
              </span>
              <button
                type="button"
                className="primary"
                aria-describedby={`${listId}-${card.id}`}
                disabled={busyCard !== undefined}
                onClick={() => void activate(card)}
              >
                {t('activate')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {view.checkAgain && (
        <div className="row">
          <button
            type="button"
            onClick={() => {
              setActivated(undefined);
              setActivateError(undefined);
              setAttempt((n) => n + 1);
            }}
          >
            {t('checkAgain')}
          </button>
        </div>
      )}
    </>
  );
}

/** What to say for the state: time "added" only once the API activated the card (or had already). */
function describe(
  result: CheckoutResult,
  signedIn: boolean,
  state: State,
  t: Translate,
  language: string,
): { status?: string; alert?: string; checkAgain?: boolean } {
  if (result === 'cancel') return { status: t('checkoutCancel') };
  if (!signedIn) return { status: t('purchaseSignIn') };
  switch (state.kind) {
    case 'waiting':
      return { status: t('purchaseWaiting') };
    case 'added':
      return { status: t('purchaseAdded', { time: formatDuration(state.seconds, t), date: formatDate(state.expiresAt, language) }) };
    case 'alreadyAdded':
      return {
        status:
          state.expiresAt === undefined
            ? t('purchaseAlreadyAdded', { time: formatDuration(state.seconds, t) })
            : t('purchaseAdded', { time: formatDuration(state.seconds, t), date: formatDate(state.expiresAt, language) }),
      };
    case 'unavailable':
      return { status: t('purchaseReceived'), alert: t('purchaseUnavailable') };
    case 'failed':
      return { status: t('purchaseReceived'), alert: t('purchaseFailed', { message: state.message }), checkAgain: true };
    case 'notYet':
      return { status: t(state.cards.length > 0 ? 'purchaseNotYet' : 'purchaseNotReady'), checkAgain: true };
  }
}
