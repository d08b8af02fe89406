/** Completion in the gallery's query box: what is being typed, what completes it, and the query after accepting one. */
import assert from 'node:assert/strict';
import type { TagSuggestion } from '../../src/protocol/galleryProtocol.ts';
import { applyCompletion, completionContext, queryCompletions } from '../../webview/gallery/queryCompletion.ts';
import type { CompletionSources } from '../../webview/gallery/queryCompletion.ts';

const TAGS: TagSuggestion[] = [
  { tag: 'outdoors', count: 34 },
  { tag: 'open mouth', count: 20 },
  { tag: 'long hair', count: 120 },
  { tag: 'long sleeves', count: 12 },
  { tag: 'solo', count: 300 },
  { tag: 'smile', count: 90 },
  { tag: 'kiyohime (fate)', count: 3 },
];

/** Sources answering from TAGS (prefix by key, most used first) and a few field values; records what was asked. */
function sources(asked: string[] = []): CompletionSources {
  return {
    async tags(prefix) {
      asked.push(prefix);
      const key = prefix.toLowerCase().replace(/_/g, ' ');
      return TAGS.filter((t) => t.tag.startsWith(key)).sort((a, b) => b.count - a.count);
    },
    async values(field, prefix) {
      asked.push(`${field}:${prefix}`);
      const all = {
        folder: [
          { value: '10_alice', count: 40 },
          { value: '3_forest style', count: 9 },
        ],
        ext: [{ value: 'png', count: 30 }],
        model: [{ value: 'wd-vit-tagger-v3', count: 12 }],
        suggested: [{ value: 'looking at viewer', count: 5 }],
      }[field];
      return all.filter((v) => v.value.startsWith(prefix));
    },
  };
}

/** The completions at the end of `query` (or at `|` in it), as label list. */
async function labels(query: string): Promise<string[]> {
  const caret = query.includes('|') ? query.indexOf('|') : query.length;
  const context = completionContext(query.replace('|', ''), caret);
  return context ? (await queryCompletions(context, sources())).map((c) => c.label) : [];
}

/** The query after accepting the first completion at the end of `query`. */
async function accept(query: string, label?: string): Promise<string> {
  const context = completionContext(query, query.length)!;
  const all = await queryCompletions(context, sources());
  const chosen = label === undefined ? all[0]! : all.find((c) => c.label === label)!;
  return applyCompletion(query, chosen, context.end).query;
}

describe('gallery query completion', () => {
  it('completes tags with their counts, most used first, and writes the tag as a query term', async () => {
    assert.deepEqual(await labels('o'), ['outdoors', 'open mouth']);
    const context = completionContext('1girl out', 9)!;
    const [first] = await queryCompletions(context, sources());
    assert.deepEqual(first, {
      kind: 'tag',
      label: 'outdoors',
      detail: '34',
      insert: 'outdoors',
      start: 6,
      reopen: false,
    });
    assert.equal(await accept('1girl out'), '1girl outdoors ');
    assert.equal(await accept('kiyo'), 'kiyohime_(fate) ');
    assert.equal(await accept('1girl lo', 'long sleeves'), '1girl long_sleeves ');
  });

  it('keeps a "-" before the word, and completes a tag typed with spaces from its first word', async () => {
    assert.equal(await accept('smile -sol'), 'smile -solo ');
    assert.equal(await accept('smile long h'), 'smile long_hair ');
    assert.equal(await accept('-long s'), '-long_sleeves ');
    const asked: string[] = [];
    await queryCompletions(completionContext('a b c d long h', 14)!, sources(asked));
    assert.deepEqual(
      asked,
      ['c d long h', 'd long h', 'long h'],
      'up to three words before, longest first, until tags come',
    );
  });

  it('offers field names, first once two letters name one, and then their values', async () => {
    assert.deepEqual((await labels('s')).slice(0, 2), ['solo', 'smile']);
    assert.deepEqual((await labels('so')).slice(0, 2), ['sort:', 'solo']);
    assert.deepEqual(await labels('wi'), ['width>=']);
    assert.deepEqual(await labels('smile h'), ['has:', 'height>=']);
    assert.deepEqual(await labels('sort:'), ['name', 'mtime', 'width', 'height', 'tags', 'random']);
    assert.deepEqual(await labels('sort:-w'), ['-width']);
    assert.deepEqual(await labels('has:'), ['caption', 'suggestions']);
    assert.deepEqual(await labels('-has:s'), ['suggestions']);
    assert.deepEqual(await labels('aspect:p'), ['portrait']);
    assert.deepEqual(await labels('folder:'), ['10_alice', '3_forest style']);
    assert.deepEqual(await labels('model:wd'), ['wd-vit-tagger-v3']);
    assert.deepEqual(await labels('width>=10'), [], 'numbers are not completed');
    assert.equal(await accept('wi'), 'width>=', 'a field takes no space after it');
    assert.equal(await accept('smile sort:w'), 'smile sort:width ');
    assert.equal(await accept('folder:3'), 'folder:"3_forest style" ', 'a value with a space is quoted');
    assert.equal(await accept('suggested:lo'), 'suggested:looking_at_viewer ');
  });

  it('offers OR and AND after a term, and nothing inside a phrase', async () => {
    assert.deepEqual(await labels('smile O'), ['outdoors', 'open mouth', 'OR']);
    assert.deepEqual(await labels('smile A'), ['aspect:', 'AND']);
    assert.deepEqual(await labels('O'), ['outdoors', 'open mouth'], 'no operator before the first term');
    assert.deepEqual(await labels('"looking o'), []);
    assert.deepEqual(await labels('folder:"3_f'), []);
  });

  it('completes the word at the caret, replacing all of it', async () => {
    assert.deepEqual(await labels('sm| solo'), ['smile']);
    const query = 'smi solo';
    const context = completionContext(query, 2)!;
    assert.deepEqual([context.start, context.end, context.text], [0, 3, 'sm']);
    const [smile] = await queryCompletions(context, sources());
    assert.deepEqual(applyCompletion(query, smile!, context.end), { query: 'smile solo', caret: 5 });
    assert.deepEqual(completionContext('smile ', 6), { start: 6, end: 6, text: '', before: [], afterTerm: true });
  });
});
