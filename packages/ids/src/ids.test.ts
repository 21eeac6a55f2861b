import { isId, newId } from './ids.js';

describe('newId', () => {
  it('prefixes the id with the kind of object it names', () => {
    expect(newId('user')).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(newId('tenant')).toMatch(/^ten_/);
  });

  it('sorts ids created later after ids created earlier, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('audit'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('recognises its own ids and refuses ids of another kind or shape', () => {
    const id = newId('session');
    expect(isId('session', id)).toBe(true);
    expect(isId('user', id)).toBe(false);
    expect(isId('session', 'ses_not-a-ulid')).toBe(false);
  });
});
