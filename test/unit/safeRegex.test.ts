import assert from 'node:assert/strict';
import { BoundedRegex, RegexTimeoutError } from '../../src/core/edits/safeRegex.ts';
import { compileRegex } from '../../src/core/edits/captionEdits.ts';

describe('regular expressions bounded in time', function () {
  this.timeout(20_000);

  it('replaces exactly as String.prototype.replace does', () => {
    const texts = ['long hair', 'short hair', 'smile', '', 'kiyohime \\(fate\\)', 'héllo wörld', '😀 face', 'a,b'];
    const cases: [string, string][] = [
      ['^(\\w+) hair$', 'hair ($1)'],
      ['', '-'],
      ['o', '0'],
      ['\\p{L}+', '[$&]'],
      ['(?<first>\\w)(\\w*)', '$<first>.$2'],
      ['\\\\\\((.*)\\\\\\)', '<$1>'],
      ['$', '!'],
      ['\\u{1F600}', 'grin'],
      ['x*', '$$'],
    ];
    for (const [source, replacement] of cases) {
      const native = new RegExp(source, 'gu');
      assert.deepEqual(
        new BoundedRegex(source).replaceEach(texts, replacement),
        texts.map((t) => t.replace(native, replacement)),
        `/${source}/ -> ${replacement}`,
      );
    }
  });

  it('stops a catastrophic pattern after its budget, and the next call works', () => {
    const text = `${'a'.repeat(60)}!`;
    const started = performance.now();
    assert.throws(
      () => new BoundedRegex('(a+)+$').replaceEach(['fine', text], 'x', 100),
      (err: Error) => {
        assert.ok(err instanceof RegexTimeoutError);
        assert.equal(err.message, 'The expression /(a+)+$/ took too long on a caption (over 100 ms); simplify it.');
        assert.equal(
          err.on('10_alice/a.txt').message,
          'The expression /(a+)+$/ took too long on 10_alice/a.txt (over 100 ms); simplify it.',
        );
        return true;
      },
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5000, `stopped after ${Math.round(elapsed)} ms`);
    assert.deepEqual(new BoundedRegex('a+').replaceEach(['baa'], 'c'), ['bc']);
  });

  it('stops polynomial backtracking on a long prose caption too', () => {
    const prose = `${' '.repeat(200_000)}x`;
    assert.throws(() => new BoundedRegex('\\s*\\s*\\s*$').replaceEach([prose], '', 100), RegexTimeoutError);
  });

  it('refuses an invalid pattern when compiled, with the reason', () => {
    assert.throws(() => compileRegex('(unclosed'), {
      name: 'SyntaxError',
      message: 'Invalid regular expression /(unclosed/: Unterminated group',
    });
    assert.throws(() => new BoundedRegex('a{2,1}'), SyntaxError);
  });
});
