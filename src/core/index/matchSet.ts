/**
 * Evaluating a query filter to the set of image ids it matches, as a bitmap. Each tag, folder and
 * full-text leaf is one indexed lookup; conditions on the images row are one query per group of
 * them; AND, OR and NOT are then word-wise bit operations. Counting the matches is a popcount, and
 * a page of results is found by testing ids against the bitmap.
 */
import type { Database } from 'better-sqlite3';
import type { QueryNode } from '../query/ast.ts';
import { compileCondition, compileIdSelect, isRowCondition } from '../query/compile.ts';
import type { SetLeaf, SqlFragment } from '../query/compile.ts';
import { cachedStatement } from './statementCache.ts';

/** Row conditions ANDed with other terms are checked per candidate when those match under 1/16 of the id range. */
const FEW_CANDIDATES = 16;

/** A set of image ids: the ids set in `bits`, or when `negated`, every image id not set in it. */
export interface MatchSet {
  bits: Uint32Array;
  negated: boolean;
}

/** A filter's matches, how many there are, and how many images the index holds. */
export interface FilterMatches {
  set: MatchSet;
  count: number;
  totalImages: number;
}

/** Evaluates a filter over the index (call inside a transaction for a consistent snapshot). */
export function matchFilter(db: Database, node: QueryNode): FilterMatches {
  const totalImages = cachedStatement(db, 'SELECT count(*) FROM images').pluck(true).get() as number;
  const maxId = (cachedStatement(db, 'SELECT max(id) FROM images').pluck(true).get() as number | null) ?? 0;
  const set = evaluate(db, node, (maxId >>> 5) + 1);
  return { set, count: countMatches(set, totalImages), totalImages };
}

function evaluate(db: Database, node: QueryNode, words: number): MatchSet {
  if (isRowCondition(node)) return { bits: rowSet(db, compileCondition(node), words, null), negated: false };
  switch (node.type) {
    case 'not': {
      const inner = evaluate(db, node.child, words);
      return { bits: inner.bits, negated: !inner.negated };
    }
    case 'and':
    case 'or': {
      let result: MatchSet | null = null;
      for (const child of node.children.filter((c) => !isRowCondition(c))) {
        if (result && node.type === 'and' && !result.negated && popcount(result.bits) === 0) break;
        const set = evaluate(db, child, words);
        result = result ? (node.type === 'and' ? intersect(result, set) : unite(result, set)) : set;
      }
      const rows = node.children.filter(isRowCondition);
      if (rows.length === 0) return result!;
      const condition = compileCondition(rows.length === 1 ? rows[0]! : { ...node, children: rows });
      if (node.type === 'and' && result && !result.negated && popcount(result.bits) * FEW_CANDIDATES < words * 32) {
        return { bits: rowSet(db, condition, words, result), negated: false };
      }
      const set: MatchSet = { bits: rowSet(db, condition, words, null), negated: false };
      return result ? (node.type === 'and' ? intersect(result, set) : unite(result, set)) : set;
    }
    default:
      return { bits: idSet(db, compileIdSelect(node as SetLeaf), words), negated: false };
  }
}

/** How many images a set holds, given the number of images in the index. */
export function countMatches(set: MatchSet, totalImages: number): number {
  const count = popcount(set.bits);
  return set.negated ? totalImages - count : count;
}

/** Whether the set holds image `id`. */
export function hasMatch(set: MatchSet, id: number): boolean {
  const word = set.bits[id >>> 5] ?? 0;
  return (((word >>> (id & 31)) & 1) === 1) !== set.negated;
}

/** The ids a set holds, ascending (reads every image id when the set is negated). */
export function matchedIds(db: Database, set: MatchSet): number[] {
  if (!set.negated) return setIds(set.bits);
  const all = idSet(db, { sql: 'SELECT id FROM images', params: [] }, set.bits.length);
  return setIds(all.map((word, i) => word & ~set.bits[i]!));
}

function setIds(bits: Uint32Array): number[] {
  const ids: number[] = [];
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const low = word & -word;
      ids.push(w * 32 + 31 - Math.clz32(low));
      word ^= low;
    }
  }
  return ids;
}

/** Images whose row meets `condition`; only those among `candidates` when given (looked up by id). */
function rowSet(db: Database, condition: SqlFragment, words: number, candidates: MatchSet | null): Uint32Array {
  if (!candidates) {
    return idSet(db, { sql: `SELECT i.id FROM images i WHERE ${condition.sql}`, params: condition.params }, words);
  }
  const sql = `SELECT i.id FROM images i NOT INDEXED WHERE i.id IN (SELECT value FROM json_each(?)) AND ${condition.sql}`;
  return idSet(db, { sql, params: [JSON.stringify(setIds(candidates.bits)), ...condition.params] }, words);
}

/** Runs a `SELECT id ...` and sets the bit of every id it returns. */
function idSet(db: Database, select: SqlFragment, words: number): Uint32Array {
  const list = cachedStatement(db, `SELECT group_concat(id) FROM (${select.sql})`)
    .pluck(true)
    .get(...select.params);
  const bits = new Uint32Array(words);
  if (typeof list !== 'string') return bits;
  let id = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = i < list.length ? list.charCodeAt(i) : 44;
    if (c === 44) {
      if (id >>> 5 < words) bits[id >>> 5]! |= 1 << (id & 31);
      id = 0;
    } else {
      id = id * 10 + c - 48;
    }
  }
  return bits;
}

function intersect(a: MatchSet, b: MatchSet): MatchSet {
  if (!a.negated && !b.negated) return { bits: combine(a.bits, b.bits, (x, y) => x & y), negated: false };
  if (!a.negated) return { bits: combine(a.bits, b.bits, (x, y) => x & ~y), negated: false };
  if (!b.negated) return { bits: combine(b.bits, a.bits, (x, y) => x & ~y), negated: false };
  return { bits: combine(a.bits, b.bits, (x, y) => x | y), negated: true };
}

function unite(a: MatchSet, b: MatchSet): MatchSet {
  if (!a.negated && !b.negated) return { bits: combine(a.bits, b.bits, (x, y) => x | y), negated: false };
  if (!a.negated) return { bits: combine(b.bits, a.bits, (x, y) => x & ~y), negated: true };
  if (!b.negated) return { bits: combine(a.bits, b.bits, (x, y) => x & ~y), negated: true };
  return { bits: combine(a.bits, b.bits, (x, y) => x & y), negated: true };
}

function combine(a: Uint32Array, b: Uint32Array, op: (x: number, y: number) => number): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = op(a[i]!, b[i]!);
  return out;
}

function popcount(bits: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < bits.length; i++) {
    let v = bits[i]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return count;
}
