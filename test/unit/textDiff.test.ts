import assert from 'node:assert/strict';
import { minimalReplacement } from '../../src/shared/textDiff.ts';

function apply(before: string, after: string): string {
  const r = minimalReplacement(before, after);
  return r ? before.slice(0, r.start) + r.insert + before.slice(r.start + r.deleteCount) : before;
}

describe('minimal text replacement', () => {
  it('replaces only what differs', () => {
    assert.deepEqual(minimalReplacement('a, b, c', 'a, x, c'), { start: 3, deleteCount: 1, insert: 'x' });
    assert.deepEqual(minimalReplacement('a, b', 'a, b, c'), { start: 4, deleteCount: 0, insert: ', c' });
    assert.deepEqual(minimalReplacement('a, b, c', 'a, c'), { start: 3, deleteCount: 3, insert: '' });
    assert.equal(minimalReplacement('same', 'same'), undefined);
  });

  it('never splits a surrogate pair or a CRLF', () => {
    const r = minimalReplacement('a😀b', 'a😃b')!;
    assert.equal(r.start, 1);
    assert.equal(r.deleteCount, 2);
    const crlf = minimalReplacement('a\r\nb', 'a\r\r\nb');
    assert.equal(apply('a\r\nb', 'a\r\r\nb'), 'a\r\r\nb');
    assert.ok(crlf);
  });

  it('always reproduces the target text', () => {
    const samples = ['', 'a', 'ab', 'a, b\r\n', 'x😀y', 'kiyohime \\(fate\\), smile\n', '\r\n', 'aaaa'];
    for (const a of samples)
      for (const b of samples) assert.equal(apply(a, b), b, `${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
  });
});
