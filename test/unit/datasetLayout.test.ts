import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import { datasetLayout, ensureTagbenchDir } from '../../src/core/dataset/datasetLayout.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('the .tagbench folder layout', () => {
  after(removeTempDirs);

  it('git-ignores only what Tagbench rebuilds, and names the user data it keeps', () => {
    const layout = datasetLayout(makeTempDir());
    ensureTagbenchDir(layout);
    const text = readFileSync(join(layout.dir, '.gitignore'), 'utf8');
    const rules = ignore().add(text);
    for (const rebuilt of [
      'index.db',
      'index.db-wal',
      'index.db-shm',
      'cache/thumbs/ab/x.webp',
      'locks/index-users.lock',
      'derived/a.png',
      'tmp/x',
    ]) {
      assert.ok(rules.ignores(rebuilt), `${rebuilt} is ignored`);
    }
    for (const kept of ['trash/a.png', 'journal/17.json', 'jobs.db', 'projects/p.json', 'dataset.json']) {
      assert.ok(!rules.ignores(kept), `${kept} is not ignored`);
    }
    assert.doesNotMatch(
      text,
      /(trash|journal)[^\n]*(cache|rebuil)/i,
      'the trash and the journal are not called a cache',
    );
    assert.match(text, /trash\/[^\n]*only copy/);
    assert.match(text, /jobs\.db/);
  });
});
