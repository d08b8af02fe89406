import assert from 'node:assert/strict';
import { parseQuery } from '../../src/core/query/parser.ts';
import { tagKey } from '../../src/shared/tags.ts';
import { addTerm, sortOf, tagTerm, withSort } from '../../webview/gallery/queryText.ts';

/** The tag key a one-term query matches, as the real parser reads it. */
function matchedKey(query: string): { key: string; negated: boolean } {
  let node = parseQuery(query).filter;
  let negated = false;
  if (node?.type === 'not') {
    negated = true;
    node = node.child;
  }
  assert.equal(node?.type, 'tag', `${query} should be one tag term, not ${JSON.stringify(node)}`);
  return { key: (node as { key: string }).key, negated };
}

describe('gallery query text', () => {
  const awkward = [
    'smile',
    'long hair',
    'kiyohime (fate)',
    'rem (re:zero)',
    'kafka (honkai: star rail)',
    ':3',
    ':d',
    ';)',
    '^_^',
    '>_<',
    'o_o',
    '-_-',
    '-sad',
    '"quoted"',
    '(parenthesised)',
    'a)b',
    'star*',
    'OR',
    'AND',
    'sort:name',
    'width>5',
    'caption:x',
    're:zero',
    'bocchi (bocchi the rock!)',
    "jeanne d'arc (fate)",
    'close-up',
    '1girl',
    'blue_eyes',
    '  spaced   out  ',
  ];

  it('makes a term that matches exactly the tag, and its exclusion', () => {
    for (const tag of awkward) {
      const term = tagTerm(tag);
      assert.deepEqual(matchedKey(term), { key: tagKey(tag), negated: false }, `tag ${JSON.stringify(tag)} -> ${term}`);
      assert.deepEqual(
        matchedKey(`-${term}`),
        { key: tagKey(tag), negated: true },
        `tag ${JSON.stringify(tag)} -> -${term}`,
      );
    }
  });

  it('writes spaces as underscores and keeps parentheses', () => {
    assert.equal(tagTerm('looking at viewer'), 'looking_at_viewer');
    assert.equal(tagTerm('kiyohime (fate)'), 'kiyohime_(fate)');
    assert.equal(tagTerm('-sad'), '\\-sad');
    assert.equal(tagTerm('re:zero'), 're\\:zero');
  });

  it('adds a term once, replaces its opposite, and keeps an OR query whole', () => {
    assert.equal(addTerm('', 'smile'), 'smile');
    assert.equal(addTerm('1girl', 'smile'), '1girl smile');
    assert.equal(addTerm('1girl smile', 'smile'), '1girl smile');
    assert.equal(addTerm('1girl smile', '-smile'), '1girl -smile');
    assert.equal(addTerm('a OR b sort:width', 'c'), '(a OR b) c sort:width');
    assert.equal(parseQuery(addTerm('a OR b', 'c')).filter?.type, 'and');
  });

  it('reads and rewrites the sort term', () => {
    assert.deepEqual(sortOf('smile'), { key: 'name', descending: false });
    assert.deepEqual(sortOf('smile sort:width'), { key: 'width', descending: false });
    assert.deepEqual(sortOf('-sort:mtime smile'), { key: 'mtime', descending: true });
    assert.deepEqual(sortOf('sort:-tags'), { key: 'tags', descending: true });
    assert.deepEqual(sortOf('"sort:width"'), { key: 'name', descending: false });
    assert.equal(withSort('smile sort:width', { key: 'height', descending: true }), 'smile sort:-height');
    assert.equal(withSort('-sort:width smile', { key: 'random', descending: false }), 'smile sort:random');
    assert.equal(withSort('smile sort:width', { key: 'name', descending: false }), 'smile');
    assert.equal(withSort('', { key: 'mtime', descending: false }), 'sort:mtime');
    for (const q of ['smile sort:-height', 'smile sort:random', 'sort:mtime']) assert.doesNotThrow(() => parseQuery(q));
  });
});
