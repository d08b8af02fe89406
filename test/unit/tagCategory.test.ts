import assert from 'node:assert/strict';
import { TAG_CATEGORIES } from '../../src/shared/tagCategory.ts';
import { formatSidecar, parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { CATEGORY_ORDER, sortTags } from '../../src/core/tags/tagHygiene.ts';
import { tagCategory } from '../../src/core/annotate/local/taggerContract.ts';
import { parseTagcompleteCsv } from '../../src/core/tags/tagcompleteCsv.ts';

describe('tag categories', () => {
  it('are all accepted in a sidecar, where annotation writes them', () => {
    for (const category of TAG_CATEGORIES) {
      const text = formatSidecar({
        tagbench: 1,
        image: { sha256: 'a'.repeat(64) },
        tags: [{ name: 'x', source: 'model:m', category }],
      });
      assert.doesNotThrow(() => parseSidecar(Buffer.from(text)), category);
    }
  });

  it('each have one place in the category sort order', () => {
    assert.deepEqual([...CATEGORY_ORDER].sort(), [...TAG_CATEGORIES].sort());
    const categories = new Map([
      ['score', 'rating' as const],
      ['meta tag', 'meta' as const],
      ['odd', 'other' as const],
      ['alice', 'character' as const],
    ]);
    assert.deepEqual(sortTags(['score', 'odd', 'meta tag', 'alice', 'unknown'], 'category', { categories }), [
      'alice',
      'meta tag',
      'score',
      'odd',
      'unknown',
    ]);
  });

  it('are what taggers and tag databases give', () => {
    assert.deepEqual([0, 1, 3, 4, 5, 9, 42].map(tagCategory), [
      'general',
      'artist',
      'copyright',
      'character',
      'meta',
      'rating',
      'general',
    ]);
    const db = parseTagcompleteCsv('a,0,1,\nb,1,1,\nc,3,1,\nd,4,1,\ne,5,1,\nf,7,1,\n');
    assert.deepEqual(
      db.entries.map((e) => e.category),
      ['general', 'artist', 'copyright', 'character', 'meta', 'other'],
    );
  });
});
