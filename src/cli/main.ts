/** The `tagbench` command-line front end over the core library. */
import { CommandContext } from './commandContext.ts';
import { UsageError } from './cliError.ts';
import { runIndexCommand } from './commands/indexCommand.ts';
import { runSearchCommand } from './commands/searchCommand.ts';
import { runStatsCommand } from './commands/statsCommand.ts';
import { runProblemsCommand } from './commands/problemsCommand.ts';
import { runJobsCommand, runProcessCommand, runResumeCommand } from './commands/jobCommands.ts';
import { runExportCommand } from './commands/exportCommand.ts';
import { runTagsCommand } from './commands/tagsCommand.ts';
import { runRedoCommand, runUndoCommand } from './commands/undoCommand.ts';
import { runDownloadCommand, runModelsCommand } from './commands/modelCommands.ts';
import { runAnnotateCommand } from './commands/annotateCommand.ts';
import { DatasetError } from '../core/dataset/datasetRoot.ts';
import { QueryError } from '../shared/queryError.ts';
import { EditLockTimeoutError } from '../core/edits/editLock.ts';
import { BatchNotStartedError } from '../core/edits/batchFiles.ts';
import { IndexBusyError, IndexInUseError } from '../core/index/indexErrors.ts';
import { DiskFullError } from '../core/diskFull.ts';
import { JobRunningError } from '../core/jobs/jobStore.ts';
import { SORT_KEYS } from '../shared/sortKeys.ts';

const HELP = `tagbench: index, search and inspect image datasets for LoRA and diffusion training.

Usage:
  tagbench index DIR [--no-thumbs] [--json]      create or update DIR's index
  tagbench rebuild DIR [--json]                  rebuild the index from the files, in place (job history kept)
  tagbench search DIR QUERY [--limit N] [--offset N] [--json]
  tagbench stats DIR [QUERY] [--limit N] [--json]   tag frequencies, most frequent first
  tagbench problems DIR [--json]                 files the last run could not use, and why
  tagbench process DIR [QUERY] [--crop auto|none] [--resize RES] [--mode crop|fit|pad]
                   [--upscale MODEL] [--upscale-to PX] [--models DIR] [--flatten '#ffffff'] [--keep-metadata] [--json]
                                                 crop/resize/upscale into .tagbench/derived/ (originals untouched)
  tagbench export DIR --out OUT --format kohya|hf|plain [--query Q | --project NAME] [--name NAME]
                  [--repeats N] [--resolution RES] [--crop auto|none] [--trigger WORD] [--class-tokens T]
                  [--blacklist a,b] [--keep-underscores] [--no-escape] [--test-split 0.1] [--paths relative|absolute]
                  [--force] [--json]
  tagbench annotate DIR [QUERY] --tagger PATH [--general 0.35] [--character 0.85] [--batch-size 8]
                    [--merge append|replace|review] [--exclude a,b] [--keep-underscores] [--json]
  tagbench annotate DIR [QUERY] --scorer PATH    aesthetic scores (and embeddings) into the sidecars
  tagbench annotate DIR [QUERY] --provider openai|anthropic|google|openai-compatible [--model M]
                    [--base-url URL] [--style tags|sentence|both] [--template FILE] [--trigger WORD]
                    [--max-side 1024] [--rpm N] [--concurrency N] [--batch] [--estimate] [--skip-refused]
                    [--merge ...] [--json]      keys from OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY
  tagbench jobs DIR [--json]                     jobs and their state
  tagbench resume DIR JOB [--retry-failed]       finish a cancelled or interrupted job
  tagbench tags DIR normalize [QUERY] [--keep-underscores] [--no-escape] [--dry-run] [--json]
  tagbench tags DIR rename OLD NEW [QUERY] [--dry-run] [--json]
  tagbench tags DIR apply-rules FILE [QUERY] [--dry-run] [--json]
  tagbench tags DIR accept|reject [QUERY] [--model ID] [--min 0.5] [--below 0.3] [--keep-underscores] [--dry-run] [--json]
                                                 tag hygiene, or accepting/rejecting model suggestions, as
                                                 one undoable batch; FILE is tag rules JSON (see
                                                 config/tagRules.example.json) or a tagcomplete CSV
  tagbench undo DIR [--json]                     undo the last batch edit
  tagbench redo DIR [--json]                     redo the batch edit undone last
  tagbench models DIR [--json]                   downloadable models and which are installed in models folder DIR
  tagbench download MODEL --to DIR [--json]      download (or resume) a model into models folder DIR;
                                                 HF_ENDPOINT picks a mirror, HF_TOKEN a token

Options:
  --json               machine-readable output on stdout
  --dry-run            show what a batch edit would change, and write nothing
  --wait SECONDS       how long a batch edit, undo or redo waits for another writer of the dataset (default 30)
  --force              index folders that look wrong (home, system folders, too many files)
  --caption-ext EXT    caption file extension (default .txt)
  --thumb-size PX      thumbnail long side (default 256)
  --max-files N        refuse folders with more files than N (default 500000)
  --max-pixels N       images above N pixels are treated as decompression bombs
  --concurrency N      images decoded at once (default: twice the CPU cores)
  --workers N          worker threads for process/export (default: CPU cores)
  --debug              print stack traces for errors

Query language (AND by default):
  smile  blue_eyes  long_*  -solo  "a phrase"  caption:word  width>=1024  height<512
  pixels>=1m  aspect>1.5  aspect:portrait  ext:png  folder:10_alice  has:caption  -has:caption
  tags>30  sort:${SORT_KEYS.join('|')} (-sort:... reverses)  a OR b  ( ... )
  model:wd-vit-tagger-v3  score>=6  suggested:smile  has:suggestions
`;

