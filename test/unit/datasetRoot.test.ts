import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { checkDatasetRoot, DatasetError, implausibleRootReason } from '../../src/core/dataset/datasetRoot.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('dataset roots', () => {
  after(removeTempDirs);

  it('refuses the filesystem root, the home folder and system folders', () => {
    assert.match(implausibleRootReason('/') ?? '', /root of the filesystem/);
    assert.match(implausibleRootReason(homedir()) ?? '', /home folder/);
    assert.match(implausibleRootReason('/usr') ?? '', /system folder/);
    assert.match(implausibleRootReason('/usr/share/pixmaps') ?? '', /inside a system folder/);
    assert.match(implausibleRootReason('/etc') ?? '', /system folder/);
  });

  it('accepts ordinary folders', () => {
    assert.equal(implausibleRootReason(join(homedir(), 'datasets', 'alice')), undefined);
    assert.equal(implausibleRootReason(makeTempDir()), undefined);
  });

  it('explains the refusal and names --force; --force overrides it', () => {
    assert.throws(
      () => checkDatasetRoot('/usr'),
      (err: Error) => err instanceof DatasetError && /--force/.test(err.message),
    );
    assert.equal(checkDatasetRoot('/usr', true), '/usr');
  });

  it('reports a missing folder and a file given as a folder', () => {
    const dir = makeTempDir();
    assert.throws(() => checkDatasetRoot(join(dir, 'nope')), /does not exist/);
    writeFileSync(join(dir, 'f'), '');
    assert.throws(() => checkDatasetRoot(join(dir, 'f')), /is not a folder/);
  });
});
