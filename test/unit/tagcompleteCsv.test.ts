import assert from 'node:assert/strict';
import { parseTagcompleteCsv, readCsvRecords, TagCsvError } from '../../src/core/tags/tagcompleteCsv.ts';

describe('tagcomplete CSV tag databases', () => {
  it('reads rows with categories, counts and aliases', () => {
    const db = parseTagcompleteCsv(
      '1girl,0,4114588,"1girls,sole_female"\nhatsune_miku,4,90000,"miku,初音ミク"\nvocaloid,3,120000,\nwlop,1,900\nhighres,5,3000000,"high_res"\nfeline,6,10\n',
    );
    assert.deepEqual(
      db.entries.map((e) => [e.name, e.category, e.count]),
      [
        ['1girl', 'general', 4114588],
        ['hatsune_miku', 'character', 90000],
        ['vocaloid', 'copyright', 120000],
        ['wlop', 'artist', 900],
        ['highres', 'meta', 3000000],
        ['feline', 'other', 10],
      ],
    );
    assert.deepEqual(db.entries[1]!.aliases, ['miku', '初音ミク']);
    assert.deepEqual(db.aliases, {
      '1girls': '1girl',
      'sole female': '1girl',
      miku: 'hatsune_miku',
      初音ミク: 'hatsune_miku',
      'high res': 'highres',
    });
  });

  it('tolerates a header row, a BOM, CRLF, blank lines and quoted names', () => {
    const db = parseTagcompleteCsv(
      '\uFEFFname,type,count,aliases\r\n\r\n"kiyohime_(fate)",4,10,"kiyo"\r\n"say ""hi""",0,1,\r\n\r\n',
    );
    assert.deepEqual(
      db.entries.map((e) => e.name),
      ['kiyohime_(fate)', 'say "hi"'],
    );
    assert.deepEqual(db.aliases, { kiyo: 'kiyohime_(fate)' });
  });

  it('leaves out aliases that are tags themselves or already claimed', () => {
    const db = parseTagcompleteCsv('cat,0,100,"kitty,dog"\ndog,0,50,kitty\n');
    assert.deepEqual(db.aliases, { kitty: 'cat' });
    assert.equal(db.ignoredAliases, 2);
  });

  it('reads quoted line breaks and records their starting lines', () => {
    assert.deepEqual(readCsvRecords('a,"b\nc"\nd,e'), [
      { line: 1, fields: ['a', 'b\nc'] },
      { line: 3, fields: ['d', 'e'] },
    ]);
  });

  for (const [name, text, line, pattern] of [
    ['a non-numeric type', '1girl,0,5\nsolo,general,3\n', 2, /type "general" is not a number/],
    ['a bad count', 'solo,0,lots\n', 1, /post count "lots" is not a whole number/],
    ['too many fields', 'a,0,1,x\n\nb,0,1,x,y,z\n', 3, /found 6 fields/],
    ['a lone field', 'a,0\nhello\n', 2, /found 1 field\./],
    ['an unclosed quote', 'a,0\n"b,0,1\n', 2, /never closed/],
    ['text after a quote', '"a"x,0\n', 1, /after a closing quote/],
    ['a stray quote', 'a"b,0\n', 1, /quote inside an unquoted field/],
    ['an empty name', ',0,1\n', 1, /tag name is empty/],
    ['a binary file', 'ab\ncd\u0000', 2, /binary file/],
    ['nothing at all', '\n\n', 1, /no tags found/],
  ] as const) {
    it(`refuses ${name} with the line number`, () => {
      assert.throws(
        () => parseTagcompleteCsv(text, 'db.csv'),
        (err: Error) =>
          err instanceof TagCsvError &&
          err.line === line &&
          pattern.test(err.message) &&
          err.message.startsWith(`db.csv, line ${line}: `),
      );
    });
  }
});
