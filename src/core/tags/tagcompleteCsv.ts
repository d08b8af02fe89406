/**
 * Tag databases in the a1111-sd-webui-tagcomplete CSV format: one tag a row,
 * `name,type,postCount,"alias1,alias2"` (type 0 general, 1 artist, 3 copyright, 4 character, 5 meta;
 * other numbers, such as e621's species or lore, count as `other`). A header row, quotes, CRLF, a
 * BOM and blank lines are fine; anything else that is not such a row is refused with its line number.
 *
 * The CSV reader is a small RFC 4180 one of our own rather than a dependency: the format is one
 * table of four short columns, and we need every record's starting line for error messages, which a
 * general parser would have to be configured (and trusted) to give.
 */
import { tagKey } from '../../shared/tags.ts';
import { danbooruCategory } from '../../shared/tagCategory.ts';
import type { TagCategory } from '../../shared/tagCategory.ts';

/** One tag of the database. */
export interface TagDbEntry {
  name: string;
  category: TagCategory;
  /** Posts with the tag on the booru the CSV was made from (0 when the CSV has none). */
  count: number;
  aliases: string[];
}

/** A tag database: its tags, most frequent first as the CSV lists them, and its aliases. */
export interface TagDatabase {
  entries: TagDbEntry[];
  /** Alias key -> the tag's name. Aliases that are tags themselves, or claimed by an earlier tag, are left out. */
  aliases: Record<string, string>;
  /** Aliases left out for the reasons above. */
  ignoredAliases: number;
}

/** A CSV file that is not a tag database, with the line at fault. */
export class TagCsvError extends Error {
  readonly line: number;

  constructor(source: string, line: number, message: string) {
    super(`${source}, line ${line}: ${message}`);
    this.name = 'TagCsvError';
    this.line = line;
  }
}

/** One CSV record and the line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records (RFC 4180: `""` inside quotes, quoted line breaks); LF, CRLF and CR all end records. */
export function readCsvRecords(text: string, source = 'CSV'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const open = line;
        i++;
        for (;;) {
          if (i >= text.length) throw new TagCsvError(source, open, 'a quoted field is never closed.');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new TagCsvError(source, line, `unexpected ${JSON.stringify(text[i])} after a closing quote.`);
        }
      } else {
        let end = i;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        field = text.slice(i, end);
        if (field.includes('"'))
          throw new TagCsvError(
            source,
            line,
            'a quote inside an unquoted field (quote the whole field and double the quote).',
          );
        i = end;
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    records.push({ line: start, fields });
  }
  return records;
}

/** Parses a tagcomplete CSV into a tag database; throws TagCsvError naming the line for anything that is not a tag row. */
export function parseTagcompleteCsv(text: string, source = 'tag CSV'): TagDatabase {
  if (text.includes('\u0000'))
    throw new TagCsvError(source, lineOfIndex(text, text.indexOf('\u0000')), 'this is a binary file, not a CSV.');
  const entries: TagDbEntry[] = [];
  let first = true;
  for (const { line, fields } of readCsvRecords(text, source)) {
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    const isHeader =
      first && fields.length >= 2 && !/^\s*\d+\s*$/.test(fields[1]!) && /^[a-z_ ]+$/i.test(fields[0]!.trim());
    first = false;
    if (isHeader) continue;
    if (fields.length < 2 || fields.length > 4) {
      throw new TagCsvError(
        source,
        line,
        `expected name,type[,postCount[,"aliases"]], found ${fields.length} field${fields.length === 1 ? '' : 's'}.`,
      );
    }
    const name = fields[0]!.trim();
    if (name === '') throw new TagCsvError(source, line, 'the tag name is empty.');
    const type = fields[1]!.trim();
    if (!/^\d+$/.test(type))
      throw new TagCsvError(
        source,
        line,
        `the type ${JSON.stringify(type)} is not a number (0 general, 1 artist, 3 copyright, 4 character, 5 meta).`,
      );
    const countText = (fields[2] ?? '').trim();
    if (countText !== '' && !/^\d+(\.0+)?$/.test(countText))
      throw new TagCsvError(source, line, `the post count ${JSON.stringify(countText)} is not a whole number.`);
    const aliases = (fields[3] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    entries.push({
      name,
      category: danbooruCategory(Number(type)) ?? 'other',
      count: countText === '' ? 0 : Math.trunc(Number(countText)),
      aliases,
    });
  }
  if (entries.length === 0) throw new TagCsvError(source, 1, 'no tags found.');
  return { entries, ...aliasTable(entries) };
}

/** Alias key -> tag name; an alias that is a tag itself, or already claimed by a more frequent tag, is left out. */
function aliasTable(entries: readonly TagDbEntry[]): { aliases: Record<string, string>; ignoredAliases: number } {
  const names = new Set(entries.map((e) => tagKey(e.name)));
  const table = new Map<string, string>();
  let ignored = 0;
  for (const entry of entries) {
    for (const alias of entry.aliases) {
      const key = tagKey(alias);
      if (names.has(key) || table.has(key)) {
        if (key !== tagKey(entry.name)) ignored++;
        continue;
      }
      table.set(key, entry.name);
    }
  }
  return { aliases: Object.fromEntries(table), ignoredAliases: ignored };
}

function lineOfIndex(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
