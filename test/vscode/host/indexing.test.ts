/** Index Workspace, run inside VS Code, writes the dataset's SQLite index with every image. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import * as vscode from 'vscode';
import { hostContext, hostLog } from '../hostContext.ts';
import { activeTagbench } from './extensionUnderTest.ts';

describe('indexing', () => {
  it('creates <dataset>/.tagbench/index.db with every image when running tagbench.indexWorkspace', async () => {
    const extension = await activeTagbench();
    const { dataset, datasetImages } = hostContext();
    const started = performance.now();
    await vscode.commands.executeCommand('tagbench.indexWorkspace');
    hostLog(`indexWorkspace: ${Math.round(performance.now() - started)} ms for ${datasetImages} images`);

    const file = join(dataset, '.tagbench', 'index.db');
    assert.ok(existsSync(file), `${file} is missing`);
    // The packaged better-sqlite3 (from the installed extension), loaded in the extension host.
    const Database = createRequire(join(extension.extensionPath, 'package.json'))(
      'better-sqlite3',
    ) as typeof BetterSqlite3;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT count(*) AS n FROM images').get() as { n: number };
      assert.equal(row.n, datasetImages);
    } finally {
      db.close();
    }
  });
});
