import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deleteProject,
  listProjects,
  loadProject,
  newProject,
  parseProject,
  ProjectError,
  projectFileName,
  saveProject,
} from '../../src/core/projects/projectStore.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('projects', () => {
  after(removeTempDirs);

  it('saves, lists, loads and deletes projects as readable JSON', () => {
    const root = makeTempDir();
    const members = [{ sha256: 'a'.repeat(64), path: '10_alice/a.png' }];
    const file = saveProject(root, newProject('Alice v1', { trigger: 'ohwx', classTokens: 'woman', members }));
    assert.equal(file, join(root, '.tagbench', 'projects', 'alice-v1.json'));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\{\n {2}"tagbench": 1,\n {2}"name": "Alice v1",/);
    saveProject(root, newProject('Style', { query: 'folder:3_forest_style' }));
    assert.deepEqual(
      listProjects(root).projects.map((p) => p.name),
      ['Alice v1', 'Style'],
    );
    const alice = loadProject(root, 'Alice v1');
    assert.deepEqual([alice.trigger, alice.repeats, alice.resolution, alice.members], ['ohwx', 10, 1024, members]);
    deleteProject(root, 'Alice v1');
    assert.deepEqual(
      listProjects(root).projects.map((p) => p.name),
      ['Style'],
    );
  });

  it('refuses a second project with the same file name', () => {
    const root = makeTempDir();
    saveProject(root, newProject('Alice'));
    assert.throws(() => saveProject(root, newProject('alice')), /already exists/);
  });

  it('turns names into safe file names, never paths', () => {
    assert.equal(projectFileName('../../etc/passwd'), 'etc-passwd.json');
    assert.equal(projectFileName('Ünïcode name!'), 'unicode-name.json');
    assert.throws(() => projectFileName('  '), ProjectError);
    assert.throws(() => projectFileName('///'), ProjectError);
  });

  it('reports unreadable project files without failing the list', () => {
    const root = makeTempDir();
    saveProject(root, newProject('Good'));
    writeFileSync(
      join(root, '.tagbench', 'projects', 'bad.json'),
      '{"tagbench": 1, "name": "x", "members": [{"sha256": "a", "path": "../../x"}]}',
    );
    const { projects, problems } = listProjects(root);
    assert.deepEqual(
      projects.map((p) => p.name),
      ['Good'],
    );
    assert.equal(problems.length, 1);
    assert.throws(() => parseProject('[]'), /no JSON object/);
  });
});
