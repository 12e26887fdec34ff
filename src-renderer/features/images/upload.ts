import type { TaskInfo } from '../../../src-main/api/contract';
import { ApiError } from '../../api';

/**
 * Browser drag-and-drop: a dropped File has no host path, so its bytes are streamed to
 * `hangar serve` (POST /upload, authenticated by the session cookie), which stages them in a
 * `.part` file and imports that as a Task. The Electron face imports dropped files by path instead.
 */
export async function uploadImage(file: File): Promise<TaskInfo> {
  const res = await fetch(`/upload?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    body: file,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/octet-stream' },
  });
  const body = (await res.json().catch(() => null)) as { task?: TaskInfo; error?: { code: string; message: string } } | null;
  if (!res.ok || !body?.task) throw new ApiError({ code: (body?.error?.code as 'IO_ERROR') ?? 'IO_ERROR', message: body?.error?.message ?? `Upload failed (HTTP ${res.status}).` });
  return body.task;
}
