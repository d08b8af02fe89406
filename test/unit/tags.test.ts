import assert from 'node:assert/strict';
import { escapeTag, parseTags, tagKey, unescapeTag } from '../../src/shared/tags.ts';

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
});
