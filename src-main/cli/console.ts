import type { EngineClient } from './engine-client';

const DETACH = 0x1d; // Ctrl-]

/**
 * `hangar vm console NAME`: attach this terminal to the VM's serial console through the engine's
 * channel (the same bridge the UI uses). On a terminal: raw mode, Ctrl-] detaches. Otherwise:
 * print the recent scrollback, then new output, until interrupted (so scripts can wait for a line);
 * piped input is sent to the guest.
 */
export async function runConsole(client: EngineClient, vm: string): Promise<number> {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let channelId: string | null = null;
  const early: Array<{ channelId: string; data: string }> = [];

  return new Promise<number>((resolve, reject) => {
    let finished = false;
    const finish = (code: number, message?: string) => {
      if (finished) return;
      finished = true;
      if (interactive) process.stdin.setRawMode(false);
      process.stdin.pause();
      unsubscribe();
      offLost();
      if (message) process.stderr.write(`${interactive ? '\r\n' : ''}${message}\n`);
      const close = channelId ? client.call('channel.close', { channelId }).catch(() => null) : Promise.resolve(null);
      void close.then(() => resolve(code));
    };

    const unsubscribe = client.onEvent((ev) => {
      if (ev.topic === 'channel.data') {
        if (channelId === null) early.push(ev.data);
        else if (ev.data.channelId === channelId) process.stdout.write(Buffer.from(ev.data.data, 'base64'));
      } else if (ev.topic === 'channel.closed' && ev.data.channelId === channelId) {
        finish(0, `[console closed: ${ev.data.reason}]`);
      }
    });

    // the engine (serve, the desktop app) went away: end with its sentence instead of hanging
    const offLost = client.onLost((message) => finish(1, message));
    client.call('channel.open', { kind: 'serial', vm, scrollbackBytes: 64 * 1024 }).then(
      (opened) => {
        channelId = opened.channelId;
        process.stdout.write(Buffer.from(opened.scrollback, 'base64'));
        for (const e of early) if (e.channelId === channelId) process.stdout.write(Buffer.from(e.data, 'base64'));
        if (interactive) {
          process.stderr.write(`[attached to ${vm}: press Ctrl-] to detach]\r\n`);
          process.stdin.setRawMode(true);
        }
        process.stdin.on('data', (chunk: Buffer) => {
          if (interactive && chunk.includes(DETACH)) {
            finish(0, '[detached]');
            return;
          }
          void client.call('channel.write', { channelId: opened.channelId, data: chunk.toString('base64') }).catch(() => undefined);
        });
        process.stdin.on('end', () => undefined); // keep printing output after piped input ends
        process.stdin.resume();
        process.once('SIGINT', () => finish(0));
        process.once('SIGTERM', () => finish(0));
      },
      (e: unknown) => {
        unsubscribe();
        offLost();
        reject(e);
      },
    );
  });
}
