import type { TaskInfo } from '../../../src-main/api/contract';
import { ApiError } from '../../api';

/**
 * Browser drag-and-drop: a dropped File has no host path, so its bytes are streamed to
 * `hangar serve` (POST /upload, authenticated by the session cookie), which stages them in a
 * `.part` file and imports that as a Task. The Electron face imports dropped files by path instead.
 *
 * XMLHttpRequest rather than fetch: only it reports upload progress (fetch has no upload events).
 * Aborting (the signal) closes the request; the server then removes the partial file.
 */
export interface UploadOptions {
  /** Bytes sent so far and the total, as the browser sends them. */
  onProgress?(loaded: number, total: number): void;
  signal?: AbortSignal;
}

export class UploadCancelled extends Error {
  constructor() {
    super('The upload was cancelled.');
    this.name = 'UploadCancelled';
  }
}

export function uploadImage(file: File, opts: UploadOptions = {}): Promise<TaskInfo> {
  return new Promise<TaskInfo>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new UploadCancelled());
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/upload?name=${encodeURIComponent(file.name)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    const onAbort = () => xhr.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => opts.signal?.removeEventListener('abort', onAbort);
    xhr.onabort = () => {
      done();
      reject(new UploadCancelled());
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError({ code: 'IO_ERROR', message: `The upload of "${file.name}" failed: the connection to Hangar was lost.` }));
    };
    xhr.onload = () => {
      done();
      type Reply = { task?: TaskInfo; error?: { code: string; message: string } } | null;
      let body: Reply = null;
      try {
        body = JSON.parse(xhr.responseText) as Reply;
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body?.task) return resolve(body.task);
      reject(new ApiError({ code: (body?.error?.code as 'IO_ERROR') ?? 'IO_ERROR', message: body?.error?.message ?? `Upload failed (HTTP ${xhr.status}).` }));
    };
    xhr.send(file);
  });
}
