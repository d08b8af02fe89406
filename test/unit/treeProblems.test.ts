/** Where the Datasets tree shows a dataset's problems: under their folder, and folders that hold only broken files. */
import assert from 'node:assert/strict';
import { problem } from '../../src/core/problems.ts';
import { problemsIn, sortProblems } from '../../src/vscode/tree/treeProblems.ts';
import { markdownText } from '../../src/vscode/markdownText.ts';

describe('Datasets tree problems', () => {
  const problems = [
    problem('top.png', 'not-an-image', 'The file is not an image'),
    problem('10_alice/a.txt', 'caption-without-image', 'No image beside this caption'),
    problem('10_alice/b.jpg', 'corrupt-image', 'The decoder rejected the data'),
    problem('10_alice/sub/c.png', 'empty-file', 'The file is empty'),
    problem('broken_only/d.png', 'truncated-image', 'The data ends early'),
    problem('broken_only/deeper/e.png', 'truncated-image', 'The data ends early'),
  ];

  it('lists the problem files directly in a folder, errors first', () => {
    assert.deepEqual(
      problemsIn(problems, '10_alice').files.map((p) => p.path),
      ['10_alice/b.jpg', '10_alice/a.txt'],
    );
    assert.deepEqual(
      problemsIn(problems, '').files.map((p) => p.path),
      ['top.png'],
    );
    assert.deepEqual(
      problemsIn(problems, '10_alice/sub').files.map((p) => p.path),
      ['10_alice/sub/c.png'],
    );
  });

  it('counts the problems under each subfolder, at any depth, so a folder of only broken files is listed', () => {
    assert.deepEqual(
      [...problemsIn(problems, '').subfolders],
      [
        ['10_alice', { path: '10_alice', count: 3 }],
        ['broken_only', { path: 'broken_only', count: 2 }],
      ],
    );
    assert.deepEqual(
      [...problemsIn(problems, 'broken_only').subfolders],
      [['deeper', { path: 'broken_only/deeper', count: 1 }]],
    );
    assert.deepEqual([...problemsIn(problems, '10_alice/sub').subfolders], []);
  });

  it('does not take a folder for another that starts with its name', () => {
    const similar = [problem('10_alice_old/x.png', 'empty-file', 'The file is empty')];
    assert.deepEqual(problemsIn(similar, '10_alice').files, []);
    assert.deepEqual([...problemsIn(similar, '10_alice').subfolders], []);
  });

  it('sorts errors before warnings, then by path', () => {
    assert.deepEqual(
      sortProblems(problems).map((p) => p.severity),
      ['error', 'error', 'error', 'error', 'error', 'warning'],
    );
  });

  it('escapes text for a Markdown hover without turning spaces into non-breaking ones', () => {
    const escaped = 'alice \\\\\\(wonderland\\\\\\), \\*solo\\*, \\$\\(zap\\) \\<b\\> \\#1';
    assert.equal(markdownText('alice \\(wonderland\\), *solo*, $(zap) <b> #1'), escaped);
    assert.equal(markdownText('line one\nline two'), 'line one  \nline two');
  });
});
