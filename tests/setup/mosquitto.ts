// Starts a real Mosquitto for tests that must hold against both brokers. The
// Debian package starts no service here: we run `mosquitto -c FILE` ourselves on a
// free port and stop it by its PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export const MOSQUITTO = '/usr/sbin/mosquitto';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ port, host: '127.0.0.1' });
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

export interface RunningMosquitto { url: string; port: number; pid: number; stop(): Promise<void> }

export async function startMosquitto(opts: { config?: string } = {}): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'manyi-mosquitto-'));
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'mosquitto.conf');
    // `allow_anonymous true` unless the caller's lines say otherwise (later lines win for it).
    // set_tcp_nodelay: without it every QoS 1 exchange waits ~40 ms for delayed ACKs (Nagle).
    const lines = [`listener ${port} 127.0.0.1`, 'set_tcp_nodelay true', 'persistence false', 'log_dest stderr', 'log_type error'];
    if (!/allow_anonymous/.test(opts.config ?? '')) lines.push('allow_anonymous true');
    writeFileSync(conf, `${lines.join('\n')}\n${opts.config ?? ''}\n`);
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
    // Bounded wait: 100 tries of 20 ms.
    for (let i = 0; i < 100 && !exited; i++) {
      if (await accepts(port)) {
        return {
          url: `mqtt://127.0.0.1:${port}`,
          port,
          pid: child.pid!,
          async stop() {
            if (!exited) { process.kill(child.pid!, 'SIGTERM'); await exit; }
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited) { process.kill(child.pid!, 'SIGKILL'); await exit; }
    if (!/Address already in use/i.test(stderr)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start: ${stderr.trim() || 'no output'}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('mosquitto: no free port after 5 attempts');
}
