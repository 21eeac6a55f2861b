import { type JobContext, voice } from '@livekit/agents';
import { RoomServiceClient } from 'livekit-server-sdk';
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { CALL_NOTICE_TOPIC, CHECKOUT_TOPIC, type AgentDispatch, type CallNotice, type SessionEndReason } from '@mindbot/sdk/agent-job';
import type { Logger } from '@mindbot/logger';
import { createCallTools } from './call-tools.js';
import { PersonaAgent } from './persona-agent.js';
import { spokenDuration } from './spoken-format.js';
import type { AgentConfig } from '../config.js';
import { speechFor, voiceActivityFor } from '../providers/speech-providers.js';
import { NO_LANGUAGE_MODEL_REPLY } from '../providers/unconfigured-llm.js';
import { BillingJobClient } from '@mindbot/billing-client';
import { CallMeter } from './call-meter.js';
import { TranscriptRecorder } from './transcript-recorder.js';

const GOODBYE_PLAYOUT_LIMIT_MS = 15_000;
/** The session's close reason when the user left; `user_initiated` is the framework's caller (a job shutting down), not our user. */
const USER_LEFT: ReadonlySet<string> = new Set<string>([voice.CloseReason.PARTICIPANT_DISCONNECTED]);
const END_RETRIES = 5;

/**
 * One call, from the user joining to the session settled: the persona greets, the tools answer
 * from billing, the meter heartbeats to the second, the agent warns once when time runs low and
 * says goodbye and ends the room at zero. However the call ends (the user leaves, the room closes,
 * the time runs out, the worker drains), the session is settled exactly once here; LiveKit's
 * webhook and billing's sweeper settle it too if this process dies, and billing takes whichever
 * comes first.
 */
