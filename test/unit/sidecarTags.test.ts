import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncSidecarTags } from '../../src/core/sidecar/sidecarTags.ts';
import { formatSidecar } from '../../src/core/sidecar/sidecar.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const SHA = 'b'.repeat(64);

describe('sidecar tag provenance after a hand edit', () => {
  after(removeTempDirs);

  it("keeps model provenance, records new tags as the user's, drops removed ones, keeps pending suggestions", () => {
    const file = join(makeTempDir(), 'a.tagbench.json');
    writeFileSync(
      file,
      formatSidecar({
        tagbench: 1,
        image: { sha256: SHA },
        crop: { state: 'auto' },
        tags: [
          { name: 'smile', source: 'model:wd', confidence: 0.9, status: 'accepted' },
          { name: 'solo', source: 'model:wd', confidence: 0.8, status: 'accepted' },
          { name: 'hat', source: 'model:wd', confidence: 0.4, status: 'suggested' },
          { name: 'blue_eyes', source: 'model:wd', confidence: 0.7, status: 'suggested' },
        ],
      }),
    );
    assert.equal(syncSidecarTags(file, 'alice, blue eyes, smile\n'), true);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(saved.tags, [
      { name: 'alice', source: 'user' },
      { name: 'blue_eyes', source: 'model:wd', confidence: 0.7, status: 'accepted' },
      { name: 'smile', source: 'model:wd', confidence: 0.9, status: 'accepted' },
      { name: 'hat', source: 'model:wd', confidence: 0.4, status: 'suggested' },
    ]);
    assert.equal(saved.crop.state, 'auto', 'other fields are kept');
    assert.equal(syncSidecarTags(file, 'alice, blue eyes, smile\n'), false, 'no change, no write');
  });

  it('creates no sidecar and leaves one without tags alone', () => {
    const dir = makeTempDir();
    assert.equal(syncSidecarTags(join(dir, 'none.tagbench.json'), 'a, b'), false);
    assert.equal(existsSync(join(dir, 'none.tagbench.json')), false);
    const file = join(dir, 'b.tagbench.json');
    writeFileSync(file, formatSidecar({ tagbench: 1, image: { sha256: SHA }, crop: { state: 'manual' } }));
    assert.equal(syncSidecarTags(file, 'a, b'), false);
  });
});
