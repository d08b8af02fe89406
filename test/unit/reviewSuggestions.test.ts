import assert from 'node:assert/strict';
import {
  acceptAbove,
  acceptModel,
  acceptSuggestions,
  heldSentences,
  pendingSuggestions,
  rejectRest,
  rejectSuggestions,
  useSentence,
} from '../../src/core/annotate/reviewSuggestions.ts';
import type { ReviewState } from '../../src/core/annotate/reviewSuggestions.ts';
import type { SidecarTag } from '../../src/core/sidecar/sidecar.ts';

const wd = 'model:tagger:wd-vit-tagger-v3';
const eva = 'model:tagger:wd-eva02-large-tagger-v3';
const suggested = (name: string, confidence: number, source = wd): SidecarTag => ({
  name,
  source,
  category: 'general',
  confidence,
  status: 'suggested',
});

/** A hand-written caption with odd spacing and escapes, and suggestions from two taggers. */
const state = (caption = '1girl,solo ,  kiyohime \\(fate\\)\n'): ReviewState => ({
  caption,
  tags: [
    { name: '1girl', source: 'user' },
    { name: 'solo', source: wd, confidence: 0.98, status: 'accepted' },
    { name: 'kiyohime (fate)', source: 'user' },
    suggested('smile', 0.71),
    suggested('long hair', 0.55),
    suggested('horns (ornament)', 0.42, eva),
    suggested('^_^', 0.3, eva),
    { name: 'watermark', source: wd, confidence: 0.9, status: 'rejected' },
  ],
});
const statuses = (tags: readonly SidecarTag[]): Record<string, string> =>
  Object.fromEntries(tags.map((t) => [t.name, t.status ?? '']));

