import { WorkQueue } from './work-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('hands out a key once however often it is added before being taken', async () => {
    const queue = new WorkQueue({ name: 'test' });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    queue.shutDown();
  });

  it('never hands a key to two workers at once, and processes it again if it changed meanwhile', async () => {
    const queue = new WorkQueue({ name: 'test' });
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    expect(queue.length).toBe(0);
    const second = queue.get();
    let handed = false;
    void second.then(() => (handed = true));
    await sleep(10);
    expect(handed).toBe(false);
    queue.done(first ?? '');
    expect(await second).toBe('a');
    queue.shutDown();
  });

  it('backs off per key exponentially until forgotten', async () => {
    const queue = new WorkQueue({ name: 'test', baseDelayMs: 20, maxDelayMs: 1_000 });
    // From before the first delay is scheduled: nothing may come out sooner than 20 ms after it.
    const started = Date.now();
    expect(queue.addRateLimited('a')).toBe(20);
    expect(queue.addRateLimited('a')).toBe(40);
    expect(queue.addRateLimited('a')).toBe(80);
    expect(queue.addRateLimited('b')).toBe(20);
    queue.forget('a');
    expect(queue.addRateLimited('a')).toBe(20);
    expect(await queue.get()).toBeDefined();
    // (Date.now() has whole milliseconds: allow the one lost to rounding.)
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
    queue.shutDown();
  });

  it('caps the backoff', () => {
    const queue = new WorkQueue({ name: 'test', baseDelayMs: 100, maxDelayMs: 500 });
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited('a'));
    expect(delays).toEqual([100, 200, 400, 500, 500, 500]);
    queue.shutDown();
  });

  it('releases waiting workers with undefined on shutdown', async () => {
    const queue = new WorkQueue({ name: 'test' });
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('late');
    expect(queue.length).toBe(0);
  });
});
