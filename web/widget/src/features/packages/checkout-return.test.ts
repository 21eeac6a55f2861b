import { checkoutResultOf, purchaseIdOf, withoutCheckoutResult } from './checkout-return.js';

describe('checkout return', () => {
  it("reads the widget's own marker and billing's return", () => {
    expect(checkoutResultOf('https://shop.example/p?mindbot_checkout=success')).toBe('success');
    expect(checkoutResultOf('https://shop.example/p?mindbot_checkout=cancel')).toBe('cancel');
    expect(checkoutResultOf('https://acme.mindbot.ai/billing/purchases/pur_1?checkout=success')).toBe('success');
    expect(checkoutResultOf('https://acme.mindbot.ai/billing/purchases/pur_1?checkout=cancelled')).toBe('cancel');
  });
  it('ignores other pages', () => {
    expect(checkoutResultOf('https://shop.example/?checkout=success')).toBeUndefined();
    expect(checkoutResultOf('https://shop.example/?mindbot_checkout=maybe')).toBeUndefined();
  });
  it('drops the marker and keeps the rest', () => {
    expect(withoutCheckoutResult('https://shop.example/p?a=1&mindbot_checkout=success#x')).toBe('https://shop.example/p?a=1#x');
    expect(withoutCheckoutResult('https://shop.example/p?a=1&mindbot_checkout=cancel&mindbot_purchase=pur_1')).toBe(
      'https://shop.example/p?a=1',
    );
  });
  it('reads the purchase id of the return', () => {
    expect(purchaseIdOf('https://shop.example/p?mindbot_checkout=success&mindbot_purchase=pur_1')).toBe('pur_1');
    expect(purchaseIdOf('https://acme.mindbot.ai/billing/purchases/pur_2?checkout=success')).toBe('pur_2');
    expect(purchaseIdOf('https://shop.example/p?mindbot_checkout=success')).toBeUndefined();
  });
});
