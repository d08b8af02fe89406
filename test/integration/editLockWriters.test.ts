/** Writers other than batches (annotation results, editor saves) take the dataset's edit lock and follow the link rule. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyAnnotation } from '../../src/core/annotate/annotationFiles.ts';
import { DEFAULT_MERGE } from '../../src/core/annotate/mergeAnnotation.ts';
import type { AnnotationResult } from '../../src/core/annotate/annotator.ts';
import { CaptionChangedError, saveCaption } from '../../src/core/caption/captionSave.ts';
import { closeEditLocks } from '../../src/core/edits/editLock.ts';
import { formatSidecar, parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const HOLDER = fileURLToPath(new URL('../fixtures/locks/holdEditLock.ts', import.meta.url));

/** A child process holding the dataset's edit lock for `ms`; resolves once it holds it. */
function holdInProcess(root: string, ms: number): Promise<{ exited: Promise<void> }> {
  const child = spawn(process.execPath, [HOLDER, root, String(ms), 'tagbench tags rename'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.setEncoding('utf8').once('data', () => resolve({ exited }));
  });
}

const result: AnnotationResult = {
  model: 'tagger:test',
  version: '1',
  kind: 'tags',
  params: {},
  at: '2026-01-01T00:00:00.000Z',
  tags: [{ name: 'red_scarf', category: 'general', confidence: 0.9 }],
};

describe('other writers under the edit lock', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
    writeFileSync(join(root, 'a.txt'), 'alice, smile\r\n');
    writeFileSync(
      join(root, 'a.tagbench.json'),
      formatSidecar({
        tagbench: 1,
        image: { sha256: '0'.repeat(64) },
        tags: [
          { name: 'alice', source: 'user' },
          { name: 'smile', source: 'user' },
        ],
      }),
    );
  });
  afterEach(() => {
    closeEditLocks();
    removeTempDirs();
  });

  it('an annotation result waits while another process holds the lock, then merges into the caption as it is', async () => {
    const holder = await holdInProcess(root, 800);
    const started = performance.now();
    const applied = applyAnnotation(
      { root, path: 'a.png', sha256: '0'.repeat(64), captionExtension: '.txt' },
      result,
      DEFAULT_MERGE,
    );
    assert.ok(performance.now() - started >= 300, 'it waited for the holder');
    assert.deepEqual(applied.added, ['red scarf']);
    assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'alice, smile, red scarf\r\n');
    await holder.exited;
  });

  it('an annotation result is refused for a caption linked outside the dataset', () => {
    const outside = makeTempDir();
    writeFileSync(join(outside, 'a.txt'), 'alice');
    rmSync(join(root, 'a.txt'));
    symlinkSync(join(outside, 'a.txt'), join(root, 'a.txt'));
    assert.throws(
      () =>
        applyAnnotation(
          { root, path: 'a.png', sha256: '0'.repeat(64), captionExtension: '.txt' },
          result,
          DEFAULT_MERGE,
        ),
      /^OutsideDatasetError: a\.txt is a symbolic link to .*, outside the dataset; Tagbench does not write outside the dataset\.$/,
    );
    assert.equal(readFileSync(join(outside, 'a.txt'), 'utf8'), 'alice');
  });

  it("an editor save waits without blocking, writes the caption in its own style with the sidecar's tags, then the rest of the save", async () => {
    const holder = await holdInProcess(root, 600);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const order: string[] = [];
    try {
      const saved = await saveCaption({
        root,
        captionFile: join(root, 'a.txt'),
        sidecarFile: join(root, 'a.tagbench.json'),
        text: 'alice, smile, hat\n',
        style: { bom: false, eol: '\n' },
        expected: Buffer.from('alice, smile\r\n'),
        alsoWrite: () => order.push('review statuses'),
      });
      assert.deepEqual(saved, Buffer.from('alice, smile, hat\r\n'));
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 10, `the thread went on meanwhile (${ticks} ticks)`);
    assert.deepEqual(order, ['review statuses']);
    assert.deepEqual(
      parseSidecar(readFileSync(join(root, 'a.tagbench.json'))).tags!.map((t) => t.name),
      ['alice', 'smile', 'hat'],
    );
    await holder.exited;
  });

  it('an editor save never overwrites a caption changed since it was read, and keeps a caption link a link', async () => {
    writeFileSync(join(root, 'a.txt'), 'changed by a batch\n');
    await assert.rejects(
      saveCaption({
        root,
        captionFile: join(root, 'a.txt'),
        sidecarFile: join(root, 'a.tagbench.json'),
        text: 'mine\n',
        style: { bom: false, eol: '\n' },
        expected: Buffer.from('alice, smile\r\n'),
      }),
      (err: Error) => err instanceof CaptionChangedError && err.now?.toString() === 'changed by a batch\n',
    );
    assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'changed by a batch\n');

    writeFileSync(join(root, 'shared.txt'), 'alice\n');
    rmSync(join(root, 'a.txt'));
    symlinkSync('shared.txt', join(root, 'a.txt'));
    await saveCaption({
      root,
      captionFile: join(root, 'a.txt'),
      sidecarFile: join(root, 'a.tagbench.json'),
      text: 'alice, hat\n',
      style: { bom: false, eol: '\n' },
      expected: Buffer.from('alice\n'),
    });
    assert.ok(lstatSync(join(root, 'a.txt')).isSymbolicLink());
    assert.equal(readFileSync(join(root, 'shared.txt'), 'utf8'), 'alice, hat\n');
  });
});
