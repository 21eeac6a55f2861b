import {
  CALL_NOTICE_TOPIC,
  CHECKOUT_TOPIC,
  callNoticeSchema,
  checkoutOfferSchema,
  type CallNotice,
  type CheckoutOffer,
} from '@mindbot/sdk/agent-job';

export { CALL_NOTICE_TOPIC, CHECKOUT_TOPIC };
export type { CallNotice, CheckoutOffer };

export const TRANSCRIPTION_TOPIC = 'lk.transcription';

/** A checkout link the agent sent (JSON on CHECKOUT_TOPIC); undefined for anything else. Only http(s) links are kept. */
export function parseCheckoutOffer(text: string): CheckoutOffer | undefined {
  const offer = checkoutOfferSchema.safeParse(parseJson(text));
  if (!offer.success) return undefined;
  try {
    const url = new URL(offer.data.checkoutUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? offer.data : undefined;
  } catch {
    return undefined;
  }
}

/** Why the call ends or what the agent warns of (JSON on CALL_NOTICE_TOPIC); undefined for anything else. */
export function parseCallNotice(text: string): CallNotice | undefined {
  const notice = callNoticeSchema.safeParse(parseJson(text));
  return notice.success ? notice.data : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface TranscriptLine {
  id: string;
  speaker: 'agent' | 'user';
  text: string;
}

/**
 * One line per transcription segment (`lk.segment_id`), in the order segments began. A stream's text
 * replaces its segment's text: the agent's segment arrives as one stream of growing chunks, the user's
 * as successive streams each holding the segment so far.
 */
export function withSegment(lines: readonly TranscriptLine[], line: TranscriptLine): TranscriptLine[] {
  const index = lines.findIndex((l) => l.id === line.id);
  if (index === -1) return line.text.trim() ? [...lines, line] : [...lines];
  const next = [...lines];
  next[index] = line;
  return next;
}
