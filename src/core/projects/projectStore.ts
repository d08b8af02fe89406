/**
 * Projects: named training sets of a dataset, kept as human-readable JSON files under
 * `.tagbench/projects/` (user data, never git-ignored). A project lists its images (by content hash
 * and path, so members survive renames) or keeps a saved query, plus training settings.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';

/** A member image of a project. */
export interface ProjectMember {
  sha256: string;
  path: string;
}

/** A project file's content. */
export interface Project {
  tagbench: 1;
  name: string;
  /** The trigger word put first in captions at export. */
  trigger: string;
  /** kohya class tokens (e.g. "woman"). */
  classTokens: string;
  /** Target training resolution (long side / bucket base), in pixels. */
  resolution: number;
  /** kohya repeats per epoch. */
  repeats: number;
  /** A saved query whose results are the members (members is then empty), or null. */
  query: string | null;
  members: ProjectMember[];
  created: string;
  updated: string;
}

/** A project that cannot be read, or an invalid name. */
export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectError';
  }
}

/** The folder holding a dataset's projects. */
export function projectsDir(root: string): string {
  return join(root, TAGBENCH_DIR, 'projects');
}

/** The file name of a project: its name, lower-cased, with anything but letters, digits, `-` and `_` as `-`. */
export function projectFileName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 100) throw new ProjectError('A project name must have 1 to 100 characters.');
  const slug = trimmed
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}_-]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  if (slug === '') throw new ProjectError(`"${name}" has no letters or digits to name a file after.`);
  return `${slug}.json`;
}

/** A new project with defaults. */
export function newProject(
  name: string,
  fields: Partial<Omit<Project, 'tagbench' | 'name' | 'created' | 'updated'>> = {},
): Project {
  const now = new Date().toISOString();
  return {
    tagbench: 1,
    name: name.trim(),
    trigger: fields.trigger ?? '',
    classTokens: fields.classTokens ?? '',
    resolution: fields.resolution ?? 1024,
    repeats: fields.repeats ?? 10,
    query: fields.query ?? null,
    members: fields.members ?? [],
    created: now,
    updated: now,
  };
}

/** Writes a project (atomically). Refuses to replace a different project with the same file name unless `replace`. */
export function saveProject(root: string, project: Project, replace = false): string {
  const dir = projectsDir(root);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, projectFileName(project.name));
  if (!replace) {
    const existing = tryRead(file);
    if (existing) throw new ProjectError(`A project named "${existing.name}" already exists.`);
  }
  writeFileAtomic(file, JSON.stringify({ ...project, updated: new Date().toISOString() }, null, 2) + '\n');
  return file;
}

/** All readable projects of a dataset, by name; unreadable files are reported in `problems`. */
export function listProjects(root: string): { projects: Project[]; problems: { file: string; message: string }[] } {
  const dir = projectsDir(root);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch {
    return { projects: [], problems: [] };
  }
  const projects: Project[] = [];
  const problems: { file: string; message: string }[] = [];
  for (const name of names) {
    try {
      projects.push(parseProject(readFileSync(join(dir, name), 'utf8')));
    } catch (err) {
      problems.push({ file: join(dir, name), message: (err as Error).message });
    }
  }
  return { projects: projects.sort((a, b) => a.name.localeCompare(b.name)), problems };
}

/** Reads the project with this name. */
export function loadProject(root: string, name: string): Project {
  const project = tryRead(join(projectsDir(root), projectFileName(name)));
  if (!project) throw new ProjectError(`There is no project named "${name}".`);
  return project;
}

/** Deletes a project file (its images are untouched). */
export function deleteProject(root: string, name: string): void {
  rmSync(join(projectsDir(root), projectFileName(name)), { force: true });
}

/** Parses and checks a project file's text. */
export function parseProject(text: string): Project {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProjectError(`The project file is not valid JSON: ${(err as Error).message}.`);
  }
  const p = value as Partial<Project> | null;
  const fail = (what: string): never => {
    throw new ProjectError(`The project file has ${what}.`);
  };
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return fail('no JSON object');
  if (p.tagbench !== 1) fail('an unknown format version');
  if (typeof p.name !== 'string' || p.name.trim() === '') fail('no name');
  if (typeof p.trigger !== 'string' || typeof p.classTokens !== 'string') fail('an invalid trigger or classTokens');
  if (!Number.isInteger(p.resolution) || p.resolution! < 64 || p.resolution! > 8192) fail('an invalid resolution');
  if (!Number.isInteger(p.repeats) || p.repeats! < 1 || p.repeats! > 10000) fail('an invalid repeats count');
  if (p.query !== null && typeof p.query !== 'string') fail('an invalid query');
  if (
    !Array.isArray(p.members) ||
    !p.members.every(
      (m) => typeof m?.sha256 === 'string' && typeof m.path === 'string' && !m.path.split('/').includes('..'),
    )
  ) {
    fail('invalid members');
  }
  return p as Project;
}

function tryRead(file: string): Project | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseProject(text);
}
