import { setCondition } from './conditions.js';

describe('setCondition', () => {
  const t0 = new Date('2026-01-01T00:00:00.123Z');
  const t1 = new Date('2026-01-01T01:00:00Z');

  it('adds a condition stamped with the generation and a whole-second transition time', () => {
    expect(setCondition([], { type: 'Ready', status: 'False', reason: 'Waiting', message: 'not yet' }, 3, t0)).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Waiting',
        message: 'not yet',
        observedGeneration: 3,
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('keeps lastTransitionTime while the status stays, and moves it when the status changes', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Waiting', message: 'a' }, 1, t0);
    const same = setCondition(first, { type: 'Ready', status: 'False', reason: 'Other', message: 'b' }, 2, t1);
    expect(same[0]).toMatchObject({ lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'Other', observedGeneration: 2 });
    const flipped = setCondition(same, { type: 'Ready', status: 'True', reason: 'Done', message: 'c' }, 2, t1);
    expect(flipped[0]).toMatchObject({ lastTransitionTime: '2026-01-01T01:00:00Z', status: 'True' });
    expect(flipped).toHaveLength(1);
  });
});
