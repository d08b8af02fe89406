/**
 * The index database's schema. The index is a cache of the files: every table here can be rebuilt
 * from the dataset folder (the job history, which cannot, lives in jobs.db: src/core/jobs/jobsSchema.ts).
 * Bump SCHEMA_VERSION and add a migration in migrations.ts for any change.
 */

/** `PRAGMA application_id` of a Tagbench index ('TGBN'); any other value means a foreign database. */
export const APPLICATION_ID = 0x5447424e;

/** `PRAGMA user_version` of the current schema. */
export const SCHEMA_VERSION = 6;

/**
 * What annotators said about each image, as its sidecar records it (the sidecar is the truth; these
 * rows are rebuilt from it): for `model:NAME`, `score>=N`, `suggested:TAG` and the warning before a
 * run over images a provider refused.
 */
export const ANNOTATION_TABLES = `
-- The latest result (or failure) of each model on each image.
CREATE TABLE annotations (
  image_id INTEGER NOT NULL,
  model    TEXT NOT NULL,               -- 'tagger:wd-vit-tagger-v3', 'openai:gpt-4.1-mini'
  name     TEXT NOT NULL,               -- lower-cased model id after its first ':' ('wd-vit-tagger-v3')
  kind     TEXT NOT NULL,               -- tags, caption, score
  version  TEXT,
  at       TEXT,
  score    REAL,                        -- for kind 'score'
  failure  TEXT,                        -- policy, malformed, ... when the last attempt failed
  PRIMARY KEY (image_id, model, kind)
) WITHOUT ROWID;
CREATE INDEX annotations_name ON annotations(name, image_id);
CREATE INDEX annotations_model ON annotations(model, image_id);
CREATE INDEX annotations_score ON annotations(kind, score, image_id);
CREATE INDEX annotations_failure ON annotations(failure, model) WHERE failure IS NOT NULL;

-- Tags models proposed for each image and where they stand (accepted into the caption, suggested
-- for review, rejected by the user).
CREATE TABLE model_tags (
  image_id   INTEGER NOT NULL,
  key        TEXT NOT NULL,             -- tagKey of the tag
  name       TEXT NOT NULL,
  model      TEXT NOT NULL,             -- the model id, without the 'model:' source prefix
  confidence REAL,
  status     TEXT NOT NULL,             -- accepted, suggested, rejected
  PRIMARY KEY (image_id, key)
) WITHOUT ROWID;
CREATE INDEX model_tags_status ON model_tags(status, key, image_id);
`;

/**
 * The meta key saying the thumbnail cache needs a sweep ('1'): set when an image's content leaves the
 * index (by the triggers below, whoever removes it) and by an index run about to make thumbnails (a
 * kill may leave temporary files); the sweep at the end of a complete run resets it to '0'.
 */
export const THUMBS_SWEEP_KEY = 'thumbs_sweep';

/** The meta key holding when the thumbnail cache was last swept (ms since the epoch). */
export const THUMBS_SWEPT_AT_KEY = 'thumbs_swept_at';

/** Triggers that note when an image's content leaves the index, so thumbnails are swept only then. */
export const CONTENT_TRIGGERS = `
CREATE TRIGGER images_content_removed AFTER DELETE ON images BEGIN
  INSERT INTO meta (key, value) VALUES ('${THUMBS_SWEEP_KEY}', '1') ON CONFLICT (key) DO UPDATE SET value = '1';
END;
CREATE TRIGGER images_content_changed AFTER UPDATE OF sha256 ON images WHEN old.sha256 <> new.sha256 BEGIN
  INSERT INTO meta (key, value) VALUES ('${THUMBS_SWEEP_KEY}', '1') ON CONFLICT (key) DO UPDATE SET value = '1';
END;
`;

/**
 * The current schema, created in one go for a new index. Paths are relative to the dataset root with
 * `/` separators. Tag keys are normalised for matching (see tagKey in src/shared/tags.ts).
 */
