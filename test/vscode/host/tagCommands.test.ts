/** Tag hygiene commands and tag completion with a tag database, inside VS Code: files on disk, and undo. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activeTagbench } from './extensionUnderTest.ts';
import type { TagbenchApi } from '../../../src/extension.ts';
import type { DatasetSession } from '../../../src/vscode/datasetSession.ts';
import type { TagBatchResult } from '../../../src/vscode/tags/tagBatch.ts';
import type { TagSuggestion } from '../../../src/protocol/galleryProtocol.ts';

const QUERY = 'folder:5_bob';

describe('tag commands', function () {
  this.timeout(60_000);
  let api: TagbenchApi;
  let session: DatasetSession;

  /** Caption file -> text (null when missing) for every image of the query. */
  const captions = async (query: string): Promise<Map<string, string | null>> => {
    const page = await (await session.data()).request('search', { query, offset: 0, limit: 1000 });
    assert.ok(!('error' in page));
    return new Map(
      page.items.map((i) => {
        const file = join(session.root, i.path.replace(/\.[^./]+$/, '.txt'));
        return [file, existsSync(file) ? readFileSync(file, 'utf8') : null];
      }),
    );
  };
  const topTag = async (query: string): Promise<string> => {
    const stats = await (await session.data()).request('tagFrequencies', { query, limit: 1 });
    assert.ok(!('error' in stats) && stats.tags.length > 0, 'the images have tags');
    return stats.tags[0]!.tag;
  };

  before(async () => {
    api = (await activeTagbench()).exports;
    session = api.registry.sessionFor(vscode.workspace.workspaceFolders![0]!);
    await session.index({ notify: false });
  });

  it('registers Normalize Tags, Rename Tag and Apply Tag Rules', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['tagbench.normalizeTags', 'tagbench.renameTag', 'tagbench.applyTagRules'])
      assert.ok(commands.includes(id), id);
  });

  it('renames a tag over a query as one batch, and Undo Last Batch Edit restores every caption', async () => {
    const before = await captions(QUERY);
    const tag = await topTag(QUERY);
    // From the files: the captions that hold the tag are the ones the rename must change.
    const holding = [...before]
      .filter(([, text]) =>
        text
          ?.split(',')
          .map((t) => t.trim().replace(/ /g, '_'))
          .includes(tag.replace(/ /g, '_')),
      )
      .map(([file]) => file)
      .sort();
    assert.ok(holding.length > 0);
    const result = await vscode.commands.executeCommand<TagBatchResult | undefined>('tagbench.renameTag', {
      query: QUERY,
      from: tag,
      to: 'renamed_in_host',
      confirm: true,
    });
    assert.ok(result?.outcome, 'the batch was applied');
    assert.equal(result.outcome.conflicts.length, 0);
    assert.deepEqual([result.preview.changed, result.outcome.changed], [holding.length, holding.length]);
    const after = await captions(QUERY);
    const renamed: string[] = [];
    for (const [file, text] of after) {
      if (text !== before.get(file)) {
        renamed.push(file);
        assert.ok(
          text
            ?.split(',')
            .map((t) => t.trim())
            .includes('renamed_in_host'),
          `${file}: ${JSON.stringify(text)}`,
        );
      }
    }
    assert.deepEqual(renamed.sort(), holding);
    const images = before.size;
    const changed = holding.length;
    assert.equal(
      result.outcome.summary,
      `Replaced "${tag}" with "renamed_in_host" in ${changed === images ? '' : `${changed} of `}${images} images`,
      'the message says what changed, out of the images asked',
    );
    const found = await (await session.data()).request('search', { query: 'renamed_in_host', offset: 0, limit: 0 });
    assert.ok(!('error' in found) && found.total === holding.length, 'the index sees the new tag');

    const undone = await vscode.commands.executeCommand<{ summary: string } | null>('tagbench.undoBatchEdit');
    assert.equal(
      undone?.summary,
      `Undid: Replace "${tag}" with "renamed_in_host" in ${images} images (${changed} files restored)`,
    );
    assert.deepEqual(await captions(QUERY), before);
    const redone = await vscode.commands.executeCommand<{ changed: number } | null>('tagbench.redoBatchEdit');
    assert.equal(redone?.changed, changed, 'Redo Last Batch Edit applies it again');
    assert.deepEqual(await captions(QUERY), after);
    await vscode.commands.executeCommand('tagbench.undoBatchEdit');
    assert.deepEqual(await captions(QUERY), before);
  });

  it('applies a rules file and normalizes tags through the commands, each undone by one undo', async () => {
    const before = await captions(QUERY);
    const tag = await topTag(QUERY);
    const rules = join(mkdtempSync(join(tmpdir(), 'tagbench-rules-')), 'rules.json');
    writeFileSync(rules, JSON.stringify({ aliases: { [tag]: 'Aliased_By_Rules' } }));
    const applied = await vscode.commands.executeCommand<TagBatchResult | undefined>('tagbench.applyTagRules', {
      query: QUERY,
      rulesFile: rules,
      confirm: true,
    });
    assert.ok(applied?.outcome && applied.outcome.changed > 0);
    assert.ok([...(await captions(QUERY)).values()].some((t) => t?.includes('Aliased_By_Rules')));

    const normalized = await vscode.commands.executeCommand<TagBatchResult | undefined>('tagbench.normalizeTags', {
      query: QUERY,
      normalize: { separator: 'space', lowercase: true, escapeParentheses: null },
      confirm: true,
    });
    assert.ok(normalized?.outcome && normalized.outcome.changed > 0);
    const now = [...(await captions(QUERY)).values()];
    assert.ok(now.some((t) => t?.includes('aliased by rules')) && !now.some((t) => t?.includes('Aliased_By_Rules')));

    await vscode.commands.executeCommand('tagbench.undoBatchEdit');
    await vscode.commands.executeCommand('tagbench.undoBatchEdit');
    assert.deepEqual(await captions(QUERY), before);
  });

  it('reports a rules file that is not valid and changes nothing', async () => {
    const before = await captions(QUERY);
    const rules = join(mkdtempSync(join(tmpdir(), 'tagbench-rules-')), 'bad.json');
    writeFileSync(rules, '{ "blacklist": "not a list" }');
    const result = await vscode.commands.executeCommand<TagBatchResult | undefined>('tagbench.applyTagRules', {
      query: QUERY,
      rulesFile: rules,
      confirm: true,
    });
    assert.equal(result, undefined);
    assert.deepEqual(await captions(QUERY), before);
  });

  it('completes tags from the tag database that tagbench.tags.database names, aliases resolved', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'tagbench-tagdb-')), 'tags.csv');
    writeFileSync(csv, 'hatsune_miku,4,120000,"miku_host_alias,hatsune"\nblue_eyes,0,900000,\n');
    const config = vscode.workspace.getConfiguration('tagbench', session.folder.uri);
    await config.update('tags.database', csv, vscode.ConfigurationTarget.Workspace);
    try {
      const data = await session.data();
      const deadline = Date.now() + 10_000;
      let found: TagSuggestion[] = [];
      while (Date.now() < deadline) {
        found = await data.request('tagSuggestions', { prefix: 'miku_host', limit: 5 });
        if (found.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(found[0], {
        tag: 'hatsune_miku',
        count: 0,
        postCount: 120000,
        category: 'character',
        alias: 'miku_host_alias',
      });
      assert.deepEqual(await data.request('tagDatabaseStatus', {}), { file: csv, tags: 2, aliases: 2 });
    } finally {
      await config.update('tags.database', undefined, vscode.ConfigurationTarget.Workspace);
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await (await session.data()).request('tagDatabaseStatus', {})) !== null)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await (await session.data()).request('tagDatabaseStatus', {}), null);
  });
});
