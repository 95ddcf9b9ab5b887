import { count } from './count';

describe('count', () => {
  it('says one in the singular and every other number in the plural', () => {
    expect(count(1, 'key')).toBe('1 key');
    expect(count(0, 'key')).toBe('0 keys');
    expect(count(2, 'key')).toBe('2 keys');
    expect(count(10000, 'key')).toBe('10000 keys');
  });

  it('takes an irregular plural', () => {
    expect(count(3, 'entry', 'entries')).toBe('3 entries');
    expect(count(1, 'entry', 'entries')).toBe('1 entry');
  });
});
