import * as http from 'node:http';
import * as https from 'node:https';
import { HangarError } from '../api/errors';

/**
 * HTTP(S) GET from this computer, following redirects (at most 5, http and https only), with a 30 s
 * answer timeout and an abort signal. The image library's downloads use it (images/download.ts); it
 * lives under hosts/ because it opens network connections (the walls: only hosts/ and the faces do).
 */
const MAX_REDIRECTS = 5;

function request(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers: { 'user-agent': 'Hangar image library', ...headers }, signal, timeout: 30000 }, resolve);
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
  });
}

export async function httpGetFollowing(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ res: http.IncomingMessage; url: string }> {
  let current = url;
  for (let i = 0; i <= MAX_REDIRECTS; i++) {
    const res = await request(current, headers, signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current).toString();
      if (!/^https?:/.test(current)) throw new HangarError('UNSUPPORTED', `The server redirected to "${current}", which is not http or https.`);
      continue;
    }
    return { res, url: current };
  }
  throw new HangarError('IO_ERROR', `Too many redirects from ${url}.`);
}
