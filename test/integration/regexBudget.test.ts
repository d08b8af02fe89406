/**
 * A catastrophic regular expression sent as the gallery sends it (a replaceTag batch with regex: true)
 * to the real data worker: the preview fails with a clear error naming the caption, in well under a
 * second, and the worker goes on answering. Without a time bound the worker never answers.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RpcEndpoint } from '../../src/protocol/rpc.ts';
import type { DataWorkerApi, DataWorkerEvents } from '../../src/protocol/dataProtocol.ts';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { generateSample } from '../sample/sampleDataset.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

/** Long enough for `(a+)+$` to backtrack for hours. */
const CATASTROPHIC = `${'a'.repeat(60)}!`;
/** What the test waits for an answer before calling the worker frozen. */
const FROZEN_MS = 5000;

describe('a regular expression from the gallery in the data worker', function () {
  this.timeout(60_000);
  let root: string;
  let worker: Worker;
  let rpc: RpcEndpoint<DataWorkerEvents, DataWorkerApi>;
  let victim: string;

  /** The request's answer, or a rejection when the worker does not answer within FROZEN_MS. */
  const answered = <T>(request: Promise<T>): Promise<T> =>
    Promise.race([
      request,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`the data worker did not answer within ${FROZEN_MS} ms (frozen)`)),
          FROZEN_MS,
        ).unref(),
      ),
    ]);

  before(async () => {
    root = join(makeTempDir(), 'ds');
    const sample = await generateSample(root, { count: 6, seed: 5 });
    const image = sample.files.find((f) => /\.(png|jpe?g)$/i.test(f))!;
    victim = image.replace(/\.[^.]+$/, '.txt');
    writeFileSync(join(root, victim), `1girl, ${CATASTROPHIC}, smile\n`);
    await indexDataset(root, { thumbnails: false });
    worker = new Worker(new URL('../../src/workers/dataWorker.ts', import.meta.url));
    rpc = new RpcEndpoint<DataWorkerEvents, DataWorkerApi>((message) => worker.postMessage(message));
    worker.on('message', (message: unknown) => rpc.receive(message));
    await rpc.request('open', {
      root,
      captionExtension: '.txt',
      thumbnailSize: 256,
      batchConfirmThreshold: 100,
      reopen: false,
    });
  });
  after(async () => {
    rpc?.dispose();
    await worker?.terminate();
    removeTempDirs();
  });

  it('stops (a+)+$ with an error naming the caption, and answers the next request', async () => {
    const selection = { kind: 'query' as const, query: '', except: [] };
    const started = performance.now();
    await assert.rejects(
      answered(
        rpc.request('previewBatch', {
          selection,
          action: { kind: 'replaceTag', find: '(a+)+$', replace: 'x', regex: true },
        }),
      ),
      (err: Error) => {
        assert.equal(err.message, `The expression /(a+)+$/ took too long on ${victim} (over 250 ms); simplify it.`);
        return true;
      },
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < FROZEN_MS, `answered after ${Math.round(elapsed)} ms`);

    const preview = await answered(
      rpc.request('previewBatch', {
        selection,
        action: { kind: 'replaceTag', find: '^(\\w)mile$', replace: '$1MILE', regex: true },
      }),
    );
    assert.ok(preview.changed > 0);
    assert.ok(
      preview.changes.every((c) => c.after?.includes('sMILE') && !/\bsmile\b/.test(c.after)),
      JSON.stringify(preview.changes),
    );
  });
});
