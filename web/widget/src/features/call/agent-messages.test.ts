import { parseCallNotice, parseCheckoutOffer, withSegment, type TranscriptLine } from './agent-messages.js';

describe('agent messages', () => {
  const offer = {
    type: 'checkout',
    purchaseId: 'pur_1',
    packageName: 'Starter',
    amountCents: 500,
    currency: 'eur',
    checkoutUrl: 'https://checkout.stripe.com/c/pay/cs_1',
  };

  it('reads a checkout offer and refuses anything that is not an http(s) link', () => {
    expect(parseCheckoutOffer(JSON.stringify(offer))).toEqual(offer);
    expect(parseCheckoutOffer(JSON.stringify({ ...offer, checkoutUrl: 'javascript:alert(1)' }))).toBeUndefined();
    expect(parseCheckoutOffer('not json')).toBeUndefined();
    expect(parseCheckoutOffer(JSON.stringify({ type: 'other' }))).toBeUndefined();
  });

  it('reads call notices', () => {
    expect(parseCallNotice(JSON.stringify({ type: 'low_balance', remainingSeconds: 60, message: 'One minute left.' }))).toEqual({
      type: 'low_balance',
      remainingSeconds: 60,
      message: 'One minute left.',
    });
    expect(parseCallNotice(JSON.stringify({ type: 'party', message: 'x' }))).toBeUndefined();
  });

  it('keeps one line per segment, replaced as it grows', () => {
    let lines: TranscriptLine[] = [];
    lines = withSegment(lines, { id: 's1', speaker: 'agent', text: 'Hello' });
    lines = withSegment(lines, { id: 's2', speaker: 'user', text: 'Hi' });
    lines = withSegment(lines, { id: 's1', speaker: 'agent', text: 'Hello, how can I help?' });
    lines = withSegment(lines, { id: 's3', speaker: 'user', text: '  ' });
    expect(lines).toEqual([
      { id: 's1', speaker: 'agent', text: 'Hello, how can I help?' },
      { id: 's2', speaker: 'user', text: 'Hi' },
    ]);
  });
});
