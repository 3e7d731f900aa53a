import { BoundedCache } from '../src/bounded-cache';

describe('a cache bounded by count and by the size of the texts it was made from', () => {
  it('starts again, empty, when one more entry would pass the count', () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, undefined, 3, 1]);
  });

  it('starts again when one more entry would pass the weight, and keeps no entry heavier than the whole bound', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 100, maxWeight: 10 });
    cache.set('small', 'x', 4);
    cache.set('medium', 'y', 5);
    expect(cache.size).toBe(2);
    cache.set('another', 'z', 4); // 4 + 5 + 4 > 10
    expect([cache.get('small'), cache.get('medium'), cache.get('another')]).toEqual([undefined, undefined, 'z']);
    cache.set('huge', 'w', 11);
    expect([cache.get('huge'), cache.get('another')]).toEqual([undefined, 'z']);
  });

  it('counts a replaced or deleted entry’s weight out', () => {
    const cache = new BoundedCache<string, string>({ maxEntries: 100, maxWeight: 10 });
    cache.set('a', 'x', 6);
    cache.set('a', 'y', 6);
    cache.delete('a');
    cache.set('b', 'z', 10);
    expect(cache.get('b')).toBe('z');
  });
});
