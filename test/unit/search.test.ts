import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import { ImageStore } from '../../src/core/index/imageStore.ts';
import type { ImageRecord } from '../../src/core/index/imageStore.ts';
import { searchImages, tagStats } from '../../src/core/index/search.ts';
import { compileQuery, SORT_COLUMNS } from '../../src/core/query/compile.ts';
import { parseQuery } from '../../src/core/query/parser.ts';
import { QueryError } from '../../src/shared/queryError.ts';
import { unmatchedMessage } from '../../src/shared/queryHint.ts';
import { buildSyntheticIndex } from '../fixtures/syntheticIndex.ts';

/** An image record; `caption` undefined for no caption file, null for one that could not be decoded. */
function image(path: string, width: number, height: number, caption?: string | null, mtimeMs = 1000): ImageRecord {
  return {
    path,
    size: width * height,
    mtimeMs,
    sha256: `sha-${path}`,
    format: 'png',
    width,
    height,
    channels: 3,
    hasAlpha: false,
    bitDepth: 8,
    space: 'srgb',
    frames: 1,
    orientation: 1,
    phash: '0',
    dhash: '0',
    caption: caption === undefined ? null : { path: path.replace(/\.\w+$/, '.txt'), size: 1, mtimeMs, text: caption },
    sidecar: null,
  };
}

const IMAGES: ImageRecord[] = [
  image('10_alice/a.png', 1024, 1024, '1girl, solo, blue_eyes, long hair, smile', 5000),
  image('10_alice/b.jpeg', 832, 1216, '1girl, kiyohime \\(fate\\), long sleeves, looking at viewer\n', 4000),
  image('10_alice/extra/c.webp', 1216, 832, '', 3000),
  image('5_bob/d.png', 512, 512, undefined, 2000),
  image('5_bob/e.tif', 2048, 1024, '1boy, short hair, :3, ^_^, red eyes', 6000),
  image('reg/f.png', 768, 1344, 'a photo of a woman standing in a field, looking at the viewer', 7000),
  image('reg/g.png', 1024, 1536, '1girl, Blue Eyes, long hair, 2girls', 8000),
  image('h.png', 4000, 3000, 'solo, long_hair, Long Hair, long hair, long hair  \n\n', 9000),
  image('10_Alice_Beach/i.png', 640, 960, ' , \n', 1500),
  image('reg/j.png', 1000, 1000, null, 2500),
  image('deep/10_alice/k.png', 1500, 1000, 'what[?], star*tag, or, 1girl', 3500),
];

