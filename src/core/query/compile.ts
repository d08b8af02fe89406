/**
 * Query AST to parameterised SQL over the index schema. User input only ever reaches SQL as bound
 * parameters; full-text input is quoted as one FTS5 string so FTS syntax in it is plain text.
 */
import type { QueryAst, QueryNode, SortSpec, TagPatternNode, TextNode } from './ast.ts';
import type { SortKey } from '../../shared/sortKeys.ts';

/** A piece of SQL and the values of its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** A query as SQL: `where` is a condition on the images table aliased `i` ('1' matches all). */
export interface CompiledQuery {
  where: string;
  params: unknown[];
  sort: SortSpec;
}

/** Leaves whose matches come from a table other than images (tags, folders, full text). */
export type SetLeaf = Extract<
  QueryNode,
  { type: 'tag' | 'tagPattern' | 'text' | 'folder' | 'model' | 'score' | 'suggested' }
>;

/** The images column each sort key orders by, and the index on (column, id) that serves it. */
export const SORT_COLUMNS: Readonly<Record<SortKey, { column: string; index: string }>> = {
  name: { column: 'name_key', index: 'images_name' },
  mtime: { column: 'mtime_ms', index: 'images_mtime' },
  width: { column: 'width', index: 'images_width' },
  height: { column: 'height', index: 'images_height' },
  tags: { column: 'tag_count', index: 'images_tag_count' },
  random: { column: 'rand', index: 'images_rand' },
};

/**
 * Columns of row conditions. Pixels and aspect are computed from width and height (exactly as the
 * stored columns are) so one covering index serves all of them. The unary `+` keeps SQLite from
 * answering a condition with a range over a one-column index plus a table lookup per row, which
 * it picks without statistics and which costs far more than scanning a covering index.
 */
const NUMERIC_COLUMNS = {
  width: '+i.width',
  height: '+i.height',
  pixels: '(i.width * i.height)',
  aspect: 'coalesce(i.width * 1.0 / i.height, 0)',
  tags: '+i.tag_count',
};
const SHAPE_CONDITIONS = {
  portrait: 'i.width < i.height',
  landscape: 'i.width > i.height',
  square: 'i.width = i.height',
};

/** Compiles a parsed query to a WHERE condition on `images i` and its sort order. */
export function compileQuery(ast: QueryAst): CompiledQuery {
  if (!ast.filter) return { where: '1', params: [], sort: ast.sort };
  const { sql, params } = compileCondition(ast.filter);
  return { where: sql, params, sort: ast.sort };
}

/** Any filter node as a condition on `images i`. */
export function compileCondition(node: QueryNode): SqlFragment {
  switch (node.type) {
    case 'and':
    case 'or': {
      const parts = node.children.map(compileCondition);
      const joiner = node.type === 'and' ? ' AND ' : ' OR ';
      return { sql: `(${parts.map((p) => p.sql).join(joiner)})`, params: parts.flatMap((p) => p.params) };
    }
    case 'not': {
      const inner = compileCondition(node.child);
      return { sql: `NOT (${inner.sql})`, params: inner.params };
    }
    case 'compare':
      return { sql: `${NUMERIC_COLUMNS[node.field]} ${node.op === '!=' ? '<>' : node.op} ?`, params: [node.value] };
    case 'shape':
      return { sql: SHAPE_CONDITIONS[node.shape], params: [] };
    case 'ext':
      return { sql: '+i.ext = ?', params: [node.ext] };
    case 'hasCaption':
      return { sql: '+i.tag_count > 0', params: [] };
    default: {
      const ids = compileIdSelect(node);
      return { sql: `i.id IN (${ids.sql})`, params: ids.params };
    }
  }
}

/** A set leaf as `SELECT ... AS id` of the ids of the images it matches (ids may repeat). */
export function compileIdSelect(node: SetLeaf): SqlFragment {
  switch (node.type) {
    case 'tag':
      return {
        sql: 'SELECT it.image_id AS id FROM image_tags it WHERE it.tag_id IN (SELECT t.id FROM tags t WHERE t.key = ?)',
        params: [node.key],
      };
    case 'tagPattern':
      return {
        sql: 'SELECT it.image_id AS id FROM image_tags it WHERE it.tag_id IN (SELECT t.id FROM tags t WHERE t.key GLOB ?)',
        params: [globPattern(node)],
      };
    case 'folder':
      return { sql: 'SELECT f.image_id AS id FROM image_folders f WHERE f.folder = ?', params: [node.name] };
    case 'text':
      return { sql: 'SELECT rowid AS id FROM caption_fts WHERE caption_fts MATCH ?', params: [ftsQuery(node)] };
    case 'model':
      return {
        sql: node.name.includes(':')
          ? 'SELECT a.image_id AS id FROM annotations a WHERE lower(a.model) = ? AND a.failure IS NULL'
          : 'SELECT a.image_id AS id FROM annotations a WHERE a.name = ? AND a.failure IS NULL',
        params: [node.name],
      };
    case 'score':
      return {
        sql: `SELECT a.image_id AS id FROM annotations a WHERE a.kind = 'score' AND a.score ${node.op === '!=' ? '<>' : node.op} ?`,
        params: [node.value],
      };
    case 'suggested':
      return node.key === null
        ? { sql: "SELECT m.image_id AS id FROM model_tags m WHERE m.status = 'suggested'", params: [] }
        : {
            sql: "SELECT m.image_id AS id FROM model_tags m WHERE m.status = 'suggested' AND m.key = ?",
            params: [node.key],
          };
  }
}

/** True when a node only tests columns of the images row (no tags, folders or full text). */
export function isRowCondition(node: QueryNode): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.every(isRowCondition);
    case 'not':
      return isRowCondition(node.child);
    case 'compare':
    case 'shape':
    case 'ext':
    case 'hasCaption':
      return true;
    default:
      return false;
  }
}

/** The FTS5 query for a text node: the caption column, the text as one quoted string (a phrase). */
export function ftsQuery(node: TextNode): string {
  return `caption : "${node.text.replaceAll('"', '""')}"${node.prefix ? ' *' : ''}`;
}

/** A tag pattern as a GLOB over tag keys, with GLOB's own special characters made literal. */
export function globPattern(node: TagPatternNode): string {
  return node.parts.map((part) => part.replace(/[[\]?*]/g, (c) => `[${c}]`)).join('*');
}
