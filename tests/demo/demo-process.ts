// Starts `manyi demo` as a child process on free ports in a temp data folder and
// reads the ports it chose from its "ready:" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;

export interface DemoProcess {
  child: ChildProcess;
  http: number;
  mqtt: number;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startDemo(args: string[] = [], env: Record<string, string> = {}): Promise<DemoProcess> {
  const data = mkdtempSync(join(tmpdir(), 'manyi-demo-test-'));
  const child = spawn(process.execPath, [MANYI, 'demo', '--port', '0', '--mqtt-port', '0', '--data', data, '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = await new Promise<{ http: number; mqtt: number }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`demo did not get ready in 40 s:\n${out}\n${err}`)), 40_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready: http=(\d+) mqtt=(\d+)/.exec(out);
      if (m) { clearTimeout(t); resolve({ http: Number(m[1]), mqtt: Number(m[2]) }); }
    });
    void exited.then((code) => { clearTimeout(t); reject(new Error(`demo exited (${code}) before it was ready:\n${out}\n${err}`)); });
  });
  return {
    child, ...ports,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGINT') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
