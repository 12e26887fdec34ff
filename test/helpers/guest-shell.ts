import * as net from 'node:net';
import type { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_PROMPT, READY_BANNER } from './guest';
import { waitFor } from './env';

/** Serial output of the current boot (the engine marks each boot in the log). */
export async function bootSerial(e: Engine, vm: string): Promise<string> {
  return (await e.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!;
}

/** Wait for the test guest's shell prompt after its banner (typing earlier would be eaten). */
export async function waitGuestPrompt(e: Engine, vm: string, timeoutMs = 120000): Promise<void> {
  await waitFor(`shell prompt of ${vm}`, async () => (await bootSerial(e, vm)).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), timeoutMs, 200);
}

/** Type a line into the guest's serial shell (QEMU's serial socket), as a user at the console would. */
export async function typeLine(e: Engine, vm: string, line: string): Promise<void> {
  const info = await e.call('vm.get', { vm });
  const paths = await e.vms.paths(info);
  await new Promise<void>((resolve, reject) => {
    const sock = net.createConnection({ path: paths.serialSocket });
    sock.once('error', reject);
    sock.once('connect', () => sock.end(line + '\n', () => resolve()));
  });
}

/** Run a command whose output carries `KEY=value`; return the value (first match after typing it). */
export async function guestValue(e: Engine, vm: string, command: string, key: string, pattern = '\\S+', timeoutMs = 60000): Promise<string> {
  const before = (await bootSerial(e, vm)).length;
  await typeLine(e, vm, command);
  const re = new RegExp(`(?:^|\\n)${key}=(${pattern})\\r?\\n`);
  return waitFor(`${key}= from ${vm}`, async () => re.exec((await bootSerial(e, vm)).slice(before))?.[1] ?? null, timeoutMs, 200);
}
