import assert from 'node:assert/strict';
import type { BoolNode, QueryNode } from '../../src/core/query/ast.ts';
import { compileQuery } from '../../src/core/query/compile.ts';
import { DEFAULT_SORT, parseQuery } from '../../src/core/query/parser.ts';
import type { ParseOptions } from '../../src/core/query/parser.ts';
import { QueryError } from '../../src/shared/queryError.ts';
import { tokenize } from '../../src/shared/queryLexer.ts';
import { SORT_KEYS } from '../../src/shared/sortKeys.ts';

/** The filter as a compact string: tags bare, patterns with *, fields as written back, NOT as -, groups in (). */
function show(query: string, options: ParseOptions = {}): string {
  const { filter } = parseQuery(query, options);
  return filter ? render(filter) : '';
}

/** Parse options knowing these tag keys (as an index would). */
function knowing(...keys: string[]): ParseOptions {
  return { knownTag: (key) => keys.includes(key) };
}

function render(node: QueryNode): string {
  switch (node.type) {
    case 'tag':
      return `[${node.key}]`;
    case 'tagPattern':
      return `[${node.parts.join('*')}]`;
    case 'text':
      return `"${node.text}"${node.prefix ? '*' : ''}`;
    case 'compare':
      return `${node.field}${node.op}${node.value}`;
    case 'shape':
      return `aspect:${node.shape}`;
    case 'ext':
      return `ext:${node.ext}`;
    case 'folder':
      return `folder:${node.name}`;
    case 'hasCaption':
      return 'has:caption';
    case 'model':
      return `model:${node.name}`;
    case 'score':
      return `score${node.op}${node.value}`;
    case 'suggested':
      return node.key === null ? 'has:suggestions' : `suggested:[${node.key}]`;
    case 'not':
      return `-${render(node.child)}`;
    case 'and':
      return `(${node.children.map(render).join(' ')})`;
    case 'or':
      return `(${node.children.map(render).join(' OR ')})`;
  }
}

function failure(query: string, options: ParseOptions = {}): { message: string; position: number; length: number } {
  try {
    parseQuery(query, options);
  } catch (error) {
    assert.ok(error instanceof QueryError, `expected a QueryError for ${query}, got ${String(error)}`);
    return { message: error.message, position: error.position, length: error.length };
  }
  assert.fail(`expected ${JSON.stringify(query)} to be rejected`);
}