describe('reviewing model suggestions', () => {
  it('lists pending suggestions: suggested and not in the caption', () => {
    assert.deepEqual(
      pendingSuggestions(state()).map((t) => t.name),
      ['smile', 'long hair', 'horns (ornament)', '^_^'],
    );
    assert.deepEqual(
      pendingSuggestions(state('1girl, Smile\n')).map((t) => t.name),
      ['long hair', 'horns (ornament)', '^_^'],
    );
  });

  it('accepts by key: appends in caption spelling after the caption as written, keeps the line break, marks accepted', () => {
    const out = acceptSuggestions(state(), ['smile', 'Horns_(ornament)']);
    assert.equal(out.caption, '1girl,solo ,  kiyohime \\(fate\\), smile, horns \\(ornament\\)\n');
    assert.deepEqual(out.accepted, ['smile', 'horns (ornament)']);
    assert.deepEqual(statuses(out.tags), {
      '1girl': '',
      solo: 'accepted',
      'kiyohime (fate)': '',
      smile: 'accepted',
      'long hair': 'suggested',
      'horns (ornament)': 'accepted',
      '^_^': 'suggested',
      watermark: 'rejected',
    });
    assert.deepEqual(
      pendingSuggestions(out).map((t) => t.name),
      ['long hair', '^_^'],
    );
  });

  it('keeps a caption without a final line break without one, and drops only dangling separators', () => {
    assert.equal(acceptSuggestions(state('1girl, solo'), ['smile']).caption, '1girl, solo, smile');
    assert.equal(acceptSuggestions(state('1girl, solo, \r\n'), ['smile']).caption, '1girl, solo, smile\r\n');
  });

  it('accepts into a caption of several lines on every line with tags, each keeping its ending, as a batch adds a tag', () => {
    const out = acceptSuggestions(state('1girl, solo\r\n\nkiyohime \\(fate\\), 1girl\n'), ['smile']);
    assert.equal(out.caption, '1girl, solo, smile\r\n\nkiyohime \\(fate\\), 1girl, smile\n');
    assert.deepEqual(out.accepted, ['smile']);
  });

  it('writes a blank caption as the accepted tags with a line break; emoticons keep their underscores', () => {
    assert.equal(acceptSuggestions(state(''), ['^_^', 'long hair']).caption, 'long hair, ^_^\n');
    assert.equal(acceptSuggestions(state('  \n'), ['smile']).caption, 'smile\n');
  });

  it('spells underscored suggestions with spaces unless asked to keep them', () => {
    const s: ReviewState = { caption: 'solo\n', tags: [suggested('long_hair', 0.8)] };
    assert.equal(acceptSuggestions(s, ['long hair']).caption, 'solo, long hair\n');
    assert.equal(acceptSuggestions(s, ['long hair'], 'keep').caption, 'solo, long_hair\n');
  });

  it('rejects by key: the caption stays, the status becomes rejected', () => {
    const out = rejectSuggestions(state(), ['smile', 'solo', 'unknown']);
    assert.equal(out.caption, state().caption);
    assert.deepEqual(out.rejected, ['smile']);
    assert.equal(statuses(out.tags).smile, 'rejected');
    assert.equal(statuses(out.tags).solo, 'accepted', 'a tag in the caption is not a suggestion to reject');
  });

  it('accepts everything at or above a threshold', () => {
    const out = acceptAbove(state(), 0.55);
    assert.deepEqual(out.accepted, ['smile', 'long hair']);
    assert.equal(out.caption, '1girl,solo ,  kiyohime \\(fate\\), smile, long hair\n');
    assert.deepEqual(acceptAbove(state(), 0.99).accepted, []);
    assert.equal(acceptAbove(state(), 0.99).caption, state().caption);
  });

  it('accepts everything from one model', () => {
    const out = acceptModel(state(), 'tagger:wd-eva02-large-tagger-v3');
    assert.deepEqual(out.accepted, ['horns (ornament)', '^_^']);
    assert.equal(out.caption, '1girl,solo ,  kiyohime \\(fate\\), horns \\(ornament\\), ^_^\n');
  });

  it('rejects the rest, leaving the caption and accepted tags alone', () => {
    const accepted = acceptSuggestions(state(), ['smile']);
    const out = rejectRest(accepted);
    assert.equal(out.caption, accepted.caption);
    assert.deepEqual(out.rejected, ['long hair', 'horns (ornament)', '^_^']);
    assert.deepEqual(pendingSuggestions(out), []);
    assert.equal(statuses(out.tags).smile, 'accepted');
  });

  it('does not add a suggestion the caption already has; does not change the input', () => {
    const s = state('1girl, smile\n');
    const before = JSON.stringify(s);
    const out = acceptSuggestions(s, ['smile']);
    assert.equal(out.caption, '1girl, smile\n');
    assert.deepEqual(out.accepted, []);
    assert.equal(JSON.stringify(s), before);
  });

  it('finds held sentences and takes one into the caption', () => {
    const annotations = [
      { model: 'openai:gpt-4.1-mini', kind: 'caption', result: { caption: ' A girl with horns smiling. ' } },
      { model: 'tagger:wd', kind: 'tags', result: { tags: [] } },
      { model: 'anthropic:claude', kind: 'caption', error: 'failed', result: { caption: 'x' } },
      'junk',
    ];
    const held = heldSentences(annotations, '1girl, solo\n');
    assert.deepEqual(held, [{ model: 'openai:gpt-4.1-mini', text: 'A girl with horns smiling.' }]);
    const out = useSentence(state('1girl, solo\n'), held[0]!.text);
    assert.equal(out.caption, '1girl, solo, A girl with horns smiling.\n');
    assert.deepEqual(heldSentences(annotations, out.caption), []);
    assert.equal(useSentence(state(''), held[0]!.text).caption, 'A girl with horns smiling.\n');
    assert.equal(useSentence(state('   '), 'A girl.').caption, 'A girl.\n');
    assert.equal(useSentence(out, held[0]!.text).caption, out.caption, 'taken once');
  });
});
