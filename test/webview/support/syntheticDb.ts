/**
 * Synthetic index databases for the webview tests. Large ones are built once and kept under
 * node_modules/.cache (keyed by the generator's and the schema's source), since 100,000 rows take
 * about 15 s to write; small ones are built fresh in a temp folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openIndexDatabase, removeDatabaseFiles } from '../../../src/core/index/database.ts';
import { imageCount } from '../../../src/core/index/imageQueries.ts';
import { buildSyntheticIndex } from '../../fixtures/syntheticIndex.ts';
import { makeTempDir } from '../../helpers/tempDir.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const CACHE_DIR = join(root, 'node_modules', '.cache', 'tagbench-webview-tests');
const KEY_SOURCES = [
  'test/fixtures/syntheticIndex.ts',
  'src/core/index/schema.ts',
  'src/core/index/migrations.ts',
  'src/core/index/imageStore.ts',
];

/** An open synthetic index of `count` images. Large ones come from the cache when it is current. */
export function syntheticDatabase(count: number): Database {
  const file = count >= 10_000 ? cachedFile(count) : join(makeTempDir('tagbench-webview-'), 'index.db');
  if (!existsSync(file)) build(file, count);
  let { db } = openIndexDatabase(file);
  if (imageCount(db) !== count) {
    db.close();
    removeDatabaseFiles(file);
    build(file, count);
    ({ db } = openIndexDatabase(file));
  }
  return db;
}

function cachedFile(count: number): string {
  const hash = createHash('sha256');
  for (const source of KEY_SOURCES) {
    const path = join(root, source);
    hash.update(existsSync(path) ? readFileSync(path) : source);
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  return join(CACHE_DIR, `synthetic-${count}-${hash.digest('hex').slice(0, 16)}.db`);
}

function build(file: string, count: number): void {
  if (file.startsWith(CACHE_DIR)) {
    for (const name of readdirSync(CACHE_DIR)) {
      if (name.startsWith(`synthetic-${count}-`) && !name.startsWith(basename(file)))
        rmSync(join(CACHE_DIR, name), { force: true });
    }
  }
  const temp = `${file}.building-${process.pid}`;
  removeDatabaseFiles(temp);
  buildSyntheticIndex(temp, count);
  removeDatabaseFiles(file);
  renameSync(temp, file);
  removeDatabaseFiles(temp);
}
