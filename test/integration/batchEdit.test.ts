import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { applyBatch, planBatch } from '../../src/core/edits/batchEdit.ts';
import { redoLastBatch, undoLastBatch } from '../../src/core/edits/batchUndo.ts';
import { tagStats } from '../../src/core/index/search.ts';
import type { BatchTarget } from '../../src/core/edits/batchEdit.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { dumpIndex, snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { formatSidecar, parseSidecar } from '../../src/core/sidecar/sidecar.ts';

describe('batch edits', function () {
  this.timeout(30_000);
  let root: string;
  const open = () => openIndexDatabase(join(root, '.tagbench', 'index.db')).db;
  const targets = (query: string): BatchTarget[] => {
    const db = open();
    try {
      return searchImages(db, query, { limit: 1000 }).items.map((i) => ({ id: i.id, path: i.path }));
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    root = makeTempDir();
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      await sharp({
        create: { width: 32 + i, height: 32, channels: 3, background: { r: i * 60, g: 10, b: 200 - i * 40 } },
      })
        .png()
        .toFile(join(root, `${name}.png`));
    }
    writeFileSync(join(root, 'a.txt'), '\uFEFFalice, smile\r\n');
    writeFileSync(join(root, 'b.txt'), 'alice, solo');
    writeFileSync(join(root, 'c.txt'), 'bob, smile\n');
    await indexDataset(root);
  });
  afterEach(removeTempDirs);

  it('previews without writing, applies, keeps BOM and CRLF, updates the index, and undoes exactly', async () => {
    const before = snapshotFiles(root);
    const indexBefore = dumpIndex(join(root, '.tagbench', 'index.db'));
    const plan = planBatch(root, targets(''), { kind: 'addTags', tags: ['ohwx'], position: 'start' }, '.txt');
    assert.deepEqual(snapshotFiles(root), before, 'planning writes nothing');
    assert.equal(plan.files, 4);
    assert.deepEqual(
      plan.captions.map((c) => [c.path, c.before, c.after]),
      [
        ['a.txt', 'alice, smile\n', 'ohwx, alice, smile\n'],
        ['b.txt', 'alice, solo', 'ohwx, alice, solo'],
        ['c.txt', 'bob, smile\n', 'ohwx, bob, smile\n'],
        ['d.txt', null, 'ohwx'],
      ],
    );

    const db = open();
    const result = applyBatch(root, db, plan);
    assert.equal(result.changed, 4);
    assert.deepEqual(result.conflicts, []);
    assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFohwx, alice, smile\r\n'));
    assert.equal(readFileSync(join(root, 'd.txt'), 'utf8'), 'ohwx');
    assert.equal(searchImages(db, 'ohwx', { limit: 0 }).total, 4, 'the index sees the new tag at once');

    const undone = undoLastBatch(root, db)!;
    assert.equal(undone.changed, 4);
    db.close();
    assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFalice, smile\r\n'));
    assert.equal(existsSync(join(root, 'd.txt')), false, 'a caption the batch created is removed again');
    const after = snapshotFiles(root);
    for (const [path, state] of before)
      assert.equal(after.get(path)?.split(':')[0], state.split(':')[0], `${path} content restored`);
    await indexDataset(root);
    const indexAfter = dumpIndex(join(root, '.tagbench', 'index.db'));
    assert.deepEqual(indexAfter.tags, indexBefore.tags);
  });

  it('reports a caption changed on disk since the preview, and does not overwrite it', () => {
    const plan = planBatch(root, targets('alice'), { kind: 'removeTags', tags: ['alice'] }, '.txt');
    writeFileSync(join(root, 'b.txt'), 'alice, solo, edited meanwhile');
    const db = open();
    const result = applyBatch(root, db, plan);
    db.close();
    assert.equal(result.changed, 1);
    assert.deepEqual(
      result.conflicts.map((c) => c.path),
      ['b.txt'],
    );
    assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo, edited meanwhile');
    assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFsmile\r\n'));
  });

  it('does not undo over a caption edited after the batch', () => {
    const db = open();
    applyBatch(
      root,
      db,
      planBatch(root, targets('smile'), { kind: 'addTags', tags: ['happy'], position: 'end' }, '.txt'),
    );
    writeFileSync(join(root, 'c.txt'), 'hand edited');
    const undone = undoLastBatch(root, db)!;
    db.close();
    assert.deepEqual(
      undone.conflicts.map((c) => c.path),
      ['c.txt'],
    );
    assert.equal(readFileSync(join(root, 'c.txt'), 'utf8'), 'hand edited');
    assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFalice, smile\r\n'));
  });

  describe('with a sidecar that records tag provenance', () => {
    const writeSidecar = (): Buffer => {
      const text = formatSidecar({
        tagbench: 1,
        image: { sha256: '0'.repeat(64) },
        tags: [
          { name: 'alice', source: 'user' },
          { name: 'smile', source: 'model:wd', confidence: 0.8, status: 'accepted' },
          { name: 'hat', source: 'model:wd', confidence: 0.4, status: 'suggested' },
        ],
      });
      writeFileSync(join(root, 'a.tagbench.json'), text);
      return Buffer.from(text);
    };
    const sidecarTags = (): [string, string, string | undefined][] =>
      parseSidecar(readFileSync(join(root, 'a.tagbench.json'))).tags!.map((t) => [t.name, t.source, t.status]);
    const indexedSidecar = (db: ReturnType<typeof open>): string =>
      db.prepare("SELECT sidecar FROM images WHERE path = 'a.png'").pluck().get() as string;

    it('keeps the sidecar in step with the batch, and the undo puts back its exact bytes', async () => {
      const original = writeSidecar();
      await indexDataset(root);
      const db = open();
      const result = applyBatch(
        root,
        db,
        planBatch(root, targets('smile'), { kind: 'removeTags', tags: ['smile'] }, '.txt'),
      );
      assert.equal(result.sidecars, 1);
      assert.deepEqual(
        sidecarTags(),
        [
          ['alice', 'user', undefined],
          ['hat', 'model:wd', 'suggested'],
        ],
        'the removed tag leaves the sidecar; the pending suggestion stays',
      );
      assert.equal(
        indexedSidecar(db),
        readFileSync(join(root, 'a.tagbench.json'), 'utf8'),
        'the index holds the new sidecar',
      );
      assert.equal(searchImages(db, 'suggested:hat', { limit: 0 }).total, 1);

      const undone = undoLastBatch(root, db)!;
      assert.equal(undone.sidecars, 1);
      assert.ok(
        readFileSync(join(root, 'a.tagbench.json')).equals(original),
        'byte for byte, model provenance and confidence included',
      );
      assert.equal(indexedSidecar(db), original.toString('utf8'));
      db.close();
    });

    it('follows the restored caption when the sidecar was edited after the batch', async () => {
      writeSidecar();
      await indexDataset(root);
      const db = open();
      applyBatch(root, db, planBatch(root, targets('smile'), { kind: 'removeTags', tags: ['smile'] }, '.txt'));
      const edited = parseSidecar(readFileSync(join(root, 'a.tagbench.json')));
      const rejected = edited.tags!.map((t) => (t.name === 'hat' ? { ...t, status: 'rejected' as const } : t));
      writeFileSync(join(root, 'a.tagbench.json'), formatSidecar({ ...edited, tags: rejected }));
      const undone = undoLastBatch(root, db)!;
      db.close();
      assert.equal(undone.sidecars, 1);
      const after = parseSidecar(readFileSync(join(root, 'a.tagbench.json')));
      assert.deepEqual(
        after.tags!.map((t) => [t.name, t.status]),
        [
          ['alice', undefined],
          ['smile', undefined],
          ['hat', 'rejected'],
        ],
        'the later rejection is kept, and the tags follow the restored caption',
      );
    });

    it('accepts suggestions at or above a confidence as one batch: caption and sidecar, undone together', async () => {
      const original = writeSidecar();
      writeFileSync(
        join(root, 'b.tagbench.json'),
        formatSidecar({
          tagbench: 1,
          image: { sha256: '1'.repeat(64) },
          tags: [
            { name: 'red_scarf', source: 'model:wd', confidence: 0.7, status: 'suggested' },
            { name: 'blurry', source: 'model:wd', confidence: 0.2, status: 'suggested' },
          ],
        }),
      );
      await indexDataset(root);
      const db = open();
      const plan = planBatch(
        root,
        targets('has:suggestions'),
        { kind: 'reviewSuggestions', decision: 'accept', minConfidence: 0.35 },
        '.txt',
      );
      assert.match(plan.summary, /^Accept suggestions at or above 0\.35 in 2 images$/);
      assert.deepEqual(
        plan.captions.map((c) => [c.path, c.after]),
        [
          ['a.txt', 'alice, smile, hat\n'],
          ['b.txt', 'alice, solo, red scarf'],
        ],
      );
      const result = applyBatch(root, db, plan);
      assert.deepEqual([result.changed, result.sidecars, result.conflicts.length], [2, 2, 0]);
      assert.deepEqual(
        readFileSync(join(root, 'a.txt')),
        Buffer.from('\uFEFFalice, smile, hat\r\n'),
        'BOM and CRLF kept',
      );
      assert.deepEqual(sidecarTags().at(-1), ['hat', 'model:wd', 'accepted']);
      const b = parseSidecar(readFileSync(join(root, 'b.tagbench.json'))).tags!;
      assert.deepEqual(
        b.map((t) => [t.name, t.status]),
        [
          ['red_scarf', 'accepted'],
          ['blurry', 'suggested'],
        ],
        'the weak suggestion still waits',
      );
      assert.equal(searchImages(db, 'suggested:blurry', { limit: 0 }).total, 1);
      assert.equal(searchImages(db, 'has:suggestions', { limit: 0 }).total, 1, 'the index follows');

      const undone = undoLastBatch(root, db)!;
      assert.deepEqual([undone.changed, undone.sidecars], [2, 2]);
      assert.ok(readFileSync(join(root, 'a.tagbench.json')).equals(original));
      assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFalice, smile\r\n'));
      assert.equal(searchImages(db, 'has:suggestions', { limit: 0 }).total, 2);
      db.close();
    });

    it('rejects suggestions of one model: the sidecar alone changes, and undo puts it back', async () => {
      const original = writeSidecar();
      await indexDataset(root);
      const db = open();
      const captionBefore = readFileSync(join(root, 'a.txt'));
      assert.equal(
        planBatch(root, targets(''), { kind: 'reviewSuggestions', decision: 'reject', model: 'other' }, '.txt').captions
          .length,
        0,
        'another model has nothing pending',
      );
      const result = applyBatch(
        root,
        db,
        planBatch(root, targets(''), { kind: 'reviewSuggestions', decision: 'reject', model: 'wd' }, '.txt'),
      );
      assert.deepEqual([result.changed, result.sidecars], [1, 1]);
      assert.ok(readFileSync(join(root, 'a.txt')).equals(captionBefore), 'the caption is not rewritten');
      assert.equal(existsSync(join(root, 'd.txt')), false, 'no caption is created');
      assert.deepEqual(sidecarTags().at(-1), ['hat', 'model:wd', 'rejected']);
      assert.equal(searchImages(db, 'has:suggestions', { limit: 0 }).total, 0);

      const undone = undoLastBatch(root, db)!;
      assert.deepEqual([undone.changed, undone.conflicts.length], [1, 0]);
      assert.ok(readFileSync(join(root, 'a.tagbench.json')).equals(original));
      assert.equal(searchImages(db, 'has:suggestions', { limit: 0 }).total, 1);
      db.close();
    });

    it('undoes and redoes a rejection beside a caption of mixed line endings (the sidecar alone changes)', async () => {
      const original = writeSidecar();
      const caption = Buffer.from('alice, smile\r\nsky\n');
      writeFileSync(join(root, 'a.txt'), caption);
      await indexDataset(root);
      const db = open();
      try {
        applyBatch(
          root,
          db,
          planBatch(root, targets(''), { kind: 'reviewSuggestions', decision: 'reject', model: 'wd' }, '.txt'),
        );
        assert.deepEqual(sidecarTags().at(-1), ['hat', 'model:wd', 'rejected']);
        const undone = undoLastBatch(root, db)!;
        assert.deepEqual([undone.changed, undone.sidecars], [1, 1]);
        assert.ok(readFileSync(join(root, 'a.tagbench.json')).equals(original));
        assert.ok(readFileSync(join(root, 'a.txt')).equals(caption));
        redoLastBatch(root, db);
        assert.deepEqual(sidecarTags().at(-1), ['hat', 'model:wd', 'rejected']);
      } finally {
        db.close();
      }
    });

    it('reports a sidecar changed since the review was planned, and a sidecar that is not valid', async () => {
      writeSidecar();
      writeFileSync(join(root, 'c.tagbench.json'), '{"tagbench": 1, "tags": 5}');
      await indexDataset(root);
      const db = open();
      const plan = planBatch(root, targets(''), { kind: 'reviewSuggestions', decision: 'accept' }, '.txt');
      assert.deepEqual(
        plan.skipped.map((s) => s.path),
        ['c.tagbench.json'],
      );
      assert.match(plan.skipped[0]!.reason, /schema/);
      writeFileSync(
        join(root, 'a.tagbench.json'),
        readFileSync(join(root, 'a.tagbench.json'), 'utf8').replace('0.4', '0.45'),
      );
      const result = applyBatch(root, db, plan);
      db.close();
      assert.deepEqual(
        result.conflicts.map((c) => c.path),
        ['c.tagbench.json', 'a.tagbench.json'],
      );
      assert.equal(result.changed, 0);
      assert.deepEqual(
        readFileSync(join(root, 'a.txt')),
        Buffer.from('\uFEFFalice, smile\r\n'),
        'the caption waits with its sidecar',
      );
    });

    it('leaves a sidecar changed between preview and apply alone', async () => {
      writeSidecar();
      await indexDataset(root);
      const db = open();
      const plan = planBatch(root, targets('smile'), { kind: 'removeTags', tags: ['smile'] }, '.txt');
      const changed = formatSidecar({
        ...parseSidecar(readFileSync(join(root, 'a.tagbench.json'))),
        tags: [{ name: 'alice', source: 'user' }],
      });
      writeFileSync(join(root, 'a.tagbench.json'), changed);
      const result = applyBatch(root, db, plan);
      db.close();
      assert.equal(readFileSync(join(root, 'a.tagbench.json'), 'utf8'), changed);
      assert.equal(result.sidecars, 0);
    });
  });

  it('undoes batches one after another, newest first', () => {
    const db = open();
    applyBatch(root, db, planBatch(root, targets(''), { kind: 'addTags', tags: ['one'], position: 'end' }, '.txt'));
    applyBatch(root, db, planBatch(root, targets(''), { kind: 'addTags', tags: ['two'], position: 'end' }, '.txt'));
    assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo, one, two');
    undoLastBatch(root, db);
    assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo, one');
    undoLastBatch(root, db);
    assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo');
    assert.equal(undoLastBatch(root, db), undefined);
    db.close();
  });

  it('moves images with their captions to the Tagbench trash, and back on undo', async () => {
    const db = open();
    const result = applyBatch(root, db, planBatch(root, targets('bob'), { kind: 'trash' }, '.txt'));
    assert.equal(result.moved, 1);
    assert.equal(existsSync(join(root, 'c.png')), false);
    assert.equal(existsSync(join(root, 'c.txt')), false);
    assert.equal(searchImages(db, '', { limit: 0 }).total, 3);
    const trash = join(root, '.tagbench', 'trash');
    assert.deepEqual(readdirSync(join(trash, readdirSync(trash)[0]!)).sort(), ['c.png', 'c.txt']);
    undoLastBatch(root, db);
    db.close();
    assert.equal(readFileSync(join(root, 'c.txt'), 'utf8'), 'bob, smile\n');
    const summary = await indexDataset(root);
    assert.equal(summary.images, 4);
  });

  it('skips captions it cannot decode, naming them', () => {
    writeFileSync(join(root, 'b.txt'), Buffer.from([0x61, 0xff, 0x62]));
    const plan = planBatch(root, targets(''), { kind: 'addTags', tags: ['x'], position: 'end' }, '.txt');
    assert.deepEqual(
      plan.skipped.map((s) => s.path),
      ['b.txt'],
    );
    assert.match(plan.skipped[0]!.reason, /not valid UTF-8/);
  });

  describe('the index right after an undo and a redo, before any re-index', () => {
    it("holds the restored captions' tags (search results and tag counts)", () => {
      const db = open();
      try {
        const counts = (): Record<string, number> => Object.fromEntries(tagStats(db).tags.map((t) => [t.tag, t.count]));
        const before = counts();
        applyBatch(
          root,
          db,
          planBatch(
            root,
            targets('smile'),
            { kind: 'replaceTag', find: 'smile', replace: 'grin', regex: false },
            '.txt',
          ),
        );
        const after = counts();
        assert.deepEqual([after.smile, after.grin], [undefined, 2]);
        undoLastBatch(root, db);
        assert.deepEqual(counts(), before, 'tag counts are back');
        assert.deepEqual(
          searchImages(db, 'smile', { limit: 10 }).items.map((i) => i.path),
          ['a.png', 'c.png'],
        );
        assert.equal(searchImages(db, 'grin', { limit: 0 }).total, 0);
        redoLastBatch(root, db);
        assert.deepEqual(counts(), after, 'and follow the redo');
        assert.deepEqual(
          searchImages(db, 'grin', { limit: 10 }).items.map((i) => i.path),
          ['a.png', 'c.png'],
        );
        assert.equal(searchImages(db, 'smile', { limit: 0 }).total, 0);
      } finally {
        db.close();
      }
    });
  });

  describe('redo', () => {
    it('applies the batch undone last again, byte for byte, and a new batch clears it', () => {
      const db = open();
      try {
        const first = applyBatch(
          root,
          db,
          planBatch(root, targets(''), { kind: 'addTags', tags: ['one'], position: 'end' }, '.txt'),
        );
        const second = applyBatch(
          root,
          db,
          planBatch(root, targets(''), { kind: 'addTags', tags: ['two'], position: 'end' }, '.txt'),
        );
        const bothBytes = readFileSync(join(root, 'a.txt'));
        assert.equal(redoLastBatch(root, db), undefined, 'nothing undone: nothing to redo');
        undoLastBatch(root, db);
        undoLastBatch(root, db);
        assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFalice, smile\r\n'));
        assert.equal(redoLastBatch(root, db)!.id, first.id, 'the batch undone last comes back first');
        assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo, one');
        assert.equal(redoLastBatch(root, db)!.id, second.id);
        assert.ok(readFileSync(join(root, 'a.txt')).equals(bothBytes));
        assert.equal(redoLastBatch(root, db), undefined);

        undoLastBatch(root, db);
        applyBatch(
          root,
          db,
          planBatch(root, targets(''), { kind: 'addTags', tags: ['three'], position: 'end' }, '.txt'),
        );
        assert.equal(redoLastBatch(root, db), undefined, 'a new batch after an undo clears redo');
        assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo, one, three');
      } finally {
        db.close();
      }
    });

    it('leaves a caption changed since the undo alone, and moves trashed images out again', () => {
      const db = open();
      try {
        applyBatch(root, db, planBatch(root, targets('alice'), { kind: 'removeTags', tags: ['solo'] }, '.txt'));
        undoLastBatch(root, db);
        writeFileSync(join(root, 'b.txt'), 'edited after the undo');
        const redone = redoLastBatch(root, db)!;
        assert.deepEqual(redone.conflicts, [
          { path: 'b.txt', reason: 'changed on disk since the undo; left as it is' },
        ]);
        assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'edited after the undo');

        applyBatch(root, db, planBatch(root, targets('bob'), { kind: 'trash' }, '.txt'));
        undoLastBatch(root, db);
        assert.ok(existsSync(join(root, 'c.png')));
        const again = redoLastBatch(root, db)!;
        assert.equal(again.moved, 2);
        assert.equal(existsSync(join(root, 'c.png')), false);
        assert.equal(searchImages(db, 'bob', { limit: 0 }).total, 0, 'the index drops it again');
      } finally {
        db.close();
      }
    });
  });

  describe('line endings and captions of several lines', () => {
    it('keeps mixed CRLF and LF endings of untouched lines, and undo restores the exact bytes', () => {
      const mixed = Buffer.from('\uFEFFalice, smile\r\nbeard, hat\nsky\r\n', 'utf8');
      writeFileSync(join(root, 'a.txt'), mixed);
      const db = open();
      try {
        const plan = planBatch(root, targets('alice'), { kind: 'removeTags', tags: ['beard'] }, '.txt');
        assert.deepEqual(
          plan.captions.map((c) => [c.path, c.before, c.after]),
          [['a.txt', 'alice, smile\nbeard, hat\nsky\n', 'alice, smile\nhat\nsky\n']],
        );
        applyBatch(root, db, plan);
        assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFalice, smile\r\nhat\nsky\r\n', 'utf8'));
        assert.equal(searchImages(db, 'sky', { limit: 0 }).total, 1, 'a tag at the end of a line is a tag');
        undoLastBatch(root, db);
        assert.ok(readFileSync(join(root, 'a.txt')).equals(mixed), 'byte for byte');
        redoLastBatch(root, db);
        assert.deepEqual(readFileSync(join(root, 'a.txt')), Buffer.from('\uFEFFalice, smile\r\nhat\nsky\r\n', 'utf8'));
      } finally {
        db.close();
      }
    });

    it('edits each line of a caption of several lines', () => {
      writeFileSync(join(root, 'c.txt'), 'bob, smile\r\nbob at the beach\r\n');
      const db = open();
      try {
        applyBatch(root, db, planBatch(root, targets('bob'), { kind: 'setPrefix', prefix: 'ohwx' }, '.txt'));
        assert.equal(readFileSync(join(root, 'c.txt'), 'utf8'), 'ohwx, bob, smile\r\nohwx, bob at the beach\r\n');
      } finally {
        db.close();
      }
    });

    it('still undoes a journal entry written before exact bytes were journalled', async () => {
      writeFileSync(join(root, 'b.txt'), 'alice, solo, old batch\r\n');
      const journal = join(root, '.tagbench', 'journal');
      mkdirSync(journal, { recursive: true });
      writeFileSync(
        join(journal, '20260101-000000000-0000-abcdef.json'),
        JSON.stringify({
          tagbench: 1,
          id: '20260101-000000000-0000-abcdef',
          at: '2026-01-01T00:00:00.000Z',
          summary: 'Add "old batch" to 1 image',
          status: 'applied',
          captions: [
            { path: 'b.txt', before: 'alice, solo\n', after: 'alice, solo, old batch\n', bom: false, eol: '\r\n' },
          ],
          moves: [],
        }),
      );
      const db = open();
      try {
        const undone = undoLastBatch(root, db)!;
        assert.deepEqual([undone.changed, undone.conflicts.length], [1, 0]);
        assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'alice, solo\r\n');
      } finally {
        db.close();
      }
    });
  });

  describe('symbolic links', () => {
    it('edits the target of a caption linked inside the dataset: the link stays a link, on apply and undo', () => {
      mkdirSync(join(root, 'shared'));
      writeFileSync(join(root, 'shared', 'b-caption.txt'), 'alice, solo');
      rmSync(join(root, 'b.txt'));
      symlinkSync('shared/b-caption.txt', join(root, 'b.txt'));
      const db = open();
      try {
        const result = applyBatch(
          root,
          db,
          planBatch(root, targets('alice'), { kind: 'addTags', tags: ['linked'], position: 'end' }, '.txt'),
        );
        assert.deepEqual(result.conflicts, []);
        assert.ok(lstatSync(join(root, 'b.txt')).isSymbolicLink());
        assert.equal(readlinkSync(join(root, 'b.txt')), 'shared/b-caption.txt');
        assert.equal(readFileSync(join(root, 'shared', 'b-caption.txt'), 'utf8'), 'alice, solo, linked');
        undoLastBatch(root, db);
        assert.ok(lstatSync(join(root, 'b.txt')).isSymbolicLink(), 'undo keeps the link too');
        assert.equal(readFileSync(join(root, 'shared', 'b-caption.txt'), 'utf8'), 'alice, solo');
      } finally {
        db.close();
      }
    });

    it('never writes through a caption linked outside the dataset: it is skipped, with the reason, on plan, apply and undo', () => {
      const outside = makeTempDir();
      writeFileSync(join(outside, 'elsewhere.txt'), 'alice, solo');
      rmSync(join(root, 'b.txt'));
      symlinkSync(join(outside, 'elsewhere.txt'), join(root, 'b.txt'));
      const db = open();
      try {
        const plan = planBatch(root, targets('alice'), { kind: 'addTags', tags: ['x'], position: 'end' }, '.txt');
        assert.deepEqual(
          plan.skipped.map((s) => s.path),
          ['b.txt'],
        );
        assert.match(
          plan.skipped[0]!.reason,
          /^is a symbolic link to .*elsewhere\.txt, outside the dataset; Tagbench does not write outside the dataset$/,
        );
        const result = applyBatch(root, db, plan);
        assert.deepEqual(
          result.conflicts.map((c) => c.path),
          ['b.txt'],
        );
        assert.equal(readFileSync(join(outside, 'elsewhere.txt'), 'utf8'), 'alice, solo');
        assert.ok(lstatSync(join(root, 'b.txt')).isSymbolicLink());
        assert.equal(
          readFileSync(join(root, 'a.txt'), 'utf8'),
          '\uFEFFalice, smile, x\r\n',
          'the other captions are edited',
        );
      } finally {
        db.close();
      }
    });

    it('never writes into a folder linked outside the dataset, nor moves files out of it', async () => {
      const outside = makeTempDir();
      await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 1, g: 2, b: 3 } } })
        .png()
        .toFile(join(outside, 'e.png'));
      writeFileSync(join(outside, 'e.txt'), 'alice, outside');
      symlinkSync(outside, join(root, 'linked'));
      await indexDataset(root);
      const db = open();
      try {
        const plan = planBatch(root, targets('alice'), { kind: 'addTags', tags: ['x'], position: 'end' }, '.txt');
        assert.deepEqual(
          plan.skipped.map((s) => s.path),
          ['linked/e.txt'],
        );
        assert.match(
          plan.skipped[0]!.reason,
          /^is in a linked folder that leads outside the dataset \(to .*\); Tagbench does not write outside the dataset$/,
        );
        applyBatch(root, db, plan);
        assert.equal(readFileSync(join(outside, 'e.txt'), 'utf8'), 'alice, outside');
        const trash = planBatch(root, targets('outside'), { kind: 'trash' }, '.txt');
        assert.deepEqual([trash.trash.length, trash.skipped.map((s) => s.path)], [0, ['linked/e.png']]);
        assert.ok(existsSync(join(outside, 'e.png')));
      } finally {
        db.close();
      }
    });

    it('undo follows the same rule: a caption that became a link outside the dataset is left alone', () => {
      const db = open();
      try {
        applyBatch(
          root,
          db,
          planBatch(root, targets('solo'), { kind: 'addTags', tags: ['x'], position: 'end' }, '.txt'),
        );
        const outside = makeTempDir();
        writeFileSync(join(outside, 'b.txt'), 'alice, solo, x');
        rmSync(join(root, 'b.txt'));
        symlinkSync(join(outside, 'b.txt'), join(root, 'b.txt'), 'file');
        const undone = undoLastBatch(root, db)!;
        assert.deepEqual(
          undone.conflicts.map((c) => c.path),
          ['b.txt'],
        );
        assert.match(undone.conflicts[0]!.reason, /outside the dataset/);
        assert.equal(readFileSync(join(outside, 'b.txt'), 'utf8'), 'alice, solo, x');
      } finally {
        db.close();
      }
    });
  });
});
