import assert from 'node:assert/strict';
import {
  addImplied,
  applyAliases,
  applyTagRules,
  dedupeTags,
  inferStyle,
  isEmoticon,
  normalizeTag,
  normalizeTags,
  putTriggerFirst,
  removeBlacklisted,
  sortTags,
} from '../../src/core/tags/tagHygiene.ts';
import type { NormalizeOptions } from '../../src/core/tags/tagHygiene.ts';
import { compileTagRules, emptyTagRules, parseTagRules } from '../../src/core/tags/tagRules.ts';
import { editCaption } from '../../src/core/edits/captionEdits.ts';

const spaces: NormalizeOptions = { separator: 'space', lowercase: true, escapeParentheses: null };

describe('tag hygiene', () => {
  it('normalizes separators, case and spacing, keeping emoticons', () => {
    assert.equal(normalizeTag('Blue_Eyes', spaces), 'blue eyes');
    assert.equal(normalizeTag('  long   hair ', spaces), 'long hair');
    assert.equal(normalizeTag('looking_at__viewer', spaces), 'looking at viewer');
    assert.equal(normalizeTag('blue eyes', { ...spaces, separator: 'underscore' }), 'blue_eyes');
    assert.equal(normalizeTag('Blue_Eyes', { ...spaces, separator: 'keep', lowercase: false }), 'Blue_Eyes');
    for (const emoticon of ['^_^', '>_<', 'o_o', '0_0', 'x_x', ';_;']) {
      assert.ok(isEmoticon(emoticon), emoticon);
      assert.equal(normalizeTag(emoticon, spaces), emoticon);
    }
    assert.equal(normalizeTag('^_^', { ...spaces, separator: 'underscore' }), '^_^');
    assert.equal(isEmoticon('a_b_c'), false);
  });

  it('keeps, adds or drops prompt escapes for parentheses', () => {
    assert.equal(normalizeTag('Kiyohime_\\(Fate\\)', spaces), 'kiyohime \\(fate\\)');
    assert.equal(normalizeTag('kiyohime (fate)', { ...spaces, escapeParentheses: true }), 'kiyohime \\(fate\\)');
    assert.equal(normalizeTag('kiyohime \\(fate\\)', { ...spaces, escapeParentheses: true }), 'kiyohime \\(fate\\)');
    assert.equal(normalizeTag('kiyohime \\(fate\\)', { ...spaces, escapeParentheses: false }), 'kiyohime (fate)');
  });

  it('keeps the case of listed tags', () => {
    assert.deepEqual(normalizeTags(['OK', 'Smile', 'ohwX'], { ...spaces, keepCase: ['ok', 'OHWX'] }), [
      'OK',
      'smile',
      'ohwX',
    ]);
  });

  it('drops duplicates by key, the first spelling kept', () => {
    assert.deepEqual(dedupeTags(['Blue_Eyes', 'smile', 'blue eyes', 'BLUE EYES', 'smile']), ['Blue_Eyes', 'smile']);
    assert.deepEqual(normalizeTags(['Blue_Eyes', 'blue eyes', 'smile'], spaces), ['blue eyes', 'smile']);
  });

  it('removes blacklisted tags, with * patterns', () => {
    assert.deepEqual(
      removeBlacklisted(
        ['1girl', 'Watermark', 'white_background', 'simple background', 'smile'],
        ['watermark', '*_background'],
      ),
      ['1girl', 'smile'],
    );
  });

  it("rewrites aliases in the caption's own style", () => {
    const aliases = new Map([
      ['longhair', 'long_hair'],
      ['kiyo', 'kiyohime (fate)'],
    ]);
    assert.deepEqual(applyAliases(['longhair', 'smile'], aliases, { separator: 'space', escapeParentheses: null }), [
      'long hair',
      'smile',
    ]);
    assert.deepEqual(
      applyAliases(['longhair', 'kiyo'], aliases, { separator: 'underscore', escapeParentheses: true }),
      ['long_hair', 'kiyohime_\\(fate\\)'],
    );
  });

  it('infers the style a caption uses', () => {
    assert.deepEqual(inferStyle(['blue_eyes', 'kiyohime_\\(fate\\)', '^_^']), {
      separator: 'underscore',
      escapeParentheses: true,
    });
    assert.deepEqual(inferStyle(['blue eyes', 'kiyohime (fate)']), { separator: 'space', escapeParentheses: false });
    assert.deepEqual(inferStyle(['smile', 'solo']), { separator: 'keep', escapeParentheses: null });
  });

  it('adds implied tags not present yet, and not refused', () => {
    const implications = new Map([
      ['cat ears', ['animal ears']],
      ['red scarf', ['scarf', 'red clothes']],
    ]);
    const style = { separator: 'space' as const, escapeParentheses: null };
    assert.deepEqual(addImplied(['cat_ears', 'red scarf', 'scarf'], implications, style), [
      'cat_ears',
      'red scarf',
      'scarf',
      'animal ears',
      'red clothes',
    ]);
    assert.deepEqual(
      addImplied(['red scarf'], implications, style, (k) => k === 'red clothes'),
      ['red scarf', 'scarf'],
    );
  });

  it('puts the trigger first, once, as written', () => {
    assert.deepEqual(putTriggerFirst(['smile', 'OHWX', 'solo', 'ohwx'], 'ohwx'), ['ohwx', 'smile', 'solo']);
    assert.deepEqual(putTriggerFirst(['smile'], null), ['smile']);
  });

  it('sorts by frequency, category or alphabet, stably, the trigger staying first', () => {
    const frequencies = new Map([
      ['solo', 40],
      ['smile', 10],
      ['blue eyes', 10],
    ]);
    assert.deepEqual(sortTags(['ohwx', 'smile', 'hat', 'blue_eyes', 'solo'], 'frequency', { frequencies }, 'ohwx'), [
      'ohwx',
      'solo',
      'smile',
      'blue_eyes',
      'hat',
    ]);
    const categories = new Map([
      ['hatsune miku', 'character' as const],
      ['vocaloid', 'copyright' as const],
      ['smile', 'general' as const],
      ['highres', 'meta' as const],
    ]);
    assert.deepEqual(
      sortTags(['highres', 'smile', 'mystery', 'vocaloid', 'hatsune miku'], 'category', { categories }),
      ['hatsune miku', 'vocaloid', 'smile', 'highres', 'mystery'],
    );
    assert.deepEqual(sortTags(['ohwx', 'b', 'C', 'a'], 'alpha', {}, 'ohwx'), ['ohwx', 'a', 'b', 'C']);
    assert.deepEqual(sortTags(['b', 'a'], 'none'), ['b', 'a']);
  });

  it('applies rules in order: aliases, blacklist, implications, dedupe, trigger, sort', () => {
    const rules = parseTagRules(
      JSON.stringify({
        blacklist: ['watermark', 'animal ears'],
        aliases: { nekomimi: 'cat ears', 'blue eye': 'blue eyes' },
        implications: { 'cat ears': ['animal ears', 'cat girl'], 'cat girl': ['1girl'] },
        trigger: 'ohwx',
        sort: 'alpha',
      }),
    );
    const out = applyTagRules(
      ['watermark', 'nekomimi', 'blue_eye', 'blue eyes', 'ohwx', 'smile'],
      compileTagRules(rules),
    );
    assert.deepEqual(out, ['ohwx', '1girl', 'blue eyes', 'cat ears', 'cat girl', 'smile']);
    assert.deepEqual(applyTagRules(['a', 'b'], compileTagRules(emptyTagRules())), ['a', 'b']);
  });

  it('works as batch caption edits, keeping untouched text, BOM-free ending and unchanged captions identical', () => {
    assert.equal(
      editCaption('Blue_Eyes, smile, blue eyes\r\n', { kind: 'normalize', options: spaces }),
      'blue eyes, smile\r\n',
    );
    const same = 'blue eyes, smile\n';
    assert.equal(editCaption(same, { kind: 'normalize', options: spaces }), same);
    const rules = parseTagRules('{ "aliases": { "longhair": "long hair" }, "trigger": "ohwx" }');
    assert.equal(editCaption('Smile,  longhair\n', { kind: 'applyRules', rules }), 'ohwx, Smile, long hair\n');
    assert.equal(editCaption('ohwx, Smile,long hair', { kind: 'applyRules', rules }), 'ohwx, Smile,long hair');
    const byCount = parseTagRules('{ "sort": "frequency" }');
    assert.equal(
      editCaption('a, b, c', { kind: 'applyRules', rules: byCount, frequencies: { c: 3, b: 2 } }),
      'c, b, a',
    );
  });
});
