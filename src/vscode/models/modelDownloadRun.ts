/**
 * One catalog model's download from VS Code: progress as bytes and rate for a notification,
 * cancellation through a token (partial files stay for the next run to resume), and every failure
 * turned into an outcome with a message fit to show.
 */
import type * as vscode from 'vscode';
import { basename, join } from 'node:path';
import { DownloadError, downloadModel } from '../../core/models/modelDownload.ts';
import type { CatalogModel, DownloadProgress, FileDownloadResult } from '../../core/models/modelDownload.ts';

/** What to download where; `baseUrl` defaults to HF_ENDPOINT or the Hugging Face hub. */
export interface ModelDownloadRequest {
  model: CatalogModel;
  modelsDir: string;
  baseUrl?: string;
}

/** How a download ended. */
export type ModelDownloadOutcome =
  | { status: 'done'; folder: string; files: FileDownloadResult[] }
  | { status: 'cancelled'; folder: string }
  | { status: 'failed'; folder: string; message: string; retryable: boolean };

/** Downloads a model, reporting progress (increments add up to 100 over its files) until done, cancelled or failed. */
export async function runModelDownload(
  request: ModelDownloadRequest,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<ModelDownloadOutcome> {
  const { model, modelsDir } = request;
  const folder = join(modelsDir, model.destination);
  const controller = new AbortController();
  const subscription = token.onCancellationRequested(() => controller.abort());
  let reported = 0;
  const onProgress = (p: DownloadProgress): void => {
    const index = Math.max(
      0,
      model.files.findIndex((f) => p.file.replace(/\\/g, '/').endsWith(`/${f.path}`)),
    );
    const fraction = p.total ? Math.min(1, p.bytes / p.total) : 0;
    const percent = ((index + fraction) / model.files.length) * 100;
    progress.report({
      message: progressMessage(p, index, model.files.length),
      increment: Math.max(0, percent - reported),
    });
    reported = Math.max(reported, percent);
  };
  try {
    if (token.isCancellationRequested) return { status: 'cancelled', folder };
    const result = await downloadModel(model, modelsDir, {
      signal: controller.signal,
      onProgress,
      ...(request.baseUrl ? { baseUrl: request.baseUrl } : {}),
    });
    return { status: 'done', folder: result.folder, files: result.files };
  } catch (err) {
    if (controller.signal.aborted) return { status: 'cancelled', folder };
    if (err instanceof DownloadError)
      return { status: 'failed', folder, message: err.message, retryable: err.retryable };
    return {
      status: 'failed',
      folder,
      message: `Downloading ${model.name} failed: ${(err as Error).message}`,
      retryable: false,
    };
  } finally {
    subscription.dispose();
  }
}

/** `model.onnx (1 of 2): 12.3 of 350.0 MB, 4.2 MB/s`. */
export function progressMessage(p: DownloadProgress, index: number, count: number): string {
  const of = p.total !== null ? ` of ${megabytes(p.total)}` : '';
  const rate = p.rate > 0 ? `, ${megabytes(p.rate)}/s` : '';
  return `${basename(p.file)} (${index + 1} of ${count}): ${megabytes(p.bytes)}${of}${rate}`;
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
