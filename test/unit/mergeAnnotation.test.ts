import assert from 'node:assert/strict';
import { captionSpelling, DEFAULT_MERGE, mergeAnnotation } from '../../src/core/annotate/mergeAnnotation.ts';
import type { MergeInput, MergeOptions } from '../../src/core/annotate/mergeAnnotation.ts';
import type { AnnotationResult, TagScore } from '../../src/core/annotate/annotator.ts';
import type { SidecarTag } from '../../src/core/sidecar/sidecar.ts';

const tagsResult = (tags: [string, number, TagScore['category']?][], model = 'tagger:wd'): AnnotationResult => ({
  model,
  version: 'abc',
  kind: 'tags',
  params: {},
  at: '2026-01-01T00:00:00.000Z',
  tags: tags.map(([name, confidence, category]) => ({ name, confidence, category: category ?? 'general' })),
});
const captionResult = (caption: string, model = 'openai:gpt'): AnnotationResult => ({
  model,
  version: 'v',
  kind: 'caption',
  params: {},
  at: '2026-01-01T00:00:00.000Z',
  caption,
});
const input = (caption: string | null, tags?: SidecarTag[], origin?: MergeInput['captionOrigin']): MergeInput => ({
  caption,
  tags,
  captionOrigin: origin,
});
const opts = (strategy: MergeOptions['strategy'], extra: Partial<MergeOptions> = {}): MergeOptions => ({
  ...DEFAULT_MERGE,
  strategy,
  ...extra,
});

describe('merging annotations into captions', () => {
  it('appends new tags after the hand-written ones, spaced and escaped, and records who added what', () => {
    const out = mergeAnnotation(
      input('1girl, Blue_Eyes\n'),
      tagsResult([
        ['blue_eyes', 0.9],
        ['long_hair', 0.8],
        ['kiyohime_(fate)', 0.95, 'character'],
        ['^_^', 0.5],
      ]),
      opts('append'),
    );
    assert.equal(out.caption, '1girl, Blue_Eyes, long hair, kiyohime \\(fate\\), ^_^\n');
    assert.deepEqual(out.added, ['long hair', 'kiyohime (fate)', '^_^']);
    assert.deepEqual(
      out.tags.map((t) => [t.name, t.source, t.status ?? '']),
      [
        ['1girl', 'user', ''],
        ['Blue_Eyes', 'user', ''],
        ['long hair', 'model:tagger:wd', 'accepted'],
        ['kiyohime (fate)', 'model:tagger:wd', 'accepted'],
        ['^_^', 'model:tagger:wd', 'accepted'],
      ],
    );
    assert.equal(out.tags[3]!.category, 'character');
    assert.equal(out.tags[3]!.confidence, 0.95);
  });

  it('keeps the caption as the model spells tags with underscores: keep, and excludes tags', () => {
    const out = mergeAnnotation(
      input(''),
      tagsResult([
        ['long_hair', 0.8],
        ['watermark', 0.9],
      ]),
      opts('append', { underscores: 'keep', exclude: ['Watermark'] }),
    );
    assert.equal(out.caption, 'long_hair\n');
  });

  it('keeps a caption of several lines in its lines and endings: new tags go on the last line with tags', () => {
    const out = mergeAnnotation(
      input('alice, 1girl\r\nalice, solo\n\n'),
      tagsResult([
        ['smile', 0.9],
        ['solo', 0.9],
      ]),
      opts('append'),
    );
    assert.equal(out.caption, 'alice, 1girl\r\nalice, solo, smile\n\n');
  });

  it('never adds a tag the user rejected, and never writes the rating into the caption', () => {
    const tags: SidecarTag[] = [{ name: 'smile', source: 'model:tagger:wd', status: 'rejected', confidence: 0.7 }];
    const out = mergeAnnotation(
      input('1girl\n', tags),
      tagsResult([
        ['smile', 0.9],
        ['general', 0.99, 'rating'],
        ['solo', 0.8],
      ]),
      opts('append'),
    );
    assert.equal(out.caption, '1girl, solo\n');
    assert.ok(
      out.tags.some((t) => t.name === 'smile' && t.status === 'rejected'),
      'the rejection is kept',
    );
  });

  it('replace removes earlier model tags but never hand-written ones', () => {
    const tags: SidecarTag[] = [
      { name: '1girl', source: 'user' },
      { name: 'smile', source: 'model:tagger:old', status: 'accepted', confidence: 0.6 },
      { name: 'hat', source: 'model:tagger:old', status: 'accepted', confidence: 0.6 },
    ];
    const out = mergeAnnotation(
      input('1girl, smile, hat, my own tag\n', tags),
      tagsResult([
        ['hat', 0.9],
        ['red_eyes', 0.8],
      ]),
      opts('replace'),
    );
    assert.equal(out.caption, '1girl, hat, my own tag, red eyes\n');
    assert.deepEqual(out.removed, ['smile']);
    const hat = out.tags.find((t) => t.name === 'hat')!;
    assert.equal(hat.source, 'model:tagger:wd', 'the tag now comes from the new model');
    assert.equal(hat.confidence, 0.9);
    assert.equal(out.tags.find((t) => t.name === 'my own tag')!.source, 'user');
  });

  it("review leaves the caption alone and records suggestions, dropping this model's stale ones", () => {
    const tags: SidecarTag[] = [{ name: 'old guess', source: 'model:tagger:wd', status: 'suggested', confidence: 0.4 }];
    const out = mergeAnnotation(
      input('1girl\n', tags),
      tagsResult([
        ['1girl', 0.99],
        ['smile', 0.7],
      ]),
      opts('review'),
    );
    assert.equal(out.caption, '1girl\n');
    assert.deepEqual(out.suggested, ['smile']);
    assert.deepEqual(
      out.tags.map((t) => [t.name, t.status ?? '']),
      [
        ['1girl', ''],
        ['smile', 'suggested'],
      ],
    );
  });

  it("writes a sentence into an empty caption and replaces it only while it is the model's own text", () => {
    const first = mergeAnnotation(input(null), captionResult('A girl in a red coat.'), opts('replace'));
    assert.equal(first.caption, 'A girl in a red coat.\n');
    assert.ok(first.captionOrigin);
    const again = mergeAnnotation(
      input(first.caption, first.tags, first.captionOrigin),
      captionResult('A woman in a red coat.'),
      opts('replace'),
    );
    assert.equal(again.caption, 'A woman in a red coat.\n');
    assert.equal(again.captionHeld, false);
    const edited = 'A girl in a red coat, by the sea.\n';
    const held = mergeAnnotation(
      input(edited, first.tags, { source: first.captionOrigin!.source, text: '\u0000' }),
      captionResult('Something else.'),
      opts('replace'),
    );
    assert.equal(held.caption, edited, 'a hand-edited caption is never replaced');
    assert.equal(held.captionHeld, true);
  });

  it('holds a sentence for review when the caption is hand-written, in append and review alike', () => {
    for (const strategy of ['append', 'review'] as const) {
      const out = mergeAnnotation(input('my caption\n'), captionResult('A model sentence.'), opts(strategy));
      assert.equal(out.caption, 'my caption\n');
      assert.equal(out.captionHeld, true);
    }
  });

  it('spells tags for captions', () => {
    assert.equal(captionSpelling('long_hair', 'spaces'), 'long hair');
    assert.equal(captionSpelling('>_<', 'spaces'), '>_<');
    assert.equal(captionSpelling('saber_(fate)', 'keep'), 'saber_\\(fate\\)');
  });
});
