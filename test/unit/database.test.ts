import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import { MIGRATIONS, SCHEMA_V1 } from '../../src/core/index/migrations.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../src/core/index/schema.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

function pragma(file: string, name: string): unknown {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

describe('index database', () => {
  after(removeTempDirs);

  it('creates a new index with the current schema in WAL mode', () => {
    const file = join(makeTempDir(), 'index.db');
    const { db, fresh, messages } = openIndexDatabase(file);
    assert.equal(fresh, true);
    assert.deepEqual(messages, []);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    assert.equal(pragma(file, 'user_version'), SCHEMA_VERSION);
    assert.equal(pragma(file, 'application_id'), APPLICATION_ID);
    const again = openIndexDatabase(file);
    assert.equal(again.fresh, false);
    again.db.close();
  });

  it('migrates a version 1 index forward, keeping its rows', () => {
    const file = join(makeTempDir(), 'index.db');
    const old = new BetterSqlite3(file);
    old.exec(SCHEMA_V1);
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO images (path, dir, name, name_key, ext, size, mtime_ms, sha256, format, width, height, pixels,
      aspect, channels, has_alpha, bit_depth, space, frames, orientation, phash, dhash, sidecar)
      VALUES ('a.png', '', 'a.png', 'a.png', 'png', 10, 1, 'ab', 'png', 2, 2, 4, 1, 3, 0, 8, 'srgb', 1, 1, '0', '0', ?)`,
      )
      .run(
        JSON.stringify({
          tagbench: 1,
          image: { sha256: 'a'.repeat(64) },
          tags: [
            { name: 'smile', source: 'model:tagger:wd', confidence: 0.7, status: 'suggested' },
            { name: 'solo', source: 'user' },
          ],
          annotations: [{ model: 'scorer:laion', kind: 'score', at: '2026-01-01T00:00:00Z', result: { score: 6.5 } }],
        }),
      );
    old.close();

    const { db, fresh, messages } = openIndexDatabase(file);
    assert.equal(fresh, false);
    assert.equal(messages.length, SCHEMA_VERSION - 1, messages.join(' '));
    assert.match(messages[0]!, /upgraded from 1 to 2/);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const row = db.prepare('SELECT path, rand FROM images').get() as { path: string; rand: number };
    assert.equal(row.path, 'a.png');
    assert.equal(typeof row.rand, 'number');
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id FROM images ORDER BY rand, id').all() as { detail: string }[];
    assert.ok(
      plan.some((p) => p.detail.includes('images_rand')),
      'the migration created the index',
    );
    assert.deepEqual(db.prepare('SELECT model, name, kind, score FROM annotations').all(), [
      { model: 'scorer:laion', name: 'laion', kind: 'score', score: 6.5 },
    ]);
    assert.deepEqual(
      db.prepare('SELECT key, model, status FROM model_tags').all(),
      [{ key: 'smile', model: 'tagger:wd', status: 'suggested' }],
      'annotation rows come from the sidecars already read',
    );
    db.close();
  });

  it('migrates to exactly the schema a new index gets', () => {
    const schemaOf = (file: string): string[] => {
      const db = new BetterSqlite3(file, { readonly: true });
      try {
        return (
          db
            .prepare("SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
            .all() as object[]
        ).map((r) => JSON.stringify(r));
      } finally {
        db.close();
      }
    };
    const dir = makeTempDir();
    const migrated = join(dir, 'old.db');
    const old = new BetterSqlite3(migrated);
    old.exec(SCHEMA_V1);
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('user_version = 1');
    old.close();
    openIndexDatabase(migrated).db.close();
    const fresh = join(dir, 'new.db');
    openIndexDatabase(fresh).db.close();
    assert.deepEqual(schemaOf(migrated), schemaOf(fresh));
    const columns = (file: string): unknown[] => {
      const db = new BetterSqlite3(file, { readonly: true });
      try {
        return db.prepare('SELECT name, type, "notnull" FROM pragma_table_info(\'images\') ORDER BY name').all();
      } finally {
        db.close();
      }
    };
    assert.deepEqual(columns(migrated), columns(fresh));
  });

  it('lets several threads create the same new index at once', async () => {
    const file = join(makeTempDir(), 'index.db');
    const module = new URL('../../src/core/index/database.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(module)}).then((m) => { const o = m.openIndexDatabase(${JSON.stringify(file)}); o.db.close(); require('node:worker_threads').parentPort.postMessage(o.fresh); })`;
    const results = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<boolean>((resolve, reject) => {
            const worker = new Worker(code, { eval: true });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1, 'exactly one thread created the schema');
    assert.equal(pragma(file, 'user_version'), SCHEMA_VERSION);
  });

  for (const [name, make, reason] of [
    ['garbage bytes', (f: string) => writeFileSync(f, Buffer.alloc(4096, 0x41)), /could not be read/],
    [
      'a foreign SQLite database',
      (f: string) => {
        const d = new BetterSqlite3(f);
        d.exec('CREATE TABLE notes (x)');
        d.close();
      },
      /not a Tagbench index/,
    ],
    [
      'an index from a newer Tagbench',
      (f: string) => {
        const d = new BetterSqlite3(f);
        d.exec('CREATE TABLE meta (k)');
        d.pragma(`application_id = ${APPLICATION_ID}`);
        d.pragma('user_version = 99');
        d.close();
      },
      /newer Tagbench/,
    ],
  ] as const) {
    it(`replaces ${name} with a fresh index, saying why`, () => {
      const file = join(makeTempDir(), 'index.db');
      make(file);
      const { db, fresh, messages } = openIndexDatabase(file);
      assert.equal(fresh, true);
      assert.match(messages.join(' '), reason);
      assert.match(messages.join(' '), /rebuilding (it|the index) from the files/);
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      db.close();
    });
  }
});

describe('index database: never deleted while it is busy or held', () => {
  after(removeTempDirs);

  const v4Index = (file: string): void => {
    const db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_V1);
    for (const step of MIGRATIONS.filter((m) => m.from < 4)) step.up(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 4');
    db.close();
  };

  it('opens an index another connection is writing to without waiting for it or replacing it', () => {
    const file = join(makeTempDir(), 'index.db');
    openIndexDatabase(file).db.close();
    const writer = new BetterSqlite3(file);
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare("INSERT INTO meta (key, value) VALUES ('written', 'by the other process')").run();
    try {
      const started = performance.now();
      const opened = openIndexDatabase(file, { busyTimeoutMs: 500 });
      assert.equal(opened.fresh, false, 'the index was kept');
      assert.deepEqual(opened.messages, []);
      assert.ok(performance.now() - started < 400, 'an up-to-date index opens without the write lock');
      writer.exec('COMMIT');
      assert.equal(
        opened.db.prepare("SELECT value FROM meta WHERE key = 'written'").pluck().get(),
        'by the other process',
      );
      opened.db.close();
    } finally {
      if (writer.inTransaction) writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('fails with a clear message, and changes nothing, when a migration cannot get the write lock', () => {
    const file = join(makeTempDir(), 'index.db');
    v4Index(file);
    const writer = new BetterSqlite3(file);
    writer.exec('BEGIN IMMEDIATE');
    try {
      assert.throws(
        () => openIndexDatabase(file, { busyTimeoutMs: 300 }),
        (err: Error) => {
          assert.equal(err.name, 'IndexBusyError');
          assert.match(err.message, /is busy: another process .* Try again/);
          return true;
        },
      );
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    assert.equal(pragma(file, 'user_version'), 4, 'neither replaced nor half migrated');
    const later = openIndexDatabase(file);
    assert.equal(later.fresh, false);
    assert.equal(later.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    later.db.close();
  });

  it('refuses to replace a damaged index while another connection has it open, and replaces it once it is closed', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    const holder = openIndexDatabase(file);
    holder.db.pragma('wal_checkpoint(TRUNCATE)');
    const garbage = Buffer.alloc(8192, 0x41);
    writeFileSync(file, garbage);
    try {
      assert.throws(
        () => openIndexDatabase(file),
        (err: Error) => {
          assert.equal(err.name, 'IndexInUseError');
          assert.match(err.message, /could not be read .* another Tagbench process .* has it open/);
          return true;
        },
      );
      assert.deepEqual(readFileSync(file), garbage, 'the file was left alone');
    } finally {
      holder.db.close();
    }
    writeFileSync(file, garbage);
    const replaced = openIndexDatabase(file);
    assert.equal(replaced.fresh, true);
    assert.match(replaced.messages.join(' '), /could not be read/);
    replaced.db.close();
  });

  it('lets only one of two openers replace a damaged index; the other uses the new one', async () => {
    const file = join(makeTempDir(), 'index.db');
    writeFileSync(file, Buffer.alloc(8192, 0x41));
    const module = new URL('../../src/core/index/database.ts', import.meta.url).href;
    const code =
      `import(${JSON.stringify(module)}).then((m) => { const o = m.openIndexDatabase(${JSON.stringify(file)}); ` +
      `require('node:worker_threads').parentPort.postMessage(o.fresh); setTimeout(() => o.db.close(), 300); })`;
    const results = await Promise.all(
      Array.from(
        { length: 2 },
        () =>
          new Promise<boolean>((resolve, reject) => {
            const worker = new Worker(code, { eval: true });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    assert.equal(results.filter(Boolean).length, 1, 'one replaced it, the other opened the replacement');
  });
});
