import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { ensureThumbnail, thumbnailFile } from '../../src/core/imaging/thumbnailCache.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('the thumbnail cache', () => {
  after(removeTempDirs);

  it('is keyed by content hash and size, in two-digit buckets', () => {
    const sha = 'ab'.padEnd(64, '0');
    assert.equal(thumbnailFile('/c/thumbs', sha, 256), `/c/thumbs/ab/${sha}-256.webp`);
  });

  it('makes a missing thumbnail on demand and reuses it afterwards', async () => {
    const dir = makeTempDir();
    const image = join(dir, 'photo.png');
    writeFileSync(
      image,
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } })
        .png()
        .toBuffer(),
    );
    const sha = createHash('sha256').update(readFileSync(image)).digest('hex');
    const thumbs = join(dir, '.tagbench', 'cache', 'thumbs');
    const file = await ensureThumbnail(thumbs, image, sha, 128);
    assert.equal(file, thumbnailFile(thumbs, sha, 128));
    const meta = await sharp(file).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 128, 96]);
    const made = statSync(file).mtimeMs;
    assert.equal(await ensureThumbnail(thumbs, image, sha, 128), file);
    assert.equal(statSync(file).mtimeMs, made, 'an existing thumbnail is not made again');
    rmSync(join(dir, '.tagbench', 'cache'), { recursive: true });
    await ensureThumbnail(thumbs, image, sha, 128);
    assert.ok(existsSync(file), 'a deleted cache regenerates');
  });
});
