/**
 * Temporary files of atomic writes that a crash left behind: the next index run removes ours (only
 * those a live writer cannot be using), never anything else, and never indexes them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { scanFolder } from '../../src/core/dataset/scanFolder.ts';
import { hostTag } from '../../src/core/processIdentity.ts';
import { deadPid } from '../helpers/processes.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const atomicWrite = new URL('../../src/core/atomicWrite.ts', import.meta.url).href;

function hidden(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('.') && n.endsWith('.tmp'))
    .sort();
}

describe('stray temporary files', function () {
  this.timeout(60_000);
  let root: string;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#884422' } })
      .png()
      .toFile(join(root, 'a.png'));
    writeFileSync(join(root, 'a.txt'), 'a caption\n');
    await indexDataset(root);
  });
  after(removeTempDirs);

  it('a writer killed with SIGKILL mid-write leaves a temporary file; the next index run removes it and never indexes it', async () => {
    const target = join(root, 'a.txt');
    const code = `import(${JSON.stringify(atomicWrite)}).then(({ writeFileAtomic }) => {
      const data = Buffer.alloc(16 << 20, 0x61);
      for (;;) writeFileAtomic(${JSON.stringify(target)}, data);
    })`;
    let left: string[] = [];
    for (let trial = 0; trial < 5 && left.length === 0; trial++) {
      const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 10_000;
      while (hidden(root).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      child.kill('SIGKILL');
      await exited;
      left = hidden(root);
    }
    assert.equal(left.length, 1, 'the killed writer left its temporary file');
    const scan = scanFolder(root, { captionExtension: '.txt', exclude: [], maxFiles: 1000 });
    assert.deepEqual(
      scan.images.map((f) => f.path),
      ['a.png'],
    );
    assert.deepEqual([...scan.captions.keys()], ['a.txt'], 'the temporary file is not a caption');
    const summary = await indexDataset(root);
    assert.deepEqual(hidden(root), [], 'removed by the next index run');
    assert.equal(summary.tempFilesRemoved, 1);
    assert.equal(summary.images, 1);
    writeFileSync(target, 'a caption\n');
  });

  it('removes only its own temporary files of dead writers, or old ones, in the dataset and in .tagbench/', async () => {
    const dead = await deadPid();
    const tag = hostTag();
    const sub = join(root, 'sub');
    mkdirSync(sub, { recursive: true });
    const journal = join(root, '.tagbench', 'journal');
    mkdirSync(journal, { recursive: true });
    const thumbs = join(root, '.tagbench', 'cache', 'thumbs', 'ab');
    mkdirSync(thumbs, { recursive: true });
    const twoDaysAgo = (Date.now() - 48 * 3600_000) / 1000;
    const files: Record<string, { old?: boolean; removed: boolean }> = {
      [join(root, `.a.txt.${tag}-${process.pid}-0011aabb.tmp`)]: { removed: false },
      [join(root, `.a.txt.${tag}-${dead}-0011aabb.tmp`)]: { removed: true },
      [join(sub, `.b.tagbench.json.${tag}-${dead}-22ccdd33.tmp`)]: { removed: true },
      [join(journal, `.17.json.${tag}-${dead}-44556677.tmp`)]: { removed: true },
      [join(thumbs, `.${'ab'.padEnd(64, '0')}-256.webp.${tag}-${dead}-8899aabb.tmp`)]: { removed: true },
      [join(root, `.a.txt.0badf00d-${dead}-0011aabb.tmp`)]: { removed: false },
      [join(root, `.a.txt.0badf00d-${dead}-0022aabb.tmp`)]: { old: true, removed: true },
      [join(root, '.a.txt.0123456789ab.tmp')]: { removed: false },
      [join(root, '.a.txt.0123456789cd.tmp')]: { old: true, removed: true },
      [join(root, '.notes.tmp')]: { old: true, removed: false },
      [join(root, '.a.txt.zz.tmp')]: { old: true, removed: false },
      [join(root, 'a.txt.0123456789ef.tmp')]: { old: true, removed: false },
      [join(root, `.a.txt.${tag}-${dead}-0011aabb.tmp.keep`)]: { old: true, removed: false },
    };
    for (const [file, how] of Object.entries(files)) {
      writeFileSync(file, 'partial');
      if (how.old) utimesSync(file, twoDaysAgo, twoDaysAgo);
    }
    // An image added: this run makes a thumbnail, so it sweeps .tagbench/ too.
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#224488' } })
      .png()
      .toFile(join(root, 'b.png'));
    const summary = await indexDataset(root);
    for (const [file, how] of Object.entries(files))
      assert.equal(existsSync(file), !how.removed, `${file} ${how.removed ? 'removed' : 'kept'}`);
    assert.equal(summary.tempFilesRemoved, Object.values(files).filter((f) => f.removed).length);
  });
});