export const CURRENT_SCHEMA = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per dataset image that decoded. Files that failed are in problems, never here.
CREATE TABLE images (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL UNIQUE,     -- '10_alice/a.png'
  dir          TEXT NOT NULL,            -- '10_alice' ('' at the root)
  name         TEXT NOT NULL,            -- 'a.png'
  name_key     TEXT NOT NULL,            -- lower-cased path, for sort:name
  ext          TEXT NOT NULL,            -- lower-cased extension without the dot ('jpeg' is stored as 'jpg')
  size         INTEGER NOT NULL,         -- bytes
  mtime_ms     INTEGER NOT NULL,
  sha256       TEXT NOT NULL,            -- hex of the content
  format       TEXT NOT NULL,            -- decoder's format: jpeg, png, webp, gif, tiff, heif, bmp
  width        INTEGER NOT NULL,         -- as displayed (after EXIF orientation)
  height       INTEGER NOT NULL,
  pixels       INTEGER NOT NULL,         -- width * height
  aspect       REAL NOT NULL,            -- width / height
  channels     INTEGER NOT NULL,
  has_alpha    INTEGER NOT NULL,
  bit_depth    INTEGER NOT NULL,         -- bits per sample
  space        TEXT NOT NULL,            -- srgb, b-w, cmyk, rgb16, grey16, ...
  frames       INTEGER NOT NULL,         -- 1 unless animated / multi-page
  orientation  INTEGER NOT NULL,         -- EXIF orientation 1..8
  phash        TEXT NOT NULL,            -- 64-bit DCT hash, 16 hex digits
  dhash        TEXT NOT NULL,            -- 64-bit difference hash, 16 hex digits
  caption_path TEXT,                     -- relative path of the caption file, NULL when none
  caption      TEXT,                     -- caption text (no BOM), NULL when none or unreadable
  caption_size INTEGER,
  caption_mtime_ms INTEGER,
  tag_count    INTEGER NOT NULL DEFAULT 0,
  sidecar_path TEXT,                     -- relative path of the .tagbench.json sidecar in use
  sidecar_size INTEGER,
  sidecar_mtime_ms INTEGER,
  sidecar      TEXT,                     -- the sidecar's JSON as read
  rand         INTEGER NOT NULL          -- random key for sort:random
);
CREATE INDEX images_sha256 ON images(sha256);
CREATE INDEX images_name ON images(name_key, id);
CREATE INDEX images_mtime ON images(mtime_ms, id);
CREATE INDEX images_width ON images(width, id);
CREATE INDEX images_height ON images(height, id);
CREATE INDEX images_tag_count ON images(tag_count, id);
CREATE INDEX images_rand ON images(rand, id);
CREATE INDEX images_caption_path ON images(caption_path);
CREATE INDEX images_dir ON images(dir, name_key);
-- Covers every condition on the image row (width, height, pixels, aspect, ext, has:caption, tags>N).
CREATE INDEX images_filter ON images(width, height, ext, tag_count);

-- Every distinct tag text (unescaped: 'kiyohime (fate)'), and its key for matching ('kiyohime (fate)'
-- for 'Kiyohime_(Fate)': lower case, underscores as spaces).
CREATE TABLE tags (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  key  TEXT NOT NULL
);
CREATE INDEX tags_key ON tags(key);

-- The tags of each image's caption, in caption order.
CREATE TABLE image_tags (
  image_id INTEGER NOT NULL,
  pos      INTEGER NOT NULL,
  tag_id   INTEGER NOT NULL,
  PRIMARY KEY (image_id, pos)
) WITHOUT ROWID;
CREATE INDEX image_tags_tag ON image_tags(tag_id, image_id);

-- Every folder name on each image's path, for folder:NAME at any level (lower-cased).
CREATE TABLE image_folders (
  folder   TEXT NOT NULL,
  image_id INTEGER NOT NULL,
  PRIMARY KEY (folder, image_id)
) WITHOUT ROWID;
CREATE INDEX image_folders_image ON image_folders(image_id);

-- Full-text search over caption text and tags; rowid = images.id.
CREATE VIRTUAL TABLE caption_fts USING fts5(
  caption, tags,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);

-- Problems found by the last scan. size/mtime_ms let a rescan keep a failed file's problem without
-- reading it again while it is unchanged.
CREATE TABLE problems (
  id       INTEGER PRIMARY KEY,
  path     TEXT NOT NULL,
  kind     TEXT NOT NULL,
  severity TEXT NOT NULL,
  message  TEXT NOT NULL,
  size     INTEGER,
  mtime_ms INTEGER
);
CREATE INDEX problems_path ON problems(path);

${ANNOTATION_TABLES}${CONTENT_TRIGGERS}`;

/** Every table of the index (all rebuilt from the files); a rebuild empties them in one transaction. */
export const CACHE_TABLES = [
  'meta',
  'images',
  'tags',
  'image_tags',
  'image_folders',
  'problems',
  'annotations',
  'model_tags',
] as const;

/** The full-text table, emptied with its own command. */
export const FULL_TEXT_TABLE = 'caption_fts';
