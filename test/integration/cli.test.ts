import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSample } from '../sample/sampleDataset.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli, runCliIntoClosedPipe } from '../helpers/runCli.ts';

describe('the tagbench CLI, run as a process', function () {
  this.timeout(120_000);
  let root: string;

  before(async () => {
    root = join(makeTempDir(), 'dataset');
    await generateSample(root, { count: 40, seed: 5 });
    writeFileSync(join(root, 'broken.png'), 'not really a png');
  });
  after(removeTempDirs);

  it('indexes with a JSON summary and exits 0 although a file has a problem', async () => {
    const result = await runCli(['index', root, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.images, 40);
    assert.equal(summary.new, 40);
    assert.ok(summary.errors >= 1);
    assert.ok(existsSync(join(root, '.tagbench', 'index.db')));
  });

  it('prints a human summary without --json', async () => {
    const result = await runCli(['index', root]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^40 images, 0 new, 0 changed, 0 removed, \d+ problems/);
  });

  it('searches with the documented JSON shape', async () => {
    const result = await runCli(['search', root, '', '--json', '--limit', '500']);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as {
      total: number;
      items: { path: string; width: number; height: number; caption: string | null; tags: string[] }[];
    };
    assert.equal(out.total, 40);
    assert.equal(out.items.length, 40);
    for (const item of out.items) {
      assert.deepEqual(Object.keys(item).sort(), ['caption', 'height', 'path', 'tags', 'width']);
      assert.ok(!item.path.startsWith('/') && !item.path.includes('\\'), item.path);
      assert.ok(item.width > 0 && item.height > 0);
      assert.ok(Array.isArray(item.tags));
    }
    assert.ok(out.items.some((i) => i.path.startsWith('10_alice/')));
  });

  it('takes negations and fields as arguments without quoting, and pages with --offset', async () => {
    const all = JSON.parse((await runCli(['search', root, 'folder:10_alice', '--json'])).stdout) as {
      total: number;
      items: { path: string; tags: string[] }[];
    };
    assert.ok(all.total > 0);
    assert.ok(all.items.every((i) => i.path.startsWith('10_alice/')));
    const without = JSON.parse((await runCli(['search', root, 'folder:10_alice', '-solo', '--json'])).stdout) as {
      total: number;
      items: { tags: string[] }[];
    };
    assert.ok(without.items.every((i) => !i.tags.includes('solo')));
    assert.equal(without.total, all.items.filter((i) => !i.tags.includes('solo')).length);
    const page = JSON.parse(
      (await runCli(['search', root, 'folder:10_alice', '--json', '--limit', '2', '--offset', '1'])).stdout,
    ) as { items: { path: string }[] };
    assert.deepEqual(
      page.items.map((i) => i.path),
      all.items.slice(1, 3).map((i) => i.path),
    );
  });

  it('names the closest tags when a term matches nothing, on stderr and in the JSON', async () => {
    const human = await runCli(['search', root, 'soloo']);
    assert.equal(human.code, 0);
    assert.equal(human.stdout, '');
    assert.match(human.stderr, /^0 images match\.\nNo images have "soloo"; did you mean "solo" \(\d+\)/);
    const json = JSON.parse((await runCli(['search', root, 'soloo', '--json'])).stdout) as {
      total: number;
      unmatched: { term: string; suggestions: { tag: string }[] }[];
    };
    assert.equal(json.total, 0);
    assert.equal(json.unmatched[0]?.term, 'soloo');
    assert.equal(json.unmatched[0]?.suggestions[0]?.tag, 'solo');
    const found = JSON.parse((await runCli(['search', root, 'solo', '--json'])).stdout) as object;
    assert.ok(!('unmatched' in found), 'a query with results has no unmatched field');
  });

  it('counts tags with stats, over everything and over a query', async () => {
    const all = JSON.parse((await runCli(['stats', root, '--json'])).stdout) as {
      images: number;
      tags: { tag: string; count: number }[];
    };
    assert.equal(all.images, 40);
    for (let i = 1; i < all.tags.length; i++)
      assert.ok(all.tags[i - 1]!.count >= all.tags[i]!.count, 'most frequent first');
    const alice = JSON.parse((await runCli(['stats', root, 'folder:10_alice', '--json'])).stdout) as {
      images: number;
      tags: { tag: string; count: number }[];
    };
    const results = JSON.parse(
      (await runCli(['search', root, 'folder:10_alice', '--json', '--limit', '100'])).stdout,
    ) as { total: number; items: { tags: string[] }[] };
    assert.equal(alice.images, results.total);
    const counted = new Map<string, number>();
    for (const item of results.items)
      for (const tag of new Set(item.tags)) counted.set(tag, (counted.get(tag) ?? 0) + 1);
    assert.deepEqual(new Map(alice.tags.map((t) => [t.tag, t.count])), counted);
    assert.ok(
      alice.tags.slice(0, 3).some((t) => t.tag === 'alice'),
      'the trigger word is among the most frequent',
    );
  });

  it('lists problems as JSON', async () => {
    const out = JSON.parse((await runCli(['problems', root, '--json'])).stdout) as {
      problems: { path: string; kind: string; message: string }[];
    };
    const broken = out.problems.find((p) => p.path === 'broken.png');
    assert.ok(broken);
    assert.equal(broken.kind, 'not-an-image');
    assert.ok(broken.message.length > 10);
  });

  it('rebuilds the index from the files', async () => {
    const before = JSON.parse((await runCli(['search', root, '', '--json', '--limit', '100'])).stdout);
    const result = await runCli(['rebuild', root, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).new, 40);
    assert.deepEqual(JSON.parse((await runCli(['search', root, '', '--json', '--limit', '100'])).stdout), before);
  });

  for (const [name, args, pattern] of [
    ['a missing folder', () => ['index', join(root, 'nope')], /does not exist\./],
    ['a system folder', () => ['index', '/usr'], /Refusing to index \/usr: .*--force/],
    ['too many files', () => ['index', root, '--max-files', '5'], /more than 5 files/],
    ['a malformed query', () => ['search', root, 'smile (blue'], /Missing "\)" for "\(" at column 7/],
    ['an unknown field', () => ['search', root, 'widht>=3'], /Unknown field "widht"/],
    ['an unknown option', () => ['search', root, '--limt', '3'], /Unknown option --limt/],
    ['an unknown command', () => ['serach', root], /Unknown command "serach"/],
    ['a folder without an index', () => ['search', makeTempDir()], /no Tagbench index yet; run "tagbench index/],
  ] as const) {
    it(`fails on ${name} with one clear sentence on stderr and a non-zero exit`, async () => {
      const result = await runCli(args());
      assert.notEqual(result.code, 0);
      assert.equal(result.stdout, '');
      assert.match(result.stderr.split('\n')[0]!, /^tagbench: /);
      assert.match(result.stderr, pattern);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  for (const args of [
    ['search', '', '--limit', '500'],
    ['search', '', '--json'],
    ['tags', 'normalize', '--dry-run'],
    ['stats'],
    ['--help'],
  ]) {
    it(`exits quietly when the reader of its output goes away: ${args.join(' ')} | head`, async () => {
      const argv = args[0] === '--help' ? args : [args[0]!, root, ...args.slice(1)];
      const result = await runCliIntoClosedPipe(argv, 'stdout');
      const normal = await runCli(argv);
      assert.ok(normal.stdout.length > 0);
      // The same exit code and stderr as with a reader (no EPIPE, no stack trace).
      assert.deepEqual(
        { code: result.code, signal: result.signal, stderr: result.other },
        { code: 0, signal: null, stderr: normal.stderr },
      );
      assert.doesNotMatch(result.other, /EPIPE|\n\s+at /);
    });
  }

  it('exits with its own code when stderr is closed too', async () => {
    const result = await runCliIntoClosedPipe(['search', join(root, 'missing'), 'x'], 'stderr');
    assert.deepEqual(
      { code: result.code, signal: result.signal, stdout: result.other },
      { code: 2, signal: null, stdout: '' },
    );
  });

  it('prints a stack trace with --debug', async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, '.tagbench'));
    writeFileSync(join(dir, '.tagbench', 'dataset.json'), '{ not json');
    const result = await runCli(['index', dir, '--debug']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dataset\.json is not valid JSON/);
    assert.match(result.stderr, /\n\s+at /);
  });
});
