import { useCallback, useEffect, useRef, useState } from 'react';
import type { LocalAudioTrack, Room } from 'livekit-client';
import { MindBotApiError, problemMessage } from '../../api/widget-api.js';
import { useWidget } from '../../app/context.js';
import {
  CALL_NOTICE_TOPIC,
  CHECKOUT_TOPIC,
  parseCallNotice,
  parseCheckoutOffer,
  TRANSCRIPTION_TOPIC,
  withSegment,
  type CheckoutOffer,
  type TranscriptLine,
} from './agent-messages.js';

export type CallPhase = 'idle' | 'connecting' | 'connected' | 'ended';

export interface CallState {
  phase: CallPhase;
  muted: boolean;
  lines: TranscriptLine[];
  /** A refusal to show in an alert (microphone blocked, no minutes, …). */
  error: string | undefined;
  /** The refusal was "no minutes left": offer to buy more. */
  noMinutes: boolean;
  lowBalance: string | undefined;
  /** The call ended because the time ran out (the agent's message). */
  cutOff: string | undefined;
  offers: CheckoutOffer[];
}

const INITIAL: CallState = {
  phase: 'idle',
  muted: false,
  lines: [],
  error: undefined,
  noMinutes: false,
  lowBalance: undefined,
  cutOff: undefined,
  offers: [],
};

interface Live {
  room: Room;
  track: LocalAudioTrack;
  sessionId: string;
  ending: boolean;
}

/**
 * A call with the tenant's agent over livekit-client (loaded on the first call): the microphone first
 * (a refusal costs nothing), then POST /v1/voice/sessions, then the room; the agent's audio plays
 * through <audio> elements in the shadow root; transcript and notices arrive as text streams.
 */
export function useCall(onEnded: () => void) {
  const { api, t, root } = useWidget();
  const [state, setState] = useState<CallState>(INITIAL);
  const live = useRef<Live | undefined>(undefined);
  const audio = useRef<HTMLDivElement | null>(null);

  const update = useCallback((patch: Partial<CallState> | ((s: CallState) => Partial<CallState>)) => {
    setState((s) => ({ ...s, ...(typeof patch === 'function' ? patch(s) : patch) }));
  }, []);

  const finish = useCallback(
    async (patch: Partial<CallState> = {}) => {
      const current = live.current;
      if (!current || current.ending) return;
      current.ending = true;
      update({ ...patch, phase: 'ended', muted: false });
      current.track.stop();
      await current.room.disconnect();
      try {
        await api.endCall(current.sessionId);
      } catch {
        // Already settled (the agent ended it, or the sweep did): nothing left to do.
      }
      live.current = undefined;
      onEnded();
    },
    [api, onEnded, update],
  );

  const start = useCallback(async () => {
    if (live.current) return;
    setState({ ...INITIAL, phase: 'connecting' });
    const lk = await import('livekit-client');
    let track: LocalAudioTrack;
    try {
      track = await lk.createLocalAudioTrack({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      const message = name === 'NotFoundError' || name === 'OverconstrainedError' ? t('micMissing') : t('micBlocked');
      update({ phase: 'idle', error: message });
      return;
    }
    let session;
    try {
      session = await api.startCall();
    } catch (e) {
      track.stop();
      update({ phase: 'idle', error: problemMessage(e, t('genericError')), noMinutes: e instanceof MindBotApiError && e.status === 402 });
      return;
    }
    const room = new lk.Room();
    const current: Live = { room, track, sessionId: session.sessionId, ending: false };
    live.current = current;

    room.on(lk.RoomEvent.TrackSubscribed, (remote) => {
      if (remote.kind !== lk.Track.Kind.Audio) return;
      const element = remote.attach();
      (audio.current ?? root).append(element);
    });
    room.on(lk.RoomEvent.TrackUnsubscribed, (remote) => {
      for (const element of remote.detach()) element.remove();
    });
    room.on(lk.RoomEvent.Disconnected, () => void finish());
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, participant) => {
      const id = reader.info.attributes?.['lk.segment_id'] ?? reader.info.id;
      const speaker = participant.identity === room.localParticipant.identity ? 'user' : 'agent';
      void (async () => {
        let text = '';
        for await (const chunk of reader) {
          text += chunk;
          const line: TranscriptLine = { id, speaker, text };
          update((s) => ({ lines: withSegment(s.lines, line) }));
        }
      })();
    });
    room.registerTextStreamHandler(CHECKOUT_TOPIC, (reader) => {
      void reader.readAll().then((text) => {
        const offer = parseCheckoutOffer(text);
        if (offer) update((s) => ({ offers: [...s.offers.filter((o) => o.purchaseId !== offer.purchaseId), offer] }));
      });
    });
    room.registerTextStreamHandler(CALL_NOTICE_TOPIC, (reader) => {
      void reader.readAll().then((text) => {
        const notice = parseCallNotice(text);
        if (!notice) return;
        if (notice.type === 'low_balance') update({ lowBalance: notice.message });
        else if (notice.type === 'balance_exhausted') void finish({ cutOff: notice.message });
        else update({ error: notice.message });
      });
    });

    try {
      await room.connect(session.livekitUrl, session.token);
      await room.localParticipant.publishTrack(track);
      await room.startAudio();
      if (!current.ending) update({ phase: 'connected' });
    } catch (e) {
      await finish({ error: problemMessage(e, t('genericError')) });
    }
  }, [api, finish, root, t, update]);

  const toggleMute = useCallback(async () => {
    const current = live.current;
    if (!current) return;
    if (current.track.isMuted) await current.track.unmute();
    else await current.track.mute();
    update({ muted: current.track.isMuted });
  }, [update]);

  const hangUp = useCallback(() => finish(), [finish]);

  // Leaving (sign-out, page teardown) ends the call.
  const finishOnLeave = useRef(finish);
  useEffect(() => {
    finishOnLeave.current = finish;
  }, [finish]);
  useEffect(() => () => void finishOnLeave.current(), []);

  return { state, start, toggleMute, hangUp, audio };
}