describe('search', () => {
  let dir: string;
  let db: Database;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tagbench-search-'));
    db = openIndexDatabase(join(dir, 'index.db')).db;
    const store = new ImageStore(db);
    db.transaction(() => IMAGES.forEach((record) => store.insert(record)))();
  });

  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Paths of all matches, in result order. */
  function paths(query: string): string[] {
    const result = searchImages(db, query, { limit: 1000 });
    assert.equal(result.total, result.items.length, query);
    assert.equal(result.nextCursor, null);
    return result.items.map((item) => item.path);
  }

  /** Paths matched by the compiled WHERE condition run on its own, by name. */
  function wherePaths(query: string): string[] {
    const { where, params } = compileQuery(parseQuery(query));
    return db
      .prepare(`SELECT i.path FROM images i WHERE ${where} ORDER BY i.name_key, i.id`)
      .pluck()
      .all(...params) as string[];
  }

  const EXPECTED: [string, string[]][] = [
    [
      '',
      [
        '10_alice/a.png',
        '10_alice/b.jpeg',
        '10_alice/extra/c.webp',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        '5_bob/e.tif',
        'deep/10_alice/k.png',
        'h.png',
        'reg/f.png',
        'reg/g.png',
        'reg/j.png',
      ],
    ],
    [
      'sort:name',
      [
        '10_alice/a.png',
        '10_alice/b.jpeg',
        '10_alice/extra/c.webp',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        '5_bob/e.tif',
        'deep/10_alice/k.png',
        'h.png',
        'reg/f.png',
        'reg/g.png',
        'reg/j.png',
      ],
    ],
    ['1girl', ['10_alice/a.png', '10_alice/b.jpeg', 'deep/10_alice/k.png', 'reg/g.png']],
    ['blue_eyes', ['10_alice/a.png', 'reg/g.png']],
    ['BLUE_EYES', ['10_alice/a.png', 'reg/g.png']],
    ['long_hair', ['10_alice/a.png', 'h.png', 'reg/g.png']],
    ['kiyohime_(fate)', ['10_alice/b.jpeg']],
    ['kiyohime_\\(fate\\)', ['10_alice/b.jpeg']],
    [':3', ['5_bob/e.tif']],
    ['^_^', ['5_bob/e.tif']],
    ['or', ['deep/10_alice/k.png']],
    ['what[?]', ['deep/10_alice/k.png']],
    ['what[*', ['deep/10_alice/k.png']],
    ['star\\*tag', ['deep/10_alice/k.png']],
    ['star*', ['deep/10_alice/k.png']],
    ['long_*', ['10_alice/a.png', '10_alice/b.jpeg', 'h.png', 'reg/g.png']],
    ['*_hair', ['10_alice/a.png', '5_bob/e.tif', 'h.png', 'reg/g.png']],
    ['*eyes', ['10_alice/a.png', '5_bob/e.tif', 'reg/g.png']],
    ['1girl solo', ['10_alice/a.png']],
    ['1girl -solo', ['10_alice/b.jpeg', 'deep/10_alice/k.png', 'reg/g.png']],
    [
      '-1girl',
      [
        '10_alice/extra/c.webp',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        '5_bob/e.tif',
        'h.png',
        'reg/f.png',
        'reg/j.png',
      ],
    ],
    ['solo OR 1boy', ['10_alice/a.png', '5_bob/e.tif', 'h.png']],
    ['(blue_eyes OR red_eyes) -smile', ['5_bob/e.tif', 'reg/g.png']],
    ['-(1girl OR solo) has:caption', ['5_bob/e.tif', 'reg/f.png']],
    [
      '1girl OR -has:caption',
      [
        '10_alice/a.png',
        '10_alice/b.jpeg',
        '10_alice/extra/c.webp',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        'deep/10_alice/k.png',
        'reg/g.png',
        'reg/j.png',
      ],
    ],
    ['-1girl -has:caption', ['10_alice/extra/c.webp', '10_Alice_Beach/i.png', '5_bob/d.png', 'reg/j.png']],
    ['"looking at viewer"', ['10_alice/b.jpeg']],
    ['"Looking at the VIEWER"', ['reg/f.png']],
    ['caption:viewer', ['10_alice/b.jpeg', 'reg/f.png']],
    ['caption:view*', ['10_alice/b.jpeg', 'reg/f.png']],
    ['caption:"the viewer" -caption:woman', []],
    ['-"looking at" has:caption', ['10_alice/a.png', '5_bob/e.tif', 'deep/10_alice/k.png', 'h.png', 'reg/g.png']],
    ['caption:kiyohime', ['10_alice/b.jpeg']],
    ['"!!!"', []],
    ['width>=1024 aspect:portrait', ['reg/g.png']],
    ['aspect:portrait', ['10_alice/b.jpeg', '10_Alice_Beach/i.png', 'reg/f.png', 'reg/g.png']],
    ['aspect:landscape', ['10_alice/extra/c.webp', '5_bob/e.tif', 'deep/10_alice/k.png', 'h.png']],
    ['aspect:square', ['10_alice/a.png', '5_bob/d.png', 'reg/j.png']],
    ['aspect>1.5', ['5_bob/e.tif']],
    ['aspect>=1.5', ['5_bob/e.tif', 'deep/10_alice/k.png']],
    ['aspect:1.5', ['deep/10_alice/k.png']],
    ['aspect<1 -aspect:portrait', []],
    ['width:1024', ['10_alice/a.png', 'reg/g.png']],
    [
      'width!=1024 height<=1000',
      ['10_alice/extra/c.webp', '10_Alice_Beach/i.png', '5_bob/d.png', 'deep/10_alice/k.png', 'reg/j.png'],
    ],
    ['height>1500', ['h.png', 'reg/g.png']],
    [
      'pixels>=1m',
      [
        '10_alice/a.png',
        '10_alice/b.jpeg',
        '10_alice/extra/c.webp',
        '5_bob/e.tif',
        'deep/10_alice/k.png',
        'h.png',
        'reg/f.png',
        'reg/g.png',
        'reg/j.png',
      ],
    ],
    ['pixels>1.5m', ['5_bob/e.tif', 'h.png', 'reg/g.png']],
    ['pixels<=262.144k', ['5_bob/d.png']],
    [
      'ext:png',
      [
        '10_alice/a.png',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        'deep/10_alice/k.png',
        'h.png',
        'reg/f.png',
        'reg/g.png',
        'reg/j.png',
      ],
    ],
    ['ext:jpg', ['10_alice/b.jpeg']],
    ['ext:JPEG', ['10_alice/b.jpeg']],
    ['ext:tif', ['5_bob/e.tif']],
    ['ext:.webp', ['10_alice/extra/c.webp']],
    ['folder:10_alice', ['10_alice/a.png', '10_alice/b.jpeg', '10_alice/extra/c.webp', 'deep/10_alice/k.png']],
    ['folder:10_Alice_beach', ['10_Alice_Beach/i.png']],
    ['folder:extra', ['10_alice/extra/c.webp']],
    ['folder:10', []],
    ['folder:10_alice -has:caption', ['10_alice/extra/c.webp']],
    [
      'has:caption',
      ['10_alice/a.png', '10_alice/b.jpeg', '5_bob/e.tif', 'deep/10_alice/k.png', 'h.png', 'reg/f.png', 'reg/g.png'],
    ],
    ['-has:caption', ['10_alice/extra/c.webp', '10_Alice_Beach/i.png', '5_bob/d.png', 'reg/j.png']],
    ['tags>4', ['10_alice/a.png', '5_bob/e.tif', 'h.png']],
    ['tags:0', ['10_alice/extra/c.webp', '10_Alice_Beach/i.png', '5_bob/d.png', 'reg/j.png']],
    ['-(1girl OR has:caption OR aspect:portrait OR ext:webp)', ['5_bob/d.png', 'reg/j.png']],
    ['-(1girl OR solo OR 1boy OR -has:caption)', ['reg/f.png']],
    ['nosuchtag', []],
    ['nosuchtag OR solo', ['10_alice/a.png', 'h.png']],
    [
      '-nosuchtag',
      [
        '10_alice/a.png',
        '10_alice/b.jpeg',
        '10_alice/extra/c.webp',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        '5_bob/e.tif',
        'deep/10_alice/k.png',
        'h.png',
        'reg/f.png',
        'reg/g.png',
        'reg/j.png',
      ],
    ],
    ['solo 1girl OR 1boy width>1024', ['10_alice/a.png', '5_bob/e.tif']],
    ['(solo OR 1boy) width>1024', ['5_bob/e.tif', 'h.png']],
    ['1girl (width>1000 OR ext:jpg)', ['10_alice/a.png', '10_alice/b.jpeg', 'deep/10_alice/k.png', 'reg/g.png']],
    ['1girl -(width>1000 OR ext:jpg)', []],
    [
      '-(1girl width>1000)',
      [
        '10_alice/b.jpeg',
        '10_alice/extra/c.webp',
        '10_Alice_Beach/i.png',
        '5_bob/d.png',
        '5_bob/e.tif',
        'h.png',
        'reg/f.png',
        'reg/j.png',
      ],
    ],
  ];

  it('finds exactly the expected images for each query', () => {
    for (const [query, expected] of EXPECTED) assert.deepEqual(paths(query), expected, query);
  });

  it('matches what the compiled WHERE condition selects on its own', () => {
    for (const [query, expected] of EXPECTED) {
      const sorted = [...expected].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      assert.deepEqual(wherePaths(query), sorted, query);
    }
  });

  it('returns the stored fields, the trimmed caption and its tags in caption order', () => {
    const [item] = searchImages(db, 'kiyohime_(fate)').items;
    assert.deepEqual(item, {
      id: item!.id,
      path: '10_alice/b.jpeg',
      width: 832,
      height: 1216,
      caption: '1girl, kiyohime \\(fate\\), long sleeves, looking at viewer',
      tags: ['1girl', 'kiyohime (fate)', 'long sleeves', 'looking at viewer'],
      sha256: 'sha-10_alice/b.jpeg',
      ext: 'jpg',
      mtimeMs: 4000,
      size: 832 * 1216,
    });
    const h = searchImages(db, 'Long_Hair solo width>2000').items[0]!;
    assert.equal(h.caption, 'solo, long_hair, Long Hair, long hair, long hair');
    assert.deepEqual(h.tags, ['solo', 'long_hair', 'Long Hair', 'long hair', 'long hair']);
    const noCaption = searchImages(db, 'ext:png -has:caption').items.map((i) => [i.path, i.caption, i.tags]);
    assert.deepEqual(noCaption, [
      ['10_Alice_Beach/i.png', ' ,', []],
      ['5_bob/d.png', null, []],
      ['reg/j.png', null, []],
    ]);
    assert.deepEqual(searchImages(db, 'ext:webp').items[0]!.caption, '');
  });

  it('sorts by each key, ties by id, reversed with -', () => {
    const byMtime = searchImages(db, 'sort:mtime', { limit: 3 }).items.map((i) => i.path);
    assert.deepEqual(byMtime, ['10_Alice_Beach/i.png', '5_bob/d.png', 'reg/j.png']);
    assert.deepEqual(
      searchImages(db, '-sort:mtime', { limit: 2 }).items.map((i) => i.path),
      ['h.png', 'reg/g.png'],
    );
    assert.deepEqual(
      searchImages(db, 'sort:-width 1girl').items.map((i) => i.width),
      [1500, 1024, 1024, 832],
    );
    const byWidth = searchImages(db, 'sort:width width:1024').items.map((i) => i.id);
    assert.deepEqual(
      byWidth,
      [...byWidth].sort((a, b) => a - b),
    );
    assert.deepEqual(
      searchImages(db, 'sort:tags has:caption', { limit: 1 }).items.map((i) => i.path),
      ['reg/f.png'],
    );
    const random = paths('sort:random');
    assert.deepEqual([...random].sort(), [...paths('')].sort());
    assert.deepEqual(paths('sort:random'), random);
  });

  it('rejects bad limits and clamps large ones', () => {
    assert.throws(() => searchImages(db, '', { limit: -1 }), RangeError);
    assert.throws(() => searchImages(db, '', { offset: 1.5 }), RangeError);
    assert.equal(searchImages(db, '', { limit: 1_000_000 }).items.length, IMAGES.length);
    assert.deepEqual(searchImages(db, 'solo', { limit: 0 }), { total: 2, items: [], nextCursor: null });
  });

  it('pages with offset', () => {
    const all = paths('');
    const page = searchImages(db, '', { limit: 3, offset: 4 });
    assert.equal(page.total, all.length);
    assert.deepEqual(
      page.items.map((i) => i.path),
      all.slice(4, 7),
    );
    assert.deepEqual(searchImages(db, '', { offset: 50 }).items, []);
  });

  it('pages with cursors through every sort order without gaps or repeats', () => {
    for (const query of [
      '',
      'has:caption',
      '1girl OR -has:caption',
      'sort:random',
      '-sort:width',
      'sort:mtime -1girl',
      'sort:-tags',
      'sort:height long_*',
      '-sort:name',
    ]) {
      const all = paths(query);
      for (const limit of [1, 2, 3, 5]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = searchImages(db, query, { limit, ...(cursor ? { cursor } : {}) });
          assert.equal(page.total, all.length);
          seen.push(...page.items.map((i) => i.path));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        assert.deepEqual(seen, all, `${query} by ${limit}`);
      }
    }
  });

  it('rejects a cursor from another query, or a damaged one, with a QueryError', () => {
    const { nextCursor } = searchImages(db, '1girl', { limit: 1 });
    assert.ok(nextCursor);
    assert.equal(searchImages(db, '1girl  ', { limit: 1, cursor: nextCursor }).items.length, 1);
    assert.throws(
      () => searchImages(db, 'solo', { cursor: nextCursor }),
      (e: unknown) => e instanceof QueryError && e.message === 'The cursor belongs to a different query',
    );
    assert.throws(() => searchImages(db, '1girl sort:-name', { cursor: nextCursor }), QueryError);
    assert.throws(() => searchImages(db, '1girl', { cursor: 'garbage' }), QueryError);
    assert.throws(() => searchImages(db, '1girl', { cursor: nextCursor.slice(0, -3) }), QueryError);
  });

  it('runs the largest queries the parser accepts', () => {
    const rows = Array(500).fill('width>1').join(' ');
    assert.equal(searchImages(db, rows).total, IMAGES.length);
    const { where, params } = compileQuery(parseQuery(rows));
    assert.equal(
      db
        .prepare(`SELECT count(*) FROM images i WHERE ${where}`)
        .pluck()
        .get(...params),
      IMAGES.length,
    );
    const nested = `${'-('.repeat(32)}solo${')'.repeat(32)}`;
    assert.equal(searchImages(db, nested).total, 2);
    assert.equal(searchImages(db, Array(250).fill('-solo OR').join(' ') + ' solo').total, IMAGES.length);
  });

  it('reads words typed as the tags are shown (long hair) as the tag they spell, and AND in capitals as AND', () => {
    assert.deepEqual(paths('long hair'), ['10_alice/a.png', 'h.png', 'reg/g.png']);
    assert.deepEqual(paths('long hair'), paths('long_hair'));
    assert.deepEqual(paths('Long Hair solo'), ['10_alice/a.png', 'h.png']);
    assert.deepEqual(paths('looking at viewer'), ['10_alice/b.jpeg']);
    assert.deepEqual(paths('long_hair AND solo'), ['10_alice/a.png', 'h.png']);
    assert.deepEqual(paths('long hair AND solo'), paths('long_hair solo'));
    assert.deepEqual(paths('-long hair has:caption'), [
      '10_alice/b.jpeg',
      '5_bob/e.tif',
      'deep/10_alice/k.png',
      'reg/f.png',
    ]);
    assert.deepEqual(paths('blue eyes OR red eyes'), ['10_alice/a.png', '5_bob/e.tif', 'reg/g.png']);
    assert.deepEqual(paths('long AND hair'), [], 'AND keeps words apart');
    assert.deepEqual(paths('1girl long hair blue eyes'), ['10_alice/a.png', 'reg/g.png']);
    assert.equal(tagStats(db, 'long hair').images, 3, 'tag frequencies read the query the same way');
    assert.equal(searchImages(db, 'long hair', { limit: 1 }).nextCursor !== null, true);
    const first = searchImages(db, 'long hair', { limit: 1 });
    assert.equal(
      searchImages(db, 'long hair', { limit: 5, cursor: first.nextCursor! }).total,
      3,
      'its cursor pages on',
    );
  });

  it('names the tag terms no image has, with the closest known tags (started, a word started, a typing mistake)', () => {
    const unmatched = (query: string): unknown => searchImages(db, query, { limit: 0, unmatched: true }).unmatched;
    assert.deepEqual(unmatched('long hair smile'), []);
    assert.equal(searchImages(db, 'smlie').unmatched, undefined, 'only when asked for');
    assert.deepEqual(unmatched('blu'), [
      { term: 'blu', position: 0, length: 3, key: 'blu', suggestions: [{ tag: 'Blue Eyes', count: 2 }] },
    ]);
    assert.deepEqual(unmatched('1girl lo'), [
      {
        term: 'lo',
        position: 6,
        length: 2,
        key: 'lo',
        suggestions: [
          { tag: 'long hair', count: 3 },
          { tag: 'long sleeves', count: 1 },
          { tag: 'looking at the viewer', count: 1 },
        ],
      },
    ]);
    assert.deepEqual(unmatched('-hair'), [
      {
        term: 'hair',
        position: 1,
        length: 4,
        key: 'hair',
        suggestions: [
          { tag: 'long hair', count: 3 },
          { tag: 'short hair', count: 1 },
        ],
      },
    ]);
    assert.deepEqual(unmatched('smlie OR slo'), [
      { term: 'smlie', position: 0, length: 5, key: 'smlie', suggestions: [{ tag: 'smile', count: 1 }] },
      { term: 'slo', position: 9, length: 3, key: 'slo', suggestions: [{ tag: 'solo', count: 2 }] },
    ]);
    assert.deepEqual(unmatched('long hairs'), [
      {
        term: 'long',
        position: 0,
        length: 4,
        key: 'long',
        suggestions: [
          { tag: 'long hair', count: 3 },
          { tag: 'long sleeves', count: 1 },
        ],
      },
      { term: 'hairs', position: 5, length: 5, key: 'hairs', suggestions: [] },
    ]);
    assert.deepEqual(unmatched('zzzzzz'), [{ term: 'zzzzzz', position: 0, length: 6, key: 'zzzzzz', suggestions: [] }]);
    assert.equal(
      unmatchedMessage({
        term: 'blu',
        position: 0,
        length: 3,
        key: 'blu',
        suggestions: [{ tag: 'Blue Eyes', count: 2 }],
      }),
      'No images have "blu"; did you mean "Blue Eyes" (2)?',
    );
    assert.equal(
      unmatchedMessage({
        term: 'lo',
        position: 0,
        length: 2,
        key: 'lo',
        suggestions: [
          { tag: 'long hair', count: 1234 },
          { tag: 'long sleeves', count: 1 },
          { tag: 'lol', count: 1 },
          { tag: 'low', count: 1 },
        ],
      }),
      'No images have "lo"; did you mean "long hair" (1,234), "long sleeves" (1) or "lol" (1)?',
    );
    assert.equal(
      unmatchedMessage({ term: 'and', position: 0, length: 3, key: 'and', suggestions: [] }),
      'No images have "and". Write AND in capitals to join terms.',
    );
    assert.deepEqual(unmatched(':3 long_* "long hair" width>1 -(1girl OR solo)'), [], 'only plain tag terms');
  });

  it('throws QueryError for a malformed query', () => {
    assert.throws(() => searchImages(db, 'widht>5'), QueryError);
    assert.throws(() => tagStats(db, '(a'), QueryError);
  });

  it('counts tags by name over the whole index, most frequent first, ties by name', () => {
    const stats = tagStats(db);
    assert.equal(stats.images, IMAGES.length);
    assert.deepEqual(stats.tags.slice(0, 4), [
      { tag: '1girl', count: 4 },
      { tag: 'long hair', count: 3 },
      { tag: 'solo', count: 2 },
      { tag: '1boy', count: 1 },
    ]);
    assert.deepEqual(
      stats.tags.find((t) => t.tag === 'Long Hair'),
      { tag: 'Long Hair', count: 1 },
    );
    assert.equal(stats.tags.length, 22);
    assert.deepEqual(
      tagStats(db, '', { limit: 2 }).tags.map((t) => t.tag),
      ['1girl', 'long hair'],
    );
  });

  it("counts tags over a query's matches", () => {
    assert.deepEqual(tagStats(db, 'folder:10_alice has:caption'), {
      images: 3,
      tags: [
        { tag: '1girl', count: 3 },
        { tag: 'blue_eyes', count: 1 },
        { tag: 'kiyohime (fate)', count: 1 },
        { tag: 'long hair', count: 1 },
        { tag: 'long sleeves', count: 1 },
        { tag: 'looking at viewer', count: 1 },
        { tag: 'or', count: 1 },
        { tag: 'smile', count: 1 },
        { tag: 'solo', count: 1 },
        { tag: 'star*tag', count: 1 },
        { tag: 'what[?]', count: 1 },
      ],
    });
    assert.deepEqual(tagStats(db, '-nosuchtag', { limit: 3 }), tagStats(db, '', { limit: 3 }));
    assert.deepEqual(tagStats(db, 'long_hair', { limit: 2 }), {
      images: 3,
      tags: [
        { tag: 'long hair', count: 3 },
        { tag: '1girl', count: 2 },
      ],
    });
    assert.deepEqual(tagStats(db, 'nosuchtag'), { images: 0, tags: [] });
    assert.deepEqual(tagStats(db, '-has:caption'), { images: 4, tags: [] });
    assert.deepEqual(tagStats(db, '-(1girl OR solo OR 1boy OR -has:caption)'), {
      images: 1,
      tags: [
        { tag: 'a photo of a woman standing in a field', count: 1 },
        { tag: 'looking at the viewer', count: 1 },
      ],
    });
  });

  it('either runs or throws a QueryError for random queries (fuzz)', () => {
    const pieces = [
      '1girl',
      'solo',
      'long_hair',
      '*',
      ' ',
      ' ',
      ' ',
      '(',
      ')',
      '"',
      '-',
      ':',
      '>',
      '=',
      '<',
      'OR',
      'width',
      'aspect',
      'caption',
      'sort',
      'folder',
      'ext',
      'has',
      'tags',
      'pixels',
      '1',
      '0',
      '.',
      'k',
      'NEAR',
      '\\',
      'é',
    ];
    let seed = 99;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < 1500; n++) {
      let query = '';
      const length = Math.floor(random() * 10);
      for (let i = 0; i < length; i++) query += pieces[Math.floor(random() * pieces.length)];
      try {
        const result = searchImages(db, query, { limit: 3 });
        assert.equal(result.total, wherePaths(query).length, query);
      } catch (error) {
        if (!(error instanceof QueryError))
          throw new Error(`${JSON.stringify(query)} threw ${String(error)}`, { cause: error });
      }
    }
  });
});

