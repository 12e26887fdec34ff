import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { ImageInfo, TaskInfo } from '../../src-main/api/contract';
import { serve, type ServeHandle } from '../../src-main/server/serve';
import { tempHome, waitFor } from '../helpers/env';

/**
 * POST /upload over real HTTP against `serve()`: a slow (throttled) upload outlives the 60 s a
 * request may take, and arrives with the right checksum; cancelling half-way leaves no file;
 * every other request still gets the request limit (slowloris), and a silent upload is dropped.
 */

interface UploadReply {
  status: number;
  body: { task?: TaskInfo; error?: { code: string; message: string } } | null;
}

/** A stream of `data` in `chunk`-byte pieces, one every `everyMs` (a slow link). */
function throttled(data: Buffer, chunk: number, everyMs: number, opts: { stallAfter?: number } = {}): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (opts.stallAfter !== undefined && offset >= opts.stallAfter) return; // goes silent, never ends
      setTimeout(() => {
        if (offset >= data.length) return void this.push(null);
        this.push(data.subarray(offset, offset + chunk));
        offset += chunk;
      }, everyMs);
    },
  });
}

function upload(port: number, name: string, body: Readable, length: number, headers: Record<string, string>): { done: Promise<UploadReply>; req: http.ClientRequest } {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/upload?name=${encodeURIComponent(name)}`, headers: { 'content-type': 'application/octet-stream', 'content-length': String(length), ...headers } });
  const done = new Promise<UploadReply>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: UploadReply['body'] = null;
        try {
          parsed = JSON.parse(text) as UploadReply['body'];
        } catch {
          /* not JSON (401/408 pages) */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
  });
  body.pipe(req);
  return { done, req };
}

const uploadsIn = (home: string) => {
  try {
    return fs.readdirSync(path.join(home, 'images', 'uploads'));
  } catch {
    return [];
  }
};

describe('/upload with the default request limit (60 s)', () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  before(async () => {
    home = tempHome('hangar-upload-slow-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: home.home });
  });
  after(async () => {
    await srv?.close();
    home?.cleanup();
  });

  test('a throttled upload that takes more than 60 s succeeds, and the image has the sent bytes\u2019 SHA-256', { timeout: 180_000 }, async () => {
    const data = crypto.randomBytes(1024 * 1024);
    const sum = crypto.createHash('sha256').update(data).digest('hex');
    const started = Date.now();
    // 64 pieces of 16 KiB, one every 1.1 s: about 70 s on the wire
    const { done } = upload(srv.port, 'slow disk.img', throttled(data, 16 * 1024, 1100), data.length, { authorization: `Bearer ${srv.token}` });
    const reply = await done;
    const took = Date.now() - started;
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    assert.ok(took > 60_000, `the upload took ${took} ms, more than the 60 s request limit`);
    const task = reply.body!.task!;
    await waitFor('the import task', () => srv.engine.tasks.get(task.id)?.state === 'succeeded', 60_000);
    const image = ((await srv.engine.call('image.list', {})) as ImageInfo[]).find((i) => i.name === 'slow disk');
    assert.ok(image, 'the uploaded image is in the library');
    assert.equal(image.sha256, sum);
    assert.equal(image.virtualSize, data.length);
    assert.deepEqual(uploadsIn(home.home), [], 'the staged upload is gone');
    console.log(`slow upload: ${data.length} bytes in ${(took / 1000).toFixed(1)} s, sha256 ${sum.slice(0, 12)}…`);
  });
});

describe('/upload limits with a short request limit (2 s)', () => {
  let home: ReturnType<typeof tempHome>;
  let srv: ServeHandle;
  const LIMIT = 2000;
  before(async () => {
    home = tempHome('hangar-upload-limits-');
    srv = await serve({ home: home.home, port: 0, quiet: true, staticDir: home.home, requestTimeoutMs: LIMIT });
  });
  after(async () => {
    await srv?.close();
    home?.cleanup();
  });

  test('an authenticated upload longer than the limit succeeds (no overall limit on the upload route)', async () => {
    const data = crypto.randomBytes(256 * 1024);
    const started = Date.now();
    const { done } = upload(srv.port, 'longer.img', throttled(data, 16 * 1024, 300), data.length, { cookie: `hangar_token=${srv.token}` });
    const reply = await done;
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    assert.ok(Date.now() - started > 2 * LIMIT, 'the upload outlived the request limit twice over');
    await waitFor('the import task', () => srv.engine.tasks.get(reply.body!.task!.id)?.state === 'succeeded', 60_000);
    const image = ((await srv.engine.call('image.list', {})) as ImageInfo[]).find((i) => i.name === 'longer');
    assert.equal(image?.sha256, crypto.createHash('sha256').update(data).digest('hex'));
  });

  test('an unauthenticated slow body is still cut at the request limit (slowloris)', async () => {
    const data = crypto.randomBytes(256 * 1024);
    const started = Date.now();
    const { done, req } = upload(srv.port, 'intruder.img', throttled(data, 1024, 200), data.length, {});
    // answered 401 at once; the connection is then closed at the limit although the body is unfinished
    const reply = await done;
    assert.equal(reply.status, 401);
    await new Promise<void>((resolve) => req.socket?.once('close', () => resolve()) ?? resolve());
    const took = Date.now() - started;
    assert.ok(took < LIMIT + 5000, `closed after ${took} ms`);
    assert.ok(took >= LIMIT - 100, `not closed before the limit (${took} ms)`);
  });

  test('a raw request whose body dribbles past the limit has its connection closed at the limit', async () => {
    const sock = net.createConnection({ host: '127.0.0.1', port: srv.port });
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => (got += c));
    // the server closes with the dribbled bytes unread, so the close may come as a reset: either ends it
    let reset = '';
    sock.on('error', (e: NodeJS.ErrnoException) => (reset = e.code ?? String(e)));
    sock.write(`POST /whatever HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Length: 100000\r\n\r\n`);
    const dribble = setInterval(() => sock.writable && sock.write('x'), 200);
    const started = Date.now();
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
    clearInterval(dribble);
    assert.ok(Date.now() - started < LIMIT + 5000);
    assert.ok(reset === '' || /ECONNRESET|EPIPE/.test(reset), `closed, or reset (${reset})`);
    assert.match(got, /^HTTP\/1\.1 405/, 'answered at once (not a GET)');
  });

  test('an upload that goes silent is dropped and its partial file removed', async () => {
    const data = crypto.randomBytes(256 * 1024);
    const { done } = upload(srv.port, 'silent.img', throttled(data, 16 * 1024, 50, { stallAfter: 64 * 1024 }), data.length, { authorization: `Bearer ${srv.token}` });
    await waitFor('the staged .part file', () => uploadsIn(home.home).some((f) => f.endsWith('--silent.img.part')), 10_000);
    await assert.rejects(done, /socket hang up|ECONNRESET/);
    await waitFor('the partial upload removed', () => uploadsIn(home.home).length === 0, 10_000);
  });

  test('cancelling an upload half-way (the client aborts) removes the partial file; nothing is imported', async () => {
    const before = ((await srv.engine.call('image.list', {})) as ImageInfo[]).length;
    const data = crypto.randomBytes(512 * 1024);
    const { done, req } = upload(srv.port, 'cancelled.img', throttled(data, 16 * 1024, 100), data.length, { authorization: `Bearer ${srv.token}` });
    const failed = done.catch((e: Error) => e);
    await waitFor('the staged .part file', () => uploadsIn(home.home).some((f) => f.endsWith('--cancelled.img.part')), 10_000);
    req.destroy();
    assert.ok((await failed) instanceof Error);
    await waitFor('the partial upload removed', () => uploadsIn(home.home).length === 0, 10_000);
    assert.equal(((await srv.engine.call('image.list', {})) as ImageInfo[]).length, before);
  });
});
