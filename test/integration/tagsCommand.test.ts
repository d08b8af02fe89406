import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { applyBatch, planBatch } from '../../src/core/edits/batchEdit.ts';
import { parseTagRules } from '../../src/core/tags/tagRules.ts';
import { formatSidecar } from '../../src/core/sidecar/sidecar.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { runCli } from '../helpers/runCli.ts';

interface BatchJson {
  dryRun: boolean;
  batch: string | null;
  summary: string;
  changed: number;
  unchanged: number;
  conflicts: number;
  skipped: number;
  sidecars?: number;
  problems: { path: string; reason: string }[];
  changes?: { path: string; before: string | null; after: string }[];
}

const CAPTIONS: Record<string, string | Buffer> = {
  'a.txt': '\uFEFFalice, Blue_Eyes, smile\r\n',
  'b.txt': 'alice, solo, blue eyes, watermark',
  'c.txt': 'bob, smile, blue eyes, longhair, smile\n',
  'd.txt': Buffer.from([0x61, 0xff, 0xfe, 0x2c, 0x20, 0x62]),
};

describe('tagbench tags and undo, run as a process', function () {
  this.timeout(120_000);
  let root: string;
  const read = (name: string): Buffer => readFileSync(join(root, name));
  const tags = async (...args: string[]): Promise<{ code: number; json: BatchJson; stderr: string }> => {
    const result = await runCli(['tags', root, ...args, '--json']);
    assert.equal(result.stderr.includes('\n    at '), false, result.stderr);
    return { code: result.code, json: JSON.parse(result.stdout || 'null') as BatchJson, stderr: result.stderr };
  };

  beforeEach(async () => {
    root = makeTempDir();
    for (const [i, name] of ['a', 'b', 'c', 'd', 'e'].entries()) {
      await sharp({ create: { width: 24 + i, height: 24, channels: 3, background: { r: i * 50, g: 20, b: 90 } } })
        .png()
        .toFile(join(root, `${name}.png`));
    }
    for (const [name, text] of Object.entries(CAPTIONS)) writeFileSync(join(root, name), text);
    writeFileSync(
      join(root, 'a.tagbench.json'),
      formatSidecar({
        tagbench: 1,
        image: { sha256: '0'.repeat(64) },
        tags: [
          { name: 'alice', source: 'user' },
          { name: 'blue_eyes', source: 'model:wd', confidence: 0.9, status: 'accepted' },
          { name: 'smile', source: 'model:wd', confidence: 0.8, status: 'accepted' },
        ],
      }),
    );
    const indexed = await runCli(['index', root, '--no-thumbs', '--json']);
    assert.equal(indexed.code, 0, indexed.stderr);
  });
  afterEach(removeTempDirs);

  it('previews with --dry-run and writes nothing', async () => {
    const before = snapshotFiles(root);
    const { code, json } = await tags('normalize', '--dry-run');
    assert.equal(code, 0);
    assert.equal(json.dryRun, true);
    assert.equal(json.batch, null);
    assert.deepEqual([json.changed, json.unchanged, json.conflicts, json.skipped], [2, 2, 0, 1]);
    assert.deepEqual(
      json.changes?.map((c) => [c.path, c.after]),
      [
        ['a.txt', 'alice, blue eyes, smile\n'],
        ['c.txt', 'bob, smile, blue eyes, longhair\n'],
      ],
    );
    assert.deepEqual(snapshotFiles(root), before);
    assert.equal(existsSync(join(root, '.tagbench', 'journal')), false);

    const human = await runCli(['tags', root, 'rename', 'smile', 'grin', '--dry-run']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^a\.txt: smile -> grin$/m);
    assert.match(human.stdout, /would change, .*nothing was written\.$/m);
    assert.deepEqual(snapshotFiles(root), before);
  });

  it("renames, then undo restores every byte (BOM and CRLF too) and the sidecar's tags", async () => {
    const before = { a: read('a.txt'), b: read('b.txt'), c: read('c.txt'), sidecar: read('a.tagbench.json') };
    const { code, json } = await tags('rename', 'blue eyes', 'aqua_eyes');
    assert.equal(code, 0);
    assert.match(json.batch ?? '', /^\d{8}-/);
    assert.deepEqual([json.changed, json.unchanged, json.conflicts, json.skipped, json.sidecars], [3, 1, 0, 1, 1]);
    assert.equal(read('a.txt').toString('utf8'), '\uFEFFalice, aqua_eyes, smile\r\n');
    assert.equal(read('b.txt').toString('utf8'), 'alice, solo, aqua_eyes, watermark');
    const sidecar = JSON.parse(read('a.tagbench.json').toString('utf8')) as {
      tags: { name: string; source: string }[];
    };
    assert.deepEqual(
      sidecar.tags.map((t) => [t.name, t.source]),
      [
        ['alice', 'user'],
        ['aqua_eyes', 'user'],
        ['smile', 'model:wd'],
      ],
    );
    const search = JSON.parse((await runCli(['search', root, 'aqua_eyes', '--json'])).stdout) as { total: number };
    assert.equal(search.total, 3, 'the index follows');

    const undo = await runCli(['undo', root, '--json']);
    assert.equal(undo.code, 0, undo.stderr);
    const undone = JSON.parse(undo.stdout) as { batch: string; changed: number; conflicts: number };
    assert.equal(undone.batch, json.batch);
    assert.equal(undone.changed, 3);
    assert.ok(read('a.txt').equals(before.a));
    assert.ok(read('b.txt').equals(before.b));
    assert.ok(read('c.txt').equals(before.c));
    assert.ok(
      read('a.tagbench.json').equals(before.sidecar),
      'the sidecar is back as it was, model provenance included',
    );

    const again = await runCli(['undo', root]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /no batch edit to undo/);
  });

  it("restricts a batch to a query's images", async () => {
    const { json } = await tags('rename', 'smile', 'grin', 'bob');
    assert.equal(json.changed, 1);
    assert.equal(read('c.txt').toString('utf8'), 'bob, grin, blue eyes, longhair\n');
    assert.equal(read('a.txt').toString('utf8'), CAPTIONS['a.txt']);
  });

  it('does not undo over a caption changed after the batch', async () => {
    await tags('rename', 'solo', 'alone');
    writeFileSync(join(root, 'b.txt'), 'edited by hand');
    const undo = await runCli(['undo', root]);
    assert.equal(undo.code, 1);
    assert.match(undo.stderr, /^tagbench: b\.txt changed on disk after the batch; left as it is\.$/m);
    assert.equal(read('b.txt').toString('utf8'), 'edited by hand');
  });

  it('applies JSON rules', async () => {
    const rules = join(makeTempDir(), 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        blacklist: ['watermark'],
        aliases: { longhair: 'long hair' },
        implications: { 'long hair': ['hair'] },
        trigger: 'ohwx',
        sort: 'frequency',
      }),
    );
    const { code, json } = await tags('apply-rules', rules);
    assert.equal(code, 0);
    assert.match(json.summary, /^Apply tag rules from rules\.json to 5 images$/);
    assert.equal(json.changed, 4);
    assert.equal(
      read('b.txt').toString('utf8'),
      'ohwx, blue eyes, alice, solo',
      'blue eyes is on 3 images, alice on 2, solo on 1',
    );
    assert.equal(read('c.txt').toString('utf8'), 'ohwx, blue eyes, smile, bob, long hair, hair\n');
    assert.equal(read('e.txt').toString('utf8'), 'ohwx', 'an image without a caption gets one');
    const undo = await runCli(['undo', root, '--json']);
    assert.equal(undo.code, 0);
    assert.equal(existsSync(join(root, 'e.txt')), false, 'and loses it on undo');
  });

  it("applies a tagcomplete CSV's aliases in each caption's style", async () => {
    const csv = join(makeTempDir(), 'danbooru.csv');
    writeFileSync(
      csv,
      'name,type,count,aliases\r\nlong_hair,0,100,"longhair,long-hair"\r\nblue_eyes,0,90,"blue_eye"\r\n',
    );
    const { code, json } = await tags('apply-rules', csv);
    assert.equal(code, 0);
    assert.equal(json.changed, 1);
    assert.equal(read('c.txt').toString('utf8'), 'bob, smile, blue eyes, long hair\n');
  });

  it('accepts suggestions above a confidence and rejects the rest of one model, each an undoable batch', async () => {
    writeFileSync(
      join(root, 'e.tagbench.json'),
      formatSidecar({
        tagbench: 1,
        image: { sha256: '0'.repeat(64) },
        tags: [
          { name: 'red_scarf', source: 'model:wd', confidence: 0.72, status: 'suggested' },
          { name: 'blurry', source: 'model:wd', confidence: 0.21, status: 'suggested' },
          { name: 'outdoors', source: 'model:gpt', status: 'suggested' },
        ],
      }),
    );
    assert.equal((await runCli(['index', root, '--no-thumbs'])).code, 0);
    const sidecarBefore = read('e.tagbench.json');

    const dry = await runCli(['tags', root, 'accept', '--min', '0.5', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^e\.txt: accept red_scarf$/m);
    assert.ok(read('e.tagbench.json').equals(sidecarBefore), 'a dry run writes nothing');

    const accepted = await tags('accept', '--min', '0.5', 'has:suggestions');
    assert.deepEqual([accepted.code, accepted.json.changed, accepted.json.sidecars], [0, 1, 1]);
    assert.equal(read('e.txt').toString('utf8'), 'red scarf\n');
    const rejected = await tags('reject', '--model', 'wd', '--below', '0.5');
    assert.deepEqual([rejected.code, rejected.json.changed], [0, 1]);
    const statuses = JSON.parse(read('e.tagbench.json').toString('utf8')) as {
      tags: { name: string; status: string }[];
    };
    assert.deepEqual(
      statuses.tags.map((t) => [t.name, t.status]),
      [
        ['red_scarf', 'accepted'],
        ['blurry', 'rejected'],
        ['outdoors', 'suggested'],
      ],
    );
    const search = JSON.parse((await runCli(['search', root, 'has:suggestions', '--json'])).stdout) as {
      total: number;
    };
    assert.equal(search.total, 1, 'outdoors still waits for review');

    assert.equal((await runCli(['undo', root])).code, 0);
    assert.equal((await runCli(['undo', root])).code, 0);
    assert.ok(read('e.tagbench.json').equals(sidecarBefore), 'both undone: the sidecar as it was');
    assert.equal(existsSync(join(root, 'e.txt')), false, 'and the caption the accept created is gone again');
  });

  for (const [name, args, pattern] of [
    ['an unknown action', ['frobnicate'], /Unknown tags action "frobnicate"/],
    ['a missing NEW', ['rename', 'a'], /needs NEW/],
    ['a missing rules file', ['apply-rules', '/nonexistent/rules.json'], /rules\.json does not exist\./],
    ['a bad rules file', ['apply-rules', 'BAD_JSON'], /line 2: sort must be one of/],
    ['a bad CSV', ['apply-rules', 'BAD_CSV'], /line 2: the type "x" is not a number/],
    ['a confidence out of range', ['accept', '--min', '1.5'], /--min must be a number from 0 to 1, not "1\.5"/],
  ] as const) {
    it(`fails on ${name} with one sentence and exit 2`, async () => {
      const dir = makeTempDir();
      writeFileSync(join(dir, 'bad.json'), '{\n "sort": "size" }');
      writeFileSync(join(dir, 'bad.csv'), 'a,0\nb,x\n');
      const result = await runCli([
        'tags',
        root,
        ...args.map((a) => a.replace('BAD_JSON', join(dir, 'bad.json')).replace('BAD_CSV', join(dir, 'bad.csv'))),
      ]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^tagbench: /);
      assert.match(result.stderr, pattern);
    });
  }

  it('reports a caption changed on disk between plan and apply as a conflict, and leaves it', () => {
    const db = openIndexDatabase(join(root, '.tagbench', 'index.db')).db;
    try {
      const targets = searchImages(db, '', { limit: 100 }).items.map((i) => ({ id: i.id, path: i.path }));
      const plan = planBatch(
        root,
        targets,
        { kind: 'applyRules', rules: parseTagRules('{ "trigger": "ohwx" }') },
        '.txt',
      );
      writeFileSync(join(root, 'b.txt'), 'changed meanwhile');
      const result = applyBatch(root, db, plan);
      assert.deepEqual(
        result.conflicts.filter((c) => c.path === 'b.txt').map((c) => c.reason),
        ['changed on disk since it was read; left as it is'],
      );
      assert.equal(read('b.txt').toString('utf8'), 'changed meanwhile');
      assert.equal(read('c.txt').toString('utf8'), 'ohwx, bob, smile, blue eyes, longhair\n');
    } finally {
      db.close();
    }
  });
});
