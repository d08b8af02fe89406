/** A cloud base URL with a user name or password in it is refused, and never stored with a job or shown in a message. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { planJob } from '../../src/core/jobs/jobService.ts';
import { DEFAULT_MERGE } from '../../src/core/annotate/mergeAnnotation.ts';
import { createCloudAnnotator } from '../../src/core/annotate/cloud/createCloudAnnotator.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';

const SECRET = 'sk-hunter2-0123456789';
const URL_WITH_KEY = `https://user:${SECRET}@llm.example.invalid/v1`;

describe('cloud base URLs with credentials', function () {
  this.timeout(60_000);
  let root: string;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#aa3030' } })
      .jpeg()
      .toFile(join(root, 'a.jpg'));
    await indexDataset(root);
  });
  after(removeTempDirs);

  /** Every file under .tagbench (the index and its WAL) as text, to look for the secret. */
  const storedText = (): string => {
    const dir = join(root, '.tagbench');
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
      .join('\n');
  };

  it('refuses --base-url https://user:key@host/v1 with a message that names the API key and not the secret', async () => {
    const result = await runCli(
      ['annotate', root, '--provider', 'openai-compatible', '--model', 'llava', '--base-url', URL_WITH_KEY, '--json'],
      { env: { OPENAI_API_KEY: '' } },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /user name or password/);
    assert.match(result.stderr, /API key/);
    assert.ok(!result.stderr.includes(SECRET) && !result.stdout.includes(SECRET), result.stderr);
    assert.ok(!storedText().includes(SECRET), 'the secret is not in the index');
  });

  it('never plans a job with such a URL, nor builds an annotator from one, and says so without the secret', () => {
    const { db } = openDatasetIndex(root);
    try {
      const annotator = {
        type: 'cloud' as const,
        provider: 'openai-compatible' as const,
        model: 'llava',
        baseUrl: URL_WITH_KEY,
        style: 'tags' as const,
        maxSide: 1024,
        rpm: 60,
        concurrency: 1,
      };
      assert.throws(
        () =>
          planJob(db, root, {
            kind: 'annotate',
            query: '',
            params: { annotator, merge: DEFAULT_MERGE, captionExtension: '.txt' },
          }),
        (err: Error) => /user name or password/.test(err.message) && !err.message.includes(SECRET),
      );
      assert.equal(db.prepare('SELECT count(*) FROM jobs').pluck().get(), 0);
    } finally {
      db.close();
    }
    assert.throws(
      () =>
        createCloudAnnotator({ provider: 'openai-compatible', model: 'llava', baseUrl: URL_WITH_KEY, style: 'tags' }),
      (err: Error) => /user name or password/.test(err.message) && !err.message.includes(SECRET),
    );
    assert.ok(!storedText().includes(SECRET));
  });
});