describe('search on a synthetic index', () => {
  let dir: string;
  let db: Database;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tagbench-search-synthetic-'));
    buildSyntheticIndex(join(dir, 'index.db'), 3000, 7);
    db = openIndexDatabase(join(dir, 'index.db')).db;
  });

  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages like ORDER BY over the compiled condition, for common and rare matches alike', () => {
    const queries = [
      '1girl',
      'kiyohime_(fate)',
      '1girl -solo',
      '(blue_eyes OR red_eyes) smile',
      'long_*',
      '"looking at viewer"',
      'width>=1024 aspect:portrait',
      'folder:10_alice -has:caption',
      '-1girl -solo',
      'solo sort:random',
      '-sort:mtime 1girl',
      'sort:width ext:png',
      'sort:-tags caption:woman',
      'sort:height -long_*',
      'sword width>=1024',
      'braid -aspect:square',
      'cape OR width>3000',
      '-cape aspect:square',
      'folder:10_alice (ext:png OR tags>20) -1girl',
      'caption:wom* -has:caption OR pixels<300k',
    ];
    for (const query of queries) {
      const { where, params, sort } = compileQuery(parseQuery(query));
      const column = SORT_COLUMNS[sort.key].column;
      const direction = sort.descending ? 'DESC' : 'ASC';
      const expected = db
        .prepare(`SELECT i.id FROM images i WHERE ${where} ORDER BY i.${column} ${direction}, i.id ${direction}`)
        .pluck()
        .all(...params) as number[];
      assert.ok(expected.length > 0, query);
      const first = searchImages(db, query, { limit: 50 });
      assert.equal(first.total, expected.length, query);
      assert.deepEqual(
        first.items.map((i) => i.id),
        expected.slice(0, 50),
        query,
      );
      const offset = Math.floor(expected.length * 0.9);
      const deep = searchImages(db, query, { limit: 40, offset });
      assert.deepEqual(
        deep.items.map((i) => i.id),
        expected.slice(offset, offset + 40),
        query,
      );
      if (deep.nextCursor) {
        const next = searchImages(db, query, { limit: 40, cursor: deep.nextCursor });
        assert.deepEqual(
          next.items.map((i) => i.id),
          expected.slice(offset + 40, offset + 80),
          query,
        );
      }
    }
  });

  it("counts tags over a query like grouping the matches' tags in SQL", () => {
    for (const query of ['folder:10_alice', '1girl', '-solo', 'kiyohime_(fate)']) {
      const { where, params } = compileQuery(parseQuery(query));
      const expected = db
        .prepare(
          `SELECT t.name AS tag, count(DISTINCT it.image_id) AS count
        FROM image_tags it JOIN tags t ON t.id = it.tag_id JOIN images i ON i.id = it.image_id WHERE ${where}
        GROUP BY t.name ORDER BY count DESC, t.name`,
        )
        .all(...params);
      const stats = tagStats(db, query);
      assert.deepEqual(stats.tags, expected, query);
      assert.equal(stats.images, searchImages(db, query, { limit: 0 }).total);
    }
  });
});
