import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSidecar } from '../../src/core/sidecar/sidecar.ts';
import type { Sidecar, SidecarTag } from '../../src/core/sidecar/sidecar.ts';
import { syncSidecarTags } from '../../src/core/sidecar/sidecarTags.ts';
import { acceptSuggestions, rejectSuggestions } from '../../src/core/annotate/reviewSuggestions.ts';
import {
  readStoredReview,
  reviewChanges,
  suggestionsView,
  writeReviewChanges,
} from '../../src/core/sidecar/suggestionSidecar.ts';
import { reviewStep } from '../../src/vscode/editors/suggestionReview.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const wd = 'model:tagger:wd';
const tags = (): SidecarTag[] => [
  { name: '1girl', source: 'user' },
  { name: 'smile', source: wd, category: 'general', confidence: 0.71, status: 'suggested' },
  { name: 'long hair', source: wd, category: 'general', confidence: 0.55, status: 'suggested' },
];
const sidecar = (): Sidecar => ({
  tagbench: 1,
  image: { sha256: 'a'.repeat(64) },
  tags: tags(),
  annotations: [
    { model: 'openai:gpt', kind: 'caption', at: '2026-01-01T00:00:00.000Z', result: { caption: 'A girl.' } },
  ],
  crop: { state: 'manual', rect: { left: 0, top: 0, width: 10, height: 10 } },
});

describe('suggestion review in the sidecar (image editor)', () => {
  after(removeTempDirs);

  it('reads the entries and sentences, and shows the suggested ones', () => {
    const dir = makeTempDir();
    const file = join(dir, 'a.tagbench.json');
    writeFileSync(file, formatSidecar(sidecar()));
    const stored = readStoredReview(file);
    assert.equal(stored.problem, '');
    assert.deepEqual(suggestionsView(stored.tags, stored.annotations), {
      tags: [
        { name: 'smile', model: 'tagger:wd', confidence: 0.71 },
        { name: 'long hair', model: 'tagger:wd', confidence: 0.55 },
      ],
      sentences: [{ model: 'openai:gpt', text: 'A girl.' }],
    });
    assert.deepEqual(readStoredReview(join(dir, 'none.tagbench.json')), { tags: [], annotations: [], problem: '' });
    writeFileSync(file, '{');
    assert.match(readStoredReview(file).problem, /not valid JSON/);
  });

  it('saves an accept and a reject after the caption: statuses written, everything else kept', () => {
    const dir = makeTempDir();
    const file = join(dir, 'a.tagbench.json');
    writeFileSync(file, formatSidecar(sidecar()));
    const accepted = acceptSuggestions({ caption: '1girl\n', tags: tags() }, ['smile']);
    const rejected = rejectSuggestions(accepted, ['long hair']);
    const changes = reviewChanges(tags(), rejected.tags);
    assert.deepEqual(
      changes.map((t) => [t.name, t.status]),
      [
        ['smile', 'accepted'],
        ['long hair', 'rejected'],
      ],
    );
    // As CaptionDocument.save does: the caption's sync first, then the statuses.
    syncSidecarTags(file, rejected.caption);
    assert.equal(writeReviewChanges(file, changes, rejected.caption), true);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Sidecar;
    assert.deepEqual(
      saved.tags!.map((t) => [t.name, t.status ?? '']),
      [
        ['1girl', ''],
        ['smile', 'accepted'],
        ['long hair', 'rejected'],
      ],
    );
    assert.deepEqual(saved.crop, sidecar().crop);
    assert.deepEqual(saved.annotations, sidecar().annotations);
    assert.equal(saved.tags![1]!.confidence, 0.71);
  });

  it('saves an undone rejection back as a suggestion; an acceptance not in the caption is not written', () => {
    const dir = makeTempDir();
    const file = join(dir, 'a.tagbench.json');
    const rejectedTags = tags().map((t) => (t.name === 'long hair' ? { ...t, status: 'rejected' as const } : t));
    writeFileSync(file, formatSidecar({ ...sidecar(), tags: rejectedTags }));
    const current = tags().map((t) => (t.name === 'smile' ? { ...t, status: 'accepted' as const } : t));
    writeReviewChanges(file, reviewChanges(rejectedTags, current), '1girl\n');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Sidecar;
    assert.deepEqual(
      saved.tags!.map((t) => [t.name, t.status ?? '']),
      [
        ['1girl', ''],
        ['smile', 'suggested'],
        ['long hair', 'suggested'],
      ],
    );
    assert.equal(writeReviewChanges(file, [], '1girl\n'), false);
  });

  it('turns review requests into one step with an undo label', () => {
    const view = suggestionsView(tags(), sidecar().annotations!);
    assert.deepEqual(
      reviewStep('1girl\n', tags(), view, { action: 'accept', keys: ['smile'] })?.label,
      'Accept suggestion smile',
    );
    assert.deepEqual(
      reviewStep('1girl\n', tags(), view, { action: 'acceptAbove', threshold: 0.5 })?.caption,
      '1girl, smile, long hair\n',
    );
    assert.deepEqual(reviewStep('1girl\n', tags(), view, { action: 'rejectRest' })?.label, 'Reject 2 suggestions');
    assert.deepEqual(
      reviewStep('1girl\n', tags(), view, { action: 'useSentence', model: 'openai:gpt' })?.caption,
      '1girl, A girl.\n',
    );
    assert.equal(reviewStep('1girl\n', tags(), view, { action: 'useSentence', model: 'nobody' }), null);
    assert.equal(reviewStep('1girl\n', tags(), view, { action: 'acceptModel', model: 'nobody' }), null);
  });
});
