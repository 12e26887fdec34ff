import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { toApiError } from '../api/errors';
import type { Engine } from '../engine/engine';
import { noSpaceError, noSpaceMessage } from '../util/no-space';

/**
 * POST /upload?name=<file name>: a browser's dropped file (it has bytes but no host path).
 * The body streams into `images/uploads/<uuid>--<name>.part`, is renamed when complete, and is
 * imported as a Task that removes the staged file whatever happens. Answers `{task}` or `{error}`.
 * The caller (serve.ts) has already checked the token cookie and the Origin.
 */
export const UPLOAD_PATH = '/upload';

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export async function handleImageUpload(engine: Engine, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('name') ?? '';
  const name = path.basename(raw.replace(/\\/g, '/')).replace(/[\0-\x1f]/g, '');
  if (!name || name === '.' || name === '..' || name.length > 200) {
    req.resume();
    return sendJson(res, 400, { error: { code: 'INVALID_INPUT', message: 'The upload needs a file name (?name=...).' } });
  }
  const host = engine.hosts.get('local');
  const dir = await engine.images.uploadDir(host);
  const staged = path.join(dir, `${randomUUID()}--${name}`);
  const part = `${staged}.part`;
  // a file bigger than the free space is refused before a byte is written (not "interrupted" half-way)
  const length = Number(req.headers['content-length'] ?? NaN);
  const free = (await host.fs.statfs(dir)).freeBytes;
  if (Number.isFinite(length) && length > free) {
    req.resume();
    return sendJson(res, 507, { error: { code: 'RESOURCE_LIMIT', message: noSpaceMessage(`the image library (${dir})`, free, length), details: { reason: 'no-space' } } });
  }
  try {
    await pipeline(req, await host.fs.createWriteStream(part, { flags: 'wx' }));
    await host.fs.rename(part, staged);
  } catch (e) {
    await host.fs.rm(part);
    const full = noSpaceError(e, dir, Number.isFinite(length) ? length : undefined);
    if (full && !res.headersSent && !res.destroyed) return sendJson(res, 507, { error: full.toJSON() });
    if (!res.headersSent && !res.destroyed) sendJson(res, 400, { error: { code: 'IO_ERROR', message: `The upload of "${name}" was interrupted; nothing was kept.` } });
    return;
  }
  try {
    const { task } = await engine.call('image.import', { path: staged, removeSource: true }, { clientId: 'upload', origin: 'ws' });
    sendJson(res, 202, { task });
  } catch (e) {
    await host.fs.rm(staged);
    const err = toApiError(e);
    sendJson(res, err.code === 'INTERNAL' ? 500 : 400, { error: err });
  }
}