/**
 * A line writer to one of the process's output streams that goes quiet once nobody reads it: when
 * the reader closed the pipe (`tagbench ... | head`), the rest of the output is dropped and the
 * command still finishes (a batch edit is never cut short by a closed pipe), as other CLIs do.
 */
export function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let gone = false;
  stream.on('error', () => {
    // EPIPE (the reader went away) or a write after that: nothing more can be shown on this stream.
    gone = true;
  });
  return (line) => {
    if (!gone && !stream.destroyed) stream.write(line + '\n');
  };
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const [command, ...args] = argv;
  let debug = argv.includes('--debug');
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      out(HELP.trimEnd());
      return command === undefined ? 2 : 0;
    }
    const ctx = new CommandContext(command, args, out, err);
    debug = ctx.flag('debug');
    if (ctx.flag('help')) {
      out(HELP.trimEnd());
      return 0;
    }
    switch (command) {
      case 'index':
        return await runIndexCommand(ctx, false);
      case 'rebuild':
        return await runIndexCommand(ctx, true);
      case 'search':
        return runSearchCommand(ctx);
      case 'stats':
        return runStatsCommand(ctx);
      case 'problems':
        return runProblemsCommand(ctx);
      case 'process':
        return await runProcessCommand(ctx);
      case 'export':
        return await runExportCommand(ctx);
      case 'jobs':
        return runJobsCommand(ctx);
      case 'resume':
        return await runResumeCommand(ctx);
      case 'tags':
        return runTagsCommand(ctx);
      case 'undo':
        return runUndoCommand(ctx);
      case 'redo':
        return runRedoCommand(ctx);
      case 'models':
        return runModelsCommand(ctx);
      case 'download':
        return await runDownloadCommand(ctx);
      case 'annotate':
        return await runAnnotateCommand(ctx);
      default:
        throw new UsageError(`Unknown command "${command}"; see "tagbench --help".`);
    }
  } catch (error) {
    const e = error as Error;
    if (error instanceof UsageError || error instanceof DatasetError || error instanceof QueryError) {
      err(`tagbench: ${e.message}`);
      if (debug) err(e.stack ?? '');
      return 2;
    }
    // Conditions of the machine or of another writer, not defects: their message says all there is.
    const expected = [
      EditLockTimeoutError,
      BatchNotStartedError,
      IndexBusyError,
      IndexInUseError,
      DiskFullError,
      JobRunningError,
    ].some((type) => error instanceof type);
    err(`tagbench: ${oneSentence(e)}${debug || expected ? '' : ' (run with --debug for details)'}`);
    if (debug) err(e.stack ?? String(error));
    return 1;
  }
}

function oneSentence(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error.message || String(error)).split('\n')[0]!;
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return `The index database is damaged (${message}); run "tagbench rebuild DIR".`;
  if (code === 'ENOSPC') return 'The disk is full.';
  return message.endsWith('.') ? message : `${message}.`;
}
