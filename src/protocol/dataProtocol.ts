/**
 * Messages between the extension host and a dataset's data worker, which answers every query and
 * carries out every edit on that dataset (so the extension host thread never waits on SQLite or disk).
 */
import type { AnnotatorFolder } from '../core/annotate/annotatorFolders.ts';
import type { CloudSpec } from '../core/annotate/annotatorSpec.ts';
import type { CloudEstimate } from '../core/annotate/cloud/estimate.ts';
import type { ImageInfo, FileEntry, FolderEntry } from '../core/index/imageQueries.ts';
import type { Problem } from '../core/problems.ts';
import type { Project } from '../core/projects/projectStore.ts';
import type { JobInfo } from '../core/jobs/jobStore.ts';
import type { ExportJobSpec, JobReport, JobSpec } from '../core/jobs/jobService.ts';
import type { ExportFolderCheck } from '../core/export/exportFolder.ts';
import type { ExportSourceSummary } from '../core/export/exportSource.ts';
import type { JobProgress } from '../core/jobs/jobRunner.ts';
import type { RequestedBatchAction } from '../core/edits/batchService.ts';
import type { ServiceBatchOutcome } from '../core/service/datasetService.ts';
import type { BatchPreview } from '../shared/batchReport.ts';
import type { Selection } from '../shared/imageSelection.ts';
import type { GalleryPage, QueryProblem, TagFrequencies } from '../shared/searchResults.ts';
import type { TagSuggestion } from '../shared/tagSuggestion.ts';
import type { ValueField } from '../shared/queryFields.ts';

/** A batch the data worker plans: any batch action, or the rules of a file (JSON rules or a tagcomplete CSV) it loads itself. */
export type DataBatchAction = RequestedBatchAction;

/** What the data worker answers. */
export interface DataWorkerApi {
  requests: {
    /** Opens (or, with reopen, reconnects to a rebuilt) index; also updates settings. */
    open: {
      params: {
        root: string;
        captionExtension: string;
        thumbnailSize: number;
        batchConfirmThreshold: number;
        reopen: boolean;
        tagDatabase?: string | null;
      };
      result: { images: number };
    };
    search: { params: { query: string; offset: number; limit: number }; result: GalleryPage | { error: QueryProblem } };
    tagFrequencies: { params: { query: string; limit: number }; result: TagFrequencies | { error: QueryProblem } };
    imageById: { params: { id: number }; result: ImageInfo | null };
    imageByPath: { params: { path: string }; result: ImageInfo | null };
    tagSuggestions: { params: { prefix: string; limit: number }; result: TagSuggestion[] };
    fieldValues: {
      params: { field: ValueField; prefix: string; limit: number };
      result: { value: string; count: number }[];
    };
    /** The configured tag database: its tags and aliases, or why it cannot be used (null when none is set). */
    tagDatabaseStatus: {
      params: Record<string, never>;
      result: { file: string; tags: number; aliases: number } | { file: string; error: string } | null;
    };
    folderListing: { params: { dir: string }; result: { folders: FolderEntry[]; images: FileEntry[] } };
    problems: { params: Record<string, never>; result: Problem[] };
    /** The image before or after `id` in a query's results (for next/previous in the image editor). */
    neighbour: { params: { query: string; id: number; step: 1 | -1 }; result: { id: number; path: string } | null };
    /** 1-based position of an image in a query's results, and their count. */
    position: { params: { query: string; id: number }; result: { position: number; total: number } };
    /** Resolves a selection to image ids and paths. */
    resolveSelection: { params: { selection: Selection }; result: { id: number; path: string; sha256: string }[] };
    previewBatch: {
      params: { selection: Selection; action: DataBatchAction };
      result: BatchPreview & { summary: string };
    };
    applyBatch: { params: { planId: string }; result: ServiceBatchOutcome };
    undoBatch: { params: Record<string, never>; result: ServiceBatchOutcome | null };
    canUndo: { params: Record<string, never>; result: boolean };
    /** Applies again the batch undone last (null when there is none, or a new batch came since). */
    redoBatch: { params: Record<string, never>; result: ServiceBatchOutcome | null };
    canRedo: { params: Record<string, never>; result: boolean };
    ensureThumbnail: { params: { id: number }; result: string | null };
    listProjects: {
      params: Record<string, never>;
      result: { projects: Project[]; problems: { file: string; message: string }[] };
    };
    createProject: {
      params: { name: string; selection: Selection | null; query: string | null; trigger: string };
      result: { name: string; images: number; file: string };
    };
    deleteProject: { params: { name: string }; result: null };
    /** Before an export: the images of a source by kohya concept folder. */
    exportSource: { params: { source: ExportJobSpec['source'] }; result: ExportSourceSummary };
    /** Before an export: whether a folder can take an export of `format` (the check planning does), and why not. */
    checkExportFolder: { params: { out: string; format: string }; result: ExportFolderCheck };
    /** Plans a process or export job; returns its id. */
    planJob: { params: { spec: JobSpec }; result: number };
    /** Runs or resumes a job (progress comes as jobProgress notifications); resolves when it ends or pauses. */
    runJob: { params: { jobId: number; workers: number; retryFailed: boolean; apiKey?: string }; result: JobReport };
    cancelJob: { params: { jobId: number }; result: boolean };
    listJobs: { params: Record<string, never>; result: JobInfo[] };
    jobFailures: { params: { jobId: number }; result: { key: string; error: string }[] };
    unfinishedJobs: { params: Record<string, never>; result: JobInfo[] };
    /** Local taggers and scorers in the built-in and the user's models folders. */
    listAnnotators: { params: { folders: string[] }; result: AnnotatorFolder[] };
    /** Before an annotation run: how many images a query gives, and how many of them `model` refused before (content policy). */
    annotationPreflight: { params: { query: string; model: string }; result: { images: number; refused: number } };
    /** What a cloud run over a query's images will send: requests, tokens, minutes and cost (when priced). */
    annotationEstimate: { params: { annotator: CloudSpec; query: string }; result: CloudEstimate };
    listModels: {
      params: { userFolder: string | null };
      result: {
        models: { id: string; name: string; scale: number; builtIn: boolean }[];
        rejected: { file: string; reason: string }[];
      };
    };
  };
  notifications: Record<string, never>;
}

/** What the data worker tells the host unasked: job progress. */
export interface DataWorkerEvents {
  requests: Record<string, never>;
  notifications: {
    jobProgress: JobProgress;
  };
}
