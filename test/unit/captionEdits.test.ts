import assert from 'node:assert/strict';
import { editCaption } from '../../src/core/edits/captionEdits.ts';

describe('caption edits', () => {
  it('adds tags at the end or the start, skipping ones already there by key', () => {
    assert.equal(
      editCaption('alice, smile\n', { kind: 'addTags', tags: ['blue eyes', 'Smile'], position: 'end' }),
      'alice, smile, blue eyes\n',
    );
    assert.equal(
      editCaption('alice, smile', { kind: 'addTags', tags: ['ohwx'], position: 'start' }),
      'ohwx, alice, smile',
    );
    assert.equal(editCaption(null, { kind: 'addTags', tags: ['solo'], position: 'end' }), 'solo');
  });

  it('returns the very same text when nothing changes', () => {
    const text = 'alice,smile ,  blue_eyes\r\n';
    assert.equal(editCaption(text, { kind: 'addTags', tags: ['blue eyes'], position: 'end' }), text);
    assert.equal(editCaption(text, { kind: 'removeTags', tags: ['bob'] }), text);
    assert.equal(editCaption(text, { kind: 'replaceTag', find: 'bob', replace: 'carol', regex: false }), text);
  });

  it('removes tags by key, keeping everything else as written', () => {
    assert.equal(
      editCaption('kiyohime \\(fate\\), Blue_Eyes, smile\n', {
        kind: 'removeTags',
        tags: ['kiyohime (fate)', 'blue eyes'],
      }),
      'smile\n',
    );
  });

  it('replaces a tag exactly or by regex, dropping duplicates and empties', () => {
    assert.equal(
      editCaption('a, red eyes, b', { kind: 'replaceTag', find: 'red_eyes', replace: 'blue eyes', regex: false }),
      'a, blue eyes, b',
    );
    assert.equal(
      editCaption('a, blue eyes, red eyes', {
        kind: 'replaceTag',
        find: 'red eyes',
        replace: 'blue eyes',
        regex: false,
      }),
      'a, blue eyes',
    );
    assert.equal(
      editCaption('long hair, short hair, smile', {
        kind: 'replaceTag',
        find: '^(\\w+) hair$',
        replace: 'hair ($1)',
        regex: true,
      }),
      'hair (long), hair (short), smile',
    );
    assert.equal(editCaption('x, drop me', { kind: 'replaceTag', find: '^drop.*', replace: '', regex: true }), 'x');
    assert.throws(
      () => editCaption('x', { kind: 'replaceTag', find: '(', replace: '', regex: true }),
      /Invalid regular expression/,
    );
  });

  it('puts a trigger word first, once', () => {
    assert.equal(editCaption('alice, ohwx, smile', { kind: 'setPrefix', prefix: 'ohwx' }), 'ohwx, alice, smile');
    assert.equal(editCaption('ohwx, smile', { kind: 'setPrefix', prefix: 'ohwx' }), 'ohwx, smile');
    assert.equal(editCaption('OHWX, smile', { kind: 'setPrefix', prefix: 'ohwx' }), 'ohwx, smile');
    assert.equal(editCaption('', { kind: 'setPrefix', prefix: 'ohwx' }), 'ohwx');
  });

  it('treats sentence captions as comma-separated parts', () => {
    assert.equal(
      editCaption('A girl in a forest, looking up.\n', { kind: 'setPrefix', prefix: 'ohwx' }),
      'ohwx, A girl in a forest, looking up.\n',
    );
  });

  describe('captions of several lines', () => {
    const mixed = 'alice, smile, beard\r\nbob, beard\n\nsky\n';

    it("edits each line where its tags are, keeping every line's own ending and untouched lines as written", () => {
      assert.equal(editCaption(mixed, { kind: 'removeTags', tags: ['beard'] }), 'alice, smile\r\nbob\n\nsky\n');
      assert.equal(
        editCaption(mixed, { kind: 'replaceTag', find: 'sky', replace: 'blue sky', regex: false }),
        'alice, smile, beard\r\nbob, beard\n\nblue sky\n',
      );
      assert.equal(
        editCaption('a ,b\r\nc\r\n', { kind: 'removeTags', tags: ['c'] }),
        'a ,b\r\n',
        'the untouched first line keeps its spacing',
      );
    });

    it('reads a tag at the end of a line as a tag', () => {
      assert.equal(editCaption('alice, smile\nbeard', { kind: 'removeTags', tags: ['smile'] }), 'alice\nbeard');
      assert.equal(
        editCaption('alice, smile\nbeard', { kind: 'addTags', tags: ['smile'], position: 'end' }),
        'alice, smile\nbeard, smile',
      );
    });

    it('adds to every line with tags, as each is a caption of its own (blank lines stay blank)', () => {
      assert.equal(
        editCaption('a photo of alice\r\n\r\nalice at the beach\r\n', { kind: 'setPrefix', prefix: 'ohwx' }),
        'ohwx, a photo of alice\r\n\r\nohwx, alice at the beach\r\n',
      );
      assert.equal(
        editCaption('\n', { kind: 'addTags', tags: ['solo'], position: 'end' }),
        'solo\n',
        'a caption without tags gets them on its first line',
      );
    });

    it('drops a line left without tags, and its ending with it', () => {
      assert.equal(editCaption('a, b\r\nbeard\nc', { kind: 'removeTags', tags: ['beard'] }), 'a, b\r\nc');
      assert.equal(
        editCaption('a, b\nbeard', { kind: 'removeTags', tags: ['beard'] }),
        'a, b',
        'the new last line ends as the old one did',
      );
      assert.equal(editCaption('beard\r\nbeard\r\n', { kind: 'removeTags', tags: ['beard'] }), '\r\n');
    });

    it('returns the very same text when no line changes', () => {
      assert.equal(editCaption(mixed, { kind: 'removeTags', tags: ['nobody'] }), mixed);
    });
  });
});
