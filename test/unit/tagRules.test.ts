import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  closeImplications,
  loadTagRulesFile,
  parseTagRules,
  resolveAliases,
  TagRulesError,
} from '../../src/core/tags/tagRules.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('tag rules files', () => {
  after(removeTempDirs);

  it('reads every field, with defaults for the missing ones', () => {
    const rules = parseTagRules(
      '{ "_comment": "hi", "blacklist": ["watermark"], "trigger": " ohwx ", "sort": "alpha", "normalize": true }',
    );
    assert.deepEqual(rules.blacklist, ['watermark']);
    assert.equal(rules.trigger, 'ohwx');
    assert.equal(rules.sort, 'alpha');
    assert.deepEqual(rules.normalize, { separator: 'space', lowercase: true, escapeParentheses: null });
    assert.deepEqual(parseTagRules('{}'), {
      blacklist: [],
      aliases: {},
      implications: {},
      trigger: null,
      sort: 'none',
      normalize: null,
      source: 'rules',
    });
  });

  it('resolves aliases transitively, by key', () => {
    assert.deepEqual(
      resolveAliases([
        ['a', 'b'],
        ['B', 'c'],
        ['c', 'd_e'],
        ['x', 'X'],
      ]),
      { a: 'd_e', b: 'd_e', c: 'd_e', x: 'X' },
    );
    const rules = parseTagRules('{ "aliases": { "Long_Hair": "long hair", "longhair": "Long_Hair" } }');
    assert.deepEqual(rules.aliases, { 'long hair': 'long hair', longhair: 'long hair' });
  });

  it('refuses alias cycles and conflicting aliases, naming the tags', () => {
    assert.throws(
      () =>
        resolveAliases([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
        ]),
      /alias cycle: "a" -> "b" -> "c" -> "a"/,
    );
    assert.throws(
      () => parseTagRules('{\n  "aliases": {\n    "a": "b",\n    "b": "a"\n  }\n}', 'my.json'),
      /^TagRulesError: my\.json, line 3: aliases\["a"\] is part of an alias cycle/,
    );
    assert.throws(
      () => parseTagRules('{ "aliases": { "blue_eyes": "x", "Blue Eyes": "y" } }'),
      /conflicts with "blue_eyes"/,
    );
  });

  it('closes implications through parents and aliases', () => {
    assert.deepEqual(
      closeImplications([
        ['a', ['b']],
        ['b', ['c', 'd']],
        ['d', ['e']],
      ]),
      { a: ['b', 'c', 'd', 'e'], b: ['c', 'd', 'e'], d: ['e'] },
    );
    const rules = parseTagRules(
      '{ "aliases": { "nekomimi": "cat ears" }, "implications": { "nekomimi": ["animal ears"], "cat girl": "nekomimi" } }',
    );
    assert.deepEqual(rules.implications, { 'cat ears': ['animal ears'], 'cat girl': ['cat ears', 'animal ears'] });
  });

  it('refuses implication cycles', () => {
    assert.throws(
      () =>
        closeImplications([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      /implication cycle: "a" -> "b" -> "c" -> "a"/,
    );
    assert.throws(() => parseTagRules('{ "implications": { "a": ["A"] } }'), /implications\["a"\] implies itself/);
  });

  for (const [name, text, pattern] of [
    [
      'broken JSON',
      '{\n  "blacklist": [\n    "a",\n  ]\n}',
      /^r\.json, line 4 is not valid JSON: Unexpected token '\]'\.$/,
    ],
    ['not an object', '[1]', /the file must be a JSON object/],
    ['an unknown field', '{\n "blacklst": [] }', /line 2: blacklst is not a rules field/],
    ['a blacklist that is not a list', '{ "blacklist": "x" }', /blacklist must be a list/],
    ['an empty blacklist entry', '{ "blacklist": ["a", " "] }', /blacklist\[1\] must be a non-empty tag/],
    ['an alias to nothing', '{ "aliases": { "a": 3 } }', /aliases\["a"\] must map to a non-empty tag/],
    ['an implication not a list', '{ "implications": { "a": 3 } }', /implications\["a"\] must be a list/],
    ['a bad sort', '{ "sort": "size" }', /sort must be one of none, frequency, category, alpha/],
    ['a trigger with a comma', '{ "trigger": "a, b" }', /trigger must be one tag/],
    [
      'a bad normalize option',
      '{ "normalize": { "separator": "dash" } }',
      /normalize\["separator"\] must be "space", "underscore" or "keep"/,
    ],
  ] as const) {
    it(`refuses ${name} with a clear message`, () => {
      assert.throws(
        () => parseTagRules(text, 'r.json'),
        (err: Error) => err instanceof TagRulesError && pattern.test(err.message) && err.message.startsWith('r.json'),
      );
    });
  }

  it('loads JSON rules with their tag database, or a tagcomplete CSV as rules', () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'tags.csv'), 'long_hair,0,100,"longhair,long-hair"\nhatsune_miku,4,50,miku\n');
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify({ tagDatabase: 'tags.csv', aliases: { miku: 'miku (vocaloid)' }, sort: 'category' }),
    );
    const rules = loadTagRulesFile(join(dir, 'rules.json'));
    assert.equal(rules.aliases['longhair'], 'long_hair');
    assert.equal(rules.aliases['miku'], 'miku (vocaloid)', "the rules' own alias wins");
    assert.equal(rules.categories?.['hatsune miku'], 'character');
    const csv = loadTagRulesFile(join(dir, 'tags.csv'));
    assert.deepEqual(csv.aliases, { longhair: 'long_hair', 'long-hair': 'long_hair', miku: 'hatsune_miku' });
    assert.throws(() => loadTagRulesFile(join(dir, 'nope.json')), /nope\.json does not exist\./);
  });

  it('reads the example rules file', () => {
    const rules = loadTagRulesFile(new URL('../../config/tagRules.example.json', import.meta.url).pathname);
    assert.equal(rules.trigger, 'ohwx');
    assert.ok(rules.blacklist.includes('watermark'));
  });
});
