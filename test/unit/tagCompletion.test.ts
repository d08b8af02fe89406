import assert from 'node:assert/strict';
import { TagCompleter } from '../../src/core/tags/tagCompletion.ts';
import { parseTagcompleteCsv } from '../../src/core/tags/tagcompleteCsv.ts';
import type { TagDatabase } from '../../src/core/tags/tagcompleteCsv.ts';

const database = parseTagcompleteCsv(
  [
    'long_hair,0,3000,"longhair,lh"',
    'looking_at_viewer,0,2500,',
    'blue_eyes,0,2000,"blue_eye"',
    'long_sleeves,0,1500,',
    'hair_ornament,0,1200,',
    'lollipop,0,50,',
    'hatsune_miku,4,900,"miku"',
    'lo,5,1,',
  ].join('\n'),
);

describe('tag completion', () => {
  it('ranks dataset tags by count, then the database by post count', () => {
    const completer = new TagCompleter({
      dataset: [
        { tag: 'lollipop', count: 3 },
        { tag: 'long hair', count: 1 },
      ],
      database,
    });
    const tags = completer.complete('lo', 10).map((c) => c.tag);
    assert.deepEqual(tags, ['lo', 'lollipop', 'long hair', 'looking_at_viewer', 'long_sleeves']);
    const first = completer.complete('loll')[0]!;
    assert.deepEqual(first, { tag: 'lollipop', count: 3, postCount: 50, category: 'general', match: 'prefix' });
  });

  it('puts the exact match first, then prefixes, aliases and later words', () => {
    const completer = new TagCompleter({ database });
    assert.deepEqual(
      completer.complete('lo', 2).map((c) => [c.tag, c.match]),
      [
        ['lo', 'exact'],
        ['long_hair', 'prefix'],
      ],
    );
    const hair = completer.complete('hair').map((c) => [c.tag, c.match]);
    assert.deepEqual(hair, [
      ['hair_ornament', 'prefix'],
      ['long_hair', 'word'],
    ]);
    const miku = completer.complete('mik');
    assert.deepEqual(
      miku.map((c) => [c.tag, c.alias, c.match, c.category]),
      [
        ['hatsune_miku', 'miku', 'alias', 'character'],
        ['hatsune_miku', undefined, 'word', 'character'],
      ].slice(0, 1),
    );
    assert.deepEqual(completer.complete('miku')[0], {
      tag: 'hatsune_miku',
      count: 0,
      postCount: 900,
      category: 'character',
      alias: 'miku',
      match: 'exact',
    });
  });

  it('matches by key: underscores, spaces and case alike; a trailing separator means a word ends', () => {
    const completer = new TagCompleter({ database });
    assert.deepEqual(
      completer.complete('Long_H').map((c) => c.tag),
      ['long_hair'],
    );
    assert.deepEqual(
      completer.complete('long ').map((c) => c.tag),
      ['long_hair', 'long_sleeves'],
    );
    assert.deepEqual(completer.complete('zzz'), []);
  });

  it('gives the most used tags for an empty text, and works without a database', () => {
    const completer = new TagCompleter({
      dataset: [
        { tag: 'solo', count: 9 },
        { tag: 'smile', count: 4 },
        { tag: 'Smile', count: 1 },
      ],
    });
    assert.deepEqual(
      completer.complete('', 5).map((c) => [c.tag, c.count]),
      [
        ['solo', 9],
        ['smile', 5],
      ],
    );
    assert.deepEqual(
      completer.complete('s', 1).map((c) => c.tag),
      ['solo'],
    );
  });

  it('stays fast on a 100,000-tag database', () => {
    const rows: string[] = [];
    for (let i = 0; i < 100_000; i++)
      rows.push(`tag_${i.toString(36)}_word${i % 97},${i % 6 === 2 ? 0 : i % 6},${(i * 7919) % 100_000},"alias${i}"`);
    const big: TagDatabase = parseTagcompleteCsv(rows.join('\n'));
    const completer = new TagCompleter({ database: big });
    completer.complete('t', 1);
    const start = performance.now();
    let found = 0;
    for (let i = 0; i < 1000; i++)
      found += completer.complete(['t', 'tag_1', 'alias9', 'word5', 'tag_zz'][i % 5]!, 20).length;
    const perQuery = (performance.now() - start) / 1000;
    assert.ok(found > 0);
    assert.ok(perQuery < 5, `${perQuery.toFixed(2)} ms a query`);
    const top = completer.complete('t', 3);
    assert.deepEqual(
      top.map((c) => c.postCount),
      [...top.map((c) => c.postCount)].sort((a, b) => b - a),
    );
    assert.equal(top[0]!.postCount, 99_999);
  });
});
