import { useEffect, useRef } from 'react';
import { useWidget } from '../../app/context.js';
import { useCall } from './use-call.js';

export function CallSection({ onEnded, onBuyMore }: { onEnded: () => void; onBuyMore: () => void; onRefused: () => void }) {
  const { t, branding } = useWidget();
  const { state, start, toggleMute, hangUp, audio } = useCall(onEnded);
  const log = useRef<HTMLDivElement>(null);
  const inCall = state.phase === 'connecting' || state.phase === 'connected';

  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [state.lines]);

  return (
    <section>
      <h3>{t('callTitle')}</h3>
      <div ref={audio} hidden />
      {state.error && (
        <p role="alert" className="alert">
          {state.error}
        </p>
      )}
      {state.cutOff !== undefined && (
        <p role="alert" className="alert">
          {t('cutOff')} {state.cutOff}
        </p>
      )}
      {state.lowBalance !== undefined && inCall && (
        <p role="alert" className="alert">
          {state.lowBalance}
        </p>
      )}
      {(inCall || state.phase === 'ended') && (
        <p role="status" className="status">
          {t(state.phase === 'connecting' ? 'connecting' : state.phase === 'connected' ? 'connected' : 'callEnded')}
        </p>
      )}
      <div className="row">
        {inCall ? (
          <>
            <button type="button" aria-pressed={state.muted} disabled={state.phase !== 'connected'} onClick={() => void toggleMute()}>
              {t(state.muted ? 'unmute' : 'mute')}
            </button>
            <button type="button" className="primary" onClick={() => void hangUp()}>
              {t('hangUp')}
            </button>
          </>
        ) : (
          <button type="button" className="primary" onClick={() => void start()}>
            {t('startCall')}
          </button>
        )}
        {(state.cutOff !== undefined || state.noMinutes) && (
          <button type="button" onClick={onBuyMore}>
            {t('buyMoreTime')}
          </button>
        )}
      </div>
      {state.offers.map((offer) => (
        <p key={offer.purchaseId}>
          <a className="link-button" href={offer.checkoutUrl} target="_blank" rel="noopener noreferrer">
            {t('openCheckout')}
          </a>{' '}
          <span className="muted">{offer.packageName}</span>
        </p>
      ))}
      {(inCall || state.lines.length > 0) && (
        <div ref={log} role="log" aria-label={t('transcript')} className="transcript" tabIndex={0}>
          {state.lines.map((line) => (
            <p key={line.id} className={`line-${line.speaker}`} style={{ margin: 0 }}>
              <span className="speaker">{line.speaker === 'user' ? t('you') : branding.agentName || branding.displayName}: </span>
              {line.text}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}
