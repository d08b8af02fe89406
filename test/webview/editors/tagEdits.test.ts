/** The editors' pure helpers: chip edits on raw caption parts, caret mapping, zoom steps. */
import assert from 'node:assert/strict';
import {
  addTags,
  dropIndex,
  findTag,
  moveTag,
  rawTagFor,
  removeTag,
  replaceTag,
} from '../../../webview/editors/tagEdits.ts';
import { typedTags } from '../../../webview/shared/typedTags.ts';
import { mapCaret } from '../../../webview/editors/caretMapping.ts';
import { fitScale, formatScale, zoomIn, zoomOut } from '../../../webview/editors/zoom.ts';

const parts = ['1girl', 'solo', 'kiyohime \\(fate\\)', 'Blue_Eyes'];

describe('editor tag edits', function () {
  it('finds tags by key', function () {
    assert.equal(findTag(parts, 'kiyohime (fate)'), 2);
    assert.equal(findTag(parts, 'blue eyes'), 3);
    assert.equal(findTag(parts, 'smile'), -1);
  });

  it('splits typed text at commas', function () {
    assert.deepEqual(typedTags(' a ,, b c ,'), ['a', 'b c']);
  });

  it('escapes new parentheses like the caption does', function () {
    assert.equal(rawTagFor(parts, 'saber (fate)'), 'saber \\(fate\\)');
    assert.equal(rawTagFor(['saber (fate)'], 'rin (fate)'), 'rin (fate)', 'bare when the caption writes them bare');
    assert.equal(rawTagFor([], 'rin (fate)'), 'rin \\(fate\\)', 'escaped by default');
    assert.equal(rawTagFor([], 'rin \\(fate\\)'), 'rin \\(fate\\)', 'kept as typed when escaped');
    assert.equal(rawTagFor(parts, 'smile'), 'smile');
  });

  it('adds new tags at the end and reports the ones already there', function () {
    assert.deepEqual(addTags(parts, ['smile', 'SOLO', 'kiyohime (fate)', 'smile']), {
      parts: [...parts, 'smile'],
      duplicates: [1, 2],
    });
  });

  it('removes and moves parts, leaving the others as written', function () {
    assert.deepEqual(removeTag(parts, 2), ['1girl', 'solo', 'Blue_Eyes']);
    assert.deepEqual(moveTag(parts, 0, 2), ['solo', 'kiyohime \\(fate\\)', '1girl', 'Blue_Eyes']);
    assert.deepEqual(moveTag(parts, 3, 0), ['Blue_Eyes', '1girl', 'solo', 'kiyohime \\(fate\\)']);
    assert.equal(dropIndex(0, 2, false), 1);
    assert.equal(dropIndex(0, 2, true), 2);
    assert.equal(dropIndex(3, 0, false), 0);
    assert.equal(dropIndex(3, 3, true), 3);
  });

  it('replaces a part with edited text, escaped like it was', function () {
    assert.deepEqual(replaceTag(parts, 2, 'kiyohime (fate)').parts, parts, 'unchanged text keeps the raw part');
    assert.deepEqual(replaceTag(parts, 2, 'kiyohime (fate/go)').parts, [
      '1girl',
      'solo',
      'kiyohime \\(fate/go\\)',
      'Blue_Eyes',
    ]);
    assert.deepEqual(
      replaceTag(parts, 3, 'blue eyes').parts,
      ['1girl', 'solo', 'kiyohime \\(fate\\)', 'blue eyes'],
      'a change of case or underscores is an edit',
    );
    assert.deepEqual(replaceTag(parts, 1, '').parts, ['1girl', 'kiyohime \\(fate\\)', 'Blue_Eyes'], 'empty removes');
    assert.deepEqual(replaceTag(parts, 0, 'a, b'), {
      parts: ['a', 'b', 'solo', 'kiyohime \\(fate\\)', 'Blue_Eyes'],
      duplicates: [],
    });
    assert.deepEqual(replaceTag(parts, 0, 'x, solo'), {
      parts: ['x', 'solo', 'kiyohime \\(fate\\)', 'Blue_Eyes'],
      duplicates: [1],
    });
  });
});

describe('editor caret mapping', function () {
  it('keeps a caret before the change and shifts one after it', function () {
    assert.equal(mapCaret('a, b, c', 'a, b, c, d', 2), 2);
    assert.equal(mapCaret('a, b, c', 'x, a, b, c', 4), 7);
    assert.equal(mapCaret('a, b, c', 'a, c', 4), 3, 'inside a removed span: at its end');
    assert.equal(mapCaret('abc', 'abc', 3), 3);
  });
});

describe('editor zoom', function () {
  it('steps and fits', function () {
    assert.equal(zoomIn(1), 1.25);
    assert.equal(zoomOut(1), 0.75);
    assert.equal(zoomIn(0.8), 1);
    assert.equal(zoomOut(0.05), 0.05);
    assert.equal(fitScale(640, 480, 320, 480), 0.5);
    assert.equal(fitScale(64, 48, 320, 480), 1, 'never above 100%');
    assert.equal(formatScale(0.333), '33%');
  });
});
