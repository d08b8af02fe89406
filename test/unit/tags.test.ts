import assert from 'node:assert/strict';
import {
  escapeTag,
  joinCaptionLines,
  parseTags,
  rejoinCaption,
  splitCaption,
  splitCaptionLines,
  tagKey,
  unescapeTag,
} from '../../src/shared/tags.ts';

describe('caption tags', () => {
  it('splits on commas, trims, drops empty parts, keeps order', () => {
    assert.deepEqual(parseTags(' 1girl,  solo ,,long hair, \n'), ['1girl', 'solo', 'long hair']);
  });

  it('unescapes prompt parentheses', () => {
    assert.deepEqual(parseTags('kiyohime \\(fate\\), smile'), ['kiyohime (fate)', 'smile']);
    assert.equal(unescapeTag('a\\\\b'), 'a\\\\b');
  });

  it('escapes parentheses once', () => {
    assert.equal(escapeTag('kiyohime (fate)'), 'kiyohime \\(fate\\)');
    assert.equal(escapeTag('kiyohime \\(fate\\)'), 'kiyohime \\(fate\\)');
  });

  it('matches underscores and spaces, any case, by key', () => {
    assert.equal(tagKey('Blue_Eyes'), 'blue eyes');
    assert.equal(tagKey('blue  eyes'), 'blue eyes');
    assert.equal(tagKey('Kiyohime_\\(Fate\\)'), 'kiyohime (fate)');
  });

  it('keeps the underscores of symbol-only emoticons', () => {
    assert.equal(tagKey('^_^'), '^_^');
    assert.equal(tagKey('>_<'), '>_<');
  });

  describe('captions of several lines', () => {
    it('reads a tag at the end of a line as a tag, whatever the line ending', () => {
      assert.deepEqual(parseTags('1girl, solo\nlong hair\r\nsmile,\n\nsky'), [
        '1girl',
        'solo',
        'long hair',
        'smile',
        'sky',
      ]);
      assert.deepEqual(splitCaption('a, b\r\nc, d\n'), { parts: ['a', 'b', 'c', 'd'], ending: '\n' });
    });

    it('splits into lines with their own endings and joins back to the same text', () => {
      const text = 'a, b\r\n\nc ,d\ne';
      const lines = splitCaptionLines(text);
      assert.deepEqual(lines, [
        { text: 'a, b', parts: ['a', 'b'], ending: '\r\n' },
        { text: '', parts: [], ending: '\n' },
        { text: 'c ,d', parts: ['c', 'd'], ending: '\n' },
        { text: 'e', parts: ['e'], ending: '' },
      ]);
      assert.equal(joinCaptionLines(lines), text);
    });

    it('puts edited parts back on their lines, each line keeping its ending', () => {
      const text = 'a, b\r\nc, d\ne\n';
      assert.equal(rejoinCaption(text, ['a', 'b', 'c', 'd', 'e']), text, 'unchanged: the same text');
      assert.equal(rejoinCaption(text, ['a', 'c', 'd', 'e']), 'a\r\nc, d\ne\n');
      assert.equal(
        rejoinCaption(text, ['a', 'b', 'c', 'd', 'e', 'f']),
        'a, b\r\nc, d\ne, f\n',
        'an added part follows the one before it',
      );
      assert.equal(
        rejoinCaption(text, ['a', 'b', 'e']),
        'a, b\r\ne\n',
        'a line left without parts goes, with its ending',
      );
      assert.equal(
        rejoinCaption('a, b\r\nc', ['a', 'b']),
        'a, b',
        'the last line goes: the new last line ends as it did',
      );
      assert.equal(rejoinCaption('a\nb\n', []), '\n');
      assert.equal(rejoinCaption('x, a\nb\n', ['y', 'x', 'a', 'b']), 'y, x, a\nb\n');
      assert.equal(rejoinCaption('a,b\n', ['b', 'a']), 'b, a\n');
    });
  });
});