describe('query parser', () => {
  it('matches everything for an empty query, whitespace or only a sort', () => {
    assert.deepEqual(parseQuery(''), { filter: null, sort: DEFAULT_SORT });
    assert.deepEqual(parseQuery('  \t\n '), { filter: null, sort: DEFAULT_SORT });
    assert.deepEqual(parseQuery('sort:width'), { filter: null, sort: { key: 'width', descending: false } });
    assert.deepEqual(DEFAULT_SORT, { key: 'name', descending: false });
  });

  it('reads bare terms as tag keys: lower case, underscores as spaces', () => {
    assert.equal(show('blue_eyes'), '[blue eyes]');
    assert.equal(show('Blue_Eyes  LONG_hair'), '([blue eyes] [long hair])');
    assert.equal(show('^_^ >_< o_o'), '([^_^] [>_<] [o o])');
  });

  it('keeps parentheses attached to a word in the term', () => {
    assert.equal(show('kiyohime_(fate)'), '[kiyohime (fate)]');
    assert.equal(show('kiyohime_\\(fate\\)'), '[kiyohime (fate)]');
    assert.equal(show('(a OR kiyohime_(fate))'), '([a] OR [kiyohime (fate)])');
    assert.equal(show('(kiyohime_(fate)) b'), '([kiyohime (fate)] [b])');
    assert.equal(show('star_(sky) :('), '([star (sky)] [:(])');
    assert.equal(show('a_(b_(c))'), '[a (b (c))]');
    assert.equal(show(':\\)'), '[:)]');
  });

  it('reads * as a wildcard and \\* as an asterisk', () => {
    assert.deepEqual(parseQuery('long_*').filter, { type: 'tagPattern', parts: ['long ', ''], position: 0, length: 6 });
    assert.equal(show('*_hair'), '[* hair]');
    assert.equal(show('*'), '[*]');
    assert.deepEqual(parseQuery('a\\*b').filter, { type: 'tag', key: 'a*b', position: 0, length: 4 });
    assert.deepEqual(parseQuery('a\\**').filter, { type: 'tagPattern', parts: ['a*', ''], position: 0, length: 4 });
  });

  it('treats emoticons with colons as tags and letters before a colon as a field', () => {
    assert.equal(show(':3'), '[:3]');
    assert.equal(show(':d :D ;d'), '([:d] [:d] [;d])');
    assert.equal(show('<3'), '[<3]');
    assert.equal(show('re\\:zero'), '[re:zero]');
    assert.deepEqual(failure('re:zero'), { message: 'Unknown field "re" at column 1', position: 0, length: 2 });
  });

  it('gives NOT precedence over AND, and AND over OR', () => {
    assert.equal(show('a b OR c'), '(([a] [b]) OR [c])');
    assert.equal(show('a OR b c'), '([a] OR ([b] [c]))');
    assert.equal(show('-a b'), '(-[a] [b])');
    assert.equal(show('a OR -b OR c'), '([a] OR -[b] OR [c])');
    assert.equal(show('(a OR b) c'), '(([a] OR [b]) [c])');
    assert.equal(show('-(a OR b) -(c d)'), '(-([a] OR [b]) -([c] [d]))');
    assert.equal(show('--a'), '--[a]');
    assert.equal(show('((a))'), '[a]');
  });

  it('reads lower-case or as a tag', () => {
    assert.equal(show('a or b'), '([a] [or] [b])');
  });

  it('reads AND in capitals as an explicit AND, lower-case and as a tag', () => {
    assert.equal(show('blonde_hair AND smile'), '([blonde hair] [smile])');
    assert.equal(show('a AND b OR c'), '(([a] [b]) OR [c])');
    assert.equal(show('a OR b AND c'), '([a] OR ([b] [c]))');
    assert.equal(show('-a AND (b OR c) AND width>5'), '(-[a] ([b] OR [c]) width>5)');
    assert.equal(show('a AND b c'), '([a] [b] [c])');
    assert.equal(show('a and b'), '([a] [and] [b])');
    assert.equal(show('a AND sort:width'), '[a]');
    assert.deepEqual(parseQuery('a AND b').filter, {
      type: 'and',
      position: 0,
      length: 7,
      children: [
        { type: 'tag', key: 'a', position: 0, length: 1 },
        { type: 'tag', key: 'b', position: 6, length: 1 },
      ],
    });
  });

  it('reads words that spell a known tag as that tag, the longest run first, left to right', () => {
    const known = knowing('blonde hair', 'long hair', 'long', 'hair ornament', 'looking at viewer', 'smile');
    assert.equal(show('blonde hair', known), '[blonde hair]');
    assert.equal(show('blonde hair smile', known), '([blonde hair] [smile])');
    assert.equal(show('blonde hair AND smile', known), '([blonde hair] [smile])');
    assert.equal(show('smile looking at viewer', known), '([smile] [looking at viewer])');
    assert.equal(show('long hair ornament', known), '([long hair] [ornament])', 'the longest run from the left wins');
    assert.equal(show('long blonde hair', known), '([long] [blonde hair])');
    assert.equal(show('Blonde_Hair smile', known), '([blonde hair] [smile])');
    assert.equal(show('blonde_hair hair ornament', known), '([blonde hair] [hair ornament])');
    assert.equal(
      show('-long hair smile', known),
      '(-[long hair] [smile])',
      'a negated first word negates the tag it starts',
    );
    assert.equal(show('smile -long hair', known), '([smile] -[long hair])');
    assert.equal(show('red eyes', known), '([red] [eyes])', 'words that spell no known tag stay apart');
    assert.equal(show('blonde hair', {}), '([blonde] [hair])', 'without an index every word is a tag');
  });

  it('keeps words apart across AND, OR, groups, fields, phrases, wildcards and a second negation', () => {
    const known = knowing('blonde hair', 'long hair');
    assert.equal(show('blonde AND hair', known), '([blonde] [hair])');
    assert.equal(show('blonde OR hair', known), '([blonde] OR [hair])');
    assert.equal(show('(blonde) hair', known), '([blonde] [hair])');
    assert.equal(show('blonde (hair)', known), '([blonde] [hair])');
    assert.equal(show('blonde width>5 hair', known), '([blonde] width>5 [hair])');
    assert.equal(show('blonde "hair"', known), '([blonde] "hair")');
    assert.equal(show('blonde hai*', known), '([blonde] [hai*])');
    assert.equal(show('long -hair', known), '([long] -[hair])');
    assert.equal(show('-(long hair)', known), '-[long hair]');
    assert.equal(show('a OR long hair', known), '([a] OR [long hair])');
  });

  it('keeps the span of a tag read from several words', () => {
    const known = knowing('blonde hair');
    assert.deepEqual(parseQuery('x -blonde  hair', known).filter, {
      type: 'and',
      position: 0,
      length: 15,
      children: [
        { type: 'tag', key: 'x', position: 0, length: 1 },
        { type: 'not', position: 2, length: 13, child: { type: 'tag', key: 'blonde hair', position: 3, length: 12 } },
      ],
    });
    assert.equal(failure(Array(501).fill('a').join(' ')).position, 1000);
    assert.equal(parseQuery(Array(500).fill('a').join(' '), knowing('a a')).filter?.type, 'and');
    assert.deepEqual(failure(Array(501).fill('a').join(' '), knowing('a a')), {
      message: 'Too many terms (at most 500) at column 1001',
      position: 1000,
      length: 1,
    });
  });

  it('reads numeric fields with every operator, k and m suffixes, any case', () => {
    assert.equal(show('width>=1024 height<512'), '(width>=1024 height<512)');
    assert.equal(
      show('width:1024 width=1024 width!=1024 width>1 width<=2'),
      '(width=1024 width=1024 width!=1024 width>1 width<=2)',
    );
    assert.equal(show('pixels>=1m pixels<1.5M pixels>2k'), '(pixels>=1000000 pixels<1500000 pixels>2000)');
    assert.equal(show('aspect>1.5 aspect<.5 tags>30'), '(aspect>1.5 aspect<0.5 tags>30)');
    assert.equal(show('WIDTH>=5 Height:6'), '(width>=5 height=6)');
  });

  it('reads aspect shapes, extensions, folders and has:caption', () => {
    assert.equal(
      show('aspect:portrait aspect:Landscape aspect=square'),
      '(aspect:portrait aspect:landscape aspect:square)',
    );
    assert.equal(show('ext:PNG ext:jpeg ext:.tif ext:JPG'), '(ext:png ext:jpg ext:tiff ext:jpg)');
    assert.equal(show('folder:10_Alice'), 'folder:10_alice');
    assert.equal(show('folder:"3_alice style"'), 'folder:3_alice style');
    assert.equal(show('has:caption -HAS:Caption'), '(has:caption -has:caption)');
  });

  it('reads the annotation fields: model:, score, suggested: and has:suggestions', () => {
    assert.equal(show('model:WD-Vit-Tagger-v3'), 'model:wd-vit-tagger-v3');
    assert.equal(show('model:openai:gpt-4.1-mini'), 'model:openai:gpt-4.1-mini');
    assert.equal(show('score>=6 score<5.5 score:-1'), '(score>=6 score<5.5 score=-1)');
    assert.equal(show('suggested:Blue_Eyes has:suggestions'), '(suggested:[blue eyes] has:suggestions)');
    assert.match(failure('score>=high').message, /Expected a number after "score>="/);
    assert.match(failure('model:').message, /Expected a model name/);
    assert.match(failure('has:nothing').message, /has:caption or has:suggestions/);
  });

  it('reads phrases and caption words as text searches', () => {
    assert.equal(show('"looking at viewer"'), '"looking at viewer"');
    assert.equal(show('caption:smile caption:smi* -caption:"two words"'), '("smile" "smi"* -"two words")');
    assert.equal(show('-"a \\"quoted\\" word"'), '-"a "quoted" word"');
    assert.equal(show('("a b")'), '"a b"');
  });

  it('reads sort keys, reversed by - on either side', () => {
    assert.deepEqual(parseQuery('a sort:mtime').sort, { key: 'mtime', descending: false });
    assert.deepEqual(parseQuery('sort:-width a').sort, { key: 'width', descending: true });
    assert.deepEqual(parseQuery('-sort:Width').sort, { key: 'width', descending: true });
    assert.deepEqual(parseQuery('-sort:-tags').sort, { key: 'tags', descending: false });
    assert.deepEqual(parseQuery('SORT:random').sort, { key: 'random', descending: false });
    assert.equal(show('a sort:height b'), '([a] [b])');
    for (const key of SORT_KEYS)
      assert.deepEqual(parseQuery(`sort:${key.toUpperCase()}`).sort, { key, descending: false });
  });

  it('keeps the span of each node', () => {
    const filter = parseQuery(' -(a OR b_c) width>=5').filter!;
    assert.equal(filter.type, 'and');
    assert.deepEqual([filter.position, filter.length], [1, 20]);
    const [not, width] = (filter as BoolNode).children;
    assert.deepEqual([not!.position, not!.length], [1, 11]);
    assert.deepEqual([width!.position, width!.length], [13, 8]);
  });

  it('reports malformed queries with their position', () => {
    const cases: [string, string, number, number][] = [
      ['a widht:5', 'Unknown field "widht" at column 3', 2, 5],
      ['(a b', 'Missing ")" for "(" at column 1', 0, 1],
      ['a (b (c)', 'Missing ")" for "(" at column 3', 2, 1],
      ['width>=abc', 'Expected a number after "width>=" at column 8', 7, 3],
      ['width>=', 'Expected a number after "width>=" at column 8', 7, 0],
      ['aspect:wide', 'Expected a number, portrait, landscape or square after "aspect:" at column 8', 7, 4],
      ['a)', 'Unmatched ")" at column 2', 1, 1],
      ['a ) b', 'Unmatched ")" at column 3', 2, 1],
      ['a OR', 'Expected a search term after "OR" at column 3', 2, 2],
      ['OR a', 'Expected a search term before "OR" at column 1', 0, 2],
      ['a OR OR b', 'Expected a search term after "OR" at column 3', 2, 2],
      ['(OR)', 'Expected a search term before "OR" at column 2', 1, 2],
      ['AND a', 'Expected a search term before "AND" at column 1', 0, 3],
      ['a AND', 'Expected a search term after "AND" at column 3', 2, 3],
      ['a AND AND b', 'Expected a search term after "AND" at column 3', 2, 3],
      ['a AND OR b', 'Expected a search term after "AND" at column 3', 2, 3],
      ['a OR AND b', 'Expected a search term before "AND" at column 6', 5, 3],
      ['(AND a)', 'Expected a search term before "AND" at column 2', 1, 3],
      ['(a AND)', 'Expected a search term after "AND" at column 4', 3, 3],
      ['-AND a', 'Expected a search term after "-" at column 1', 0, 1],
      ['()', 'Expected a search term inside "( )" at column 1', 0, 2],
      ['a - b', 'Expected a search term after "-" at column 3', 2, 1],
      ['a -', 'Expected a search term after "-" at column 3', 2, 1],
      ['-)', 'Expected a search term after "-" at column 1', 0, 1],
      ['"abc', 'Missing closing quote for " at column 1', 0, 1],
      ['folder:"abc', 'Missing closing quote for " at column 8', 7, 1],
      ['"a"b', 'Expected a space after the closing quote at column 4', 3, 1],
      ['""', 'Empty phrase at column 1', 0, 2],
      ['caption:', 'Expected a word or "phrase" after "caption:" at column 9', 8, 0],
      ['caption:*', 'Expected a word or "phrase" after "caption:" at column 9', 8, 1],
      ['sort:size', 'Unknown sort key "size" (use name, mtime, width, height, tags, random) at column 6', 5, 4],
      ['sort:name sort:width', 'Only one "sort:" is allowed at column 11', 10, 10],
      ['(a sort:width)', '"sort:" cannot be inside parentheses at column 4', 3, 10],
      ['ext>png', 'Expected ":" after "ext" at column 4', 3, 1],
      ['ext:', 'Expected an extension after "ext:" at column 5', 4, 0],
      ['folder:a/b', '"folder:" takes one folder name, without "/" at column 8', 7, 3],
      ['has:tags', 'Unknown value "tags" for "has:" (use has:caption or has:suggestions) at column 5', 4, 4],
    ];
    for (const [query, message, position, length] of cases) {
      assert.deepEqual(failure(query), { message, position, length }, query);
    }
  });

  it('limits the number of terms and the nesting depth', () => {
    assert.equal(parseQuery(Array(500).fill('a').join(' ')).filter?.type, 'and');
    assert.deepEqual(failure(Array(501).fill('a').join(' ')), {
      message: 'Too many terms (at most 500) at column 1001',
      position: 1000,
      length: 1,
    });
    assert.equal(show('('.repeat(64) + 'a' + ')'.repeat(64)), '[a]');
    assert.equal(failure('('.repeat(65) + 'a' + ')'.repeat(65)).position, 64);
    assert.equal(failure('-'.repeat(40) + '('.repeat(40) + 'a' + ')'.repeat(40)).position, 64);
    assert.equal(failure('('.repeat(100_000)).position, 64);
  });

  it('compiles to SQL with one parameter per placeholder and no user text in it', () => {
    const compiled = compileQuery(parseQuery(`kiyohime_(fate) "x'); DROP TABLE images; --" folder:a'b width>=1`));
    assert.ok(!compiled.where.includes('DROP') && !compiled.where.includes("a'b"));
    assert.equal(compiled.where.split('?').length - 1, compiled.params.length);
    assert.deepEqual(compiled.params, ['kiyohime (fate)', 'caption : "x\'); DROP TABLE images; --"', "a'b", 1]);
    assert.deepEqual(compileQuery(parseQuery('sort:-mtime')), {
      where: '1',
      params: [],
      sort: { key: 'mtime', descending: true },
    });
  });

  it('quotes full-text input so FTS syntax in it is plain text', () => {
    const { params } = compileQuery(parseQuery('"NEAR(a b) AND c*" OR caption:x"y* caption:{caption}:z'));
    assert.deepEqual(params, ['caption : "NEAR(a b) AND c*"', 'caption : "x""y" *', 'caption : "{caption}:z"']);
  });

  it('escapes GLOB characters of wildcard terms', () => {
    const { params } = compileQuery(parseQuery('what[?]*'));
    assert.deepEqual(params, ['what[[][?][]]*']);
  });

  it('either parses or throws a QueryError for random input, also reading known tags; the tolerant lexer never throws (fuzz)', () => {
    const pieces = [
      'a',
      'b',
      'Z',
      '_',
      '1',
      ' ',
      ' ',
      ' ',
      '(',
      ')',
      '"',
      '-',
      '*',
      ':',
      '<',
      '>',
      '=',
      '!',
      '.',
      '\\',
      ',',
      'OR',
      'AND',
      'or',
      'and',
      'width',
      'aspect',
      'caption',
      'sort',
      'folder',
      'ext',
      'has',
      'tags',
      'pixels',
      'k',
      'm',
      '\t',
      'é',
    ];
    let seed = 12345;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let parsed = 0;
    for (let n = 0; n < 5000; n++) {
      let query = '';
      const length = Math.floor(random() * 14);
      for (let i = 0; i < length; i++) query += pieces[Math.floor(random() * pieces.length)];
      const tokens = tokenize(query, { tolerant: true });
      tokens.forEach((t, i) =>
        assert.ok(
          t.position >= (i === 0 ? 0 : tokens[i - 1]!.position + tokens[i - 1]!.length) &&
            t.position + t.length <= query.length,
          query,
        ),
      );
      try {
        const ast = parseQuery(query);
        const compiled = compileQuery(ast);
        assert.equal(compiled.where.split('?').length - 1, compiled.params.length, query);
        const merged = compileQuery(parseQuery(query, { knownTag: (key) => key.length % 2 === 0 }));
        assert.equal(merged.where.split('?').length - 1, merged.params.length, query);
        parsed++;
      } catch (error) {
        if (!(error instanceof QueryError))
          throw new Error(`${JSON.stringify(query)} threw ${String(error)}`, { cause: error });
        assert.ok(error.position >= 0 && error.position + error.length <= query.length, query);
        assert.match(error.message, / at column \d+$/);
      }
    }
    assert.ok(parsed > 1000, `only ${parsed} random queries parsed`);
  });
});