export async function runCall(ctx: JobContext, dispatch: AgentDispatch, config: AgentConfig, logger: Logger): Promise<void> {
  const log = logger.child({ tenantId: dispatch.tenant, sessionId: dispatch.sessionId });
  const billing = new BillingJobClient(config.BILLING_URL, dispatch);
  await ctx.connect();
  const user: RemoteParticipant = await ctx.waitForParticipant(dispatch.userId);
  // The call is charged from the moment the user entered the room (LiveKit's own clock), not from
  // when this job got there: a job that starts late must not give away the seconds before it.
  const joinedAt = await joinedAtOf(config, ctx.room.name ?? '', dispatch.userId).catch((error: unknown) => {
    log.warn({ err: error }, 'could not read when the user joined; metering from now');
    return Date.now();
  });
  log.info(
    { participant: user.identity, joinedAt: new Date(joinedAt).toISOString() },
    'user in the room; the call is metered from their arrival',
  );

  const notify = async (notice: CallNotice): Promise<void> => {
    await ctx.room.localParticipant?.sendText(JSON.stringify(notice), {
      topic: CALL_NOTICE_TOPIC,
      destinationIdentities: [dispatch.userId],
    });
  };
  const speech = speechFor(config, dispatch.persona);
  const session = new voice.AgentSession({
    llm: speech.llm,
    ...(speech.stt ? { stt: speech.stt } : {}),
    ...(speech.tts ? { tts: speech.tts } : {}),
    vad: voiceActivityFor(speech),
    turnDetection: speech.stt ? 'vad' : 'manual',
  });
  const recorder = new TranscriptRecorder(billing, log);
  recorder.attach(session);

  let ending: Promise<void> | undefined;
  const settle = (elapsedSeconds: number, reason: SessionEndReason): Promise<void> => {
    ending ??= (async () => {
      for (let attempt = 1; attempt <= END_RETRIES; attempt++) {
        try {
          const ended = await billing.end(elapsedSeconds, reason);
          log.info({ elapsedSeconds, reason, chargedSeconds: ended.chargedSeconds }, 'session settled');
          break;
        } catch (error) {
          log.warn({ err: error, attempt }, 'could not settle the session yet');
          if (attempt === END_RETRIES) log.error({ elapsedSeconds }, 'session left to the sweeper: it settles to the last heartbeat');
          else await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
      await recorder.close();
    })();
    return ending;
  };

  const meter = new CallMeter(
    billing,
    config.AGENT_HEARTBEAT_SECONDS * 1000,
    {
      onWarn: (remainingSeconds) => {
        const message = `A quick note: you have ${spokenDuration(remainingSeconds)} of talk time left.`;
        void notify({ type: 'low_balance', remainingSeconds, message }).catch(() => undefined);
        session.say(message, { allowInterruptions: false });
      },
      onStop: (elapsedSeconds, why) => {
        void (async () => {
          if (why === 'balance_exhausted') {
            const message = 'Your talk time is used up, so I have to end our call now. You can buy more time any time. Goodbye!';
            await settle(elapsedSeconds, 'balance_exhausted');
            await notify({ type: 'balance_exhausted', remainingSeconds: 0, message }).catch(() => undefined);
            session.interrupt({ force: true });
            const goodbye = session.say(message, { allowInterruptions: false });
            await Promise.race([goodbye.waitForPlayout(), new Promise((r) => setTimeout(r, GOODBYE_PLAYOUT_LIMIT_MS))]);
          } else {
            await settle(elapsedSeconds, 'agent_ended');
          }
          await ctx.deleteRoom();
          ctx.shutdown(why);
        })();
      },
    },
    log,
    Math.min(joinedAt, Date.now()),
  );

  ctx.room.on(RoomEvent.ParticipantDisconnected, (participant: RemoteParticipant) => {
    if (participant.identity === dispatch.userId) void settle(meter.stop(), 'user_hangup');
  });
  ctx.addShutdownCallback(() => settle(meter.stop(), 'agent_ended'));

  const greeting = dispatch.onboardingGreeting ?? dispatch.persona.greeting;
  const tools = createCallTools({
    billing,
    language: dispatch.persona.language,
    elapsedSeconds: () => meter.elapsedSeconds(),
    offerCheckout: async (offer) => {
      await ctx.room.localParticipant?.sendText(JSON.stringify(offer), { topic: CHECKOUT_TOPIC, destinationIdentities: [dispatch.userId] });
    },
    logger: log,
  });
  meter.start();
  await session.start({
    agent: new PersonaAgent({
      persona: dispatch.persona,
      tenantName: dispatch.tenantName,
      greeting,
      conversational: speech.conversational,
      tools,
    }),
    room: ctx.room,
    inputOptions: {
      audioEnabled: speech.stt !== undefined,
      textEnabled: true,
      participantIdentity: dispatch.userId,
      textInputCallback: answerTypedMessage,
    },
    outputOptions: { audioEnabled: speech.tts !== undefined, transcriptionEnabled: true },
  });
  if (!speech.conversational) void notify({ type: 'no_language_model', message: NO_LANGUAGE_MODEL_REPLY }).catch(() => undefined);
  session.on(voice.AgentSessionEventTypes.Close, ({ reason }) => {
    // The user left, or the worker is ending the call (drain, shutdown, an error).
    const why: SessionEndReason = USER_LEFT.has(reason) ? 'user_hangup' : 'agent_ended';
    void settle(meter.stop(), why).then(() => ctx.shutdown('session closed'));
  });
}

/** When `identity` joined `room`, in epoch milliseconds, as LiveKit recorded it. */
async function joinedAtOf(config: AgentConfig, room: string, identity: string): Promise<number> {
  const api = new RoomServiceClient(config.LIVEKIT_URL.replace(/^ws/, 'http'), config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET);
  const participant = await api.getParticipant(room, identity);
  const ms = Number(participant.joinedAtMs);
  // Only whole seconds known: the user arrived somewhere within that second; take its end, so the
  // call is never charged for time before the user was there.
  return ms > 0 ? ms : Math.min(Date.now(), Number(participant.joinedAt) * 1000 + 999);
}

/**
 * A message the user types: interrupt what the agent is saying and answer it. Announcements that
 * must be heard whole (the greeting, the low-balance and cut-off notices) refuse interruption, and
 * the library's default would then drop the message; here the answer waits for the announcement.
 */
function answerTypedMessage(session: voice.AgentSession, event: { text: string }): void {
  try {
    session.interrupt();
  } catch {
    // Not interruptible now: generateReply below is queued behind the current speech.
  }
  session.generateReply({ userInput: event.text });
}
