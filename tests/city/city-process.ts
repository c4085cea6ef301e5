// Starts `manyi city` as a child process (the CLI test, the bench's instances) and
// reads its `ready` line.
import { spawn, type ChildProcess } from 'node:child_process';

const MANYI = new URL('../../firmware/bin/manyi.mjs', import.meta.url).pathname;

export interface CityProcess {
  child: ChildProcess;
  http: number | null;
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startCityProcess(args: string[]): Promise<CityProcess> {
  const child = spawn(process.execPath, [MANYI, 'city', '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ http: number | null }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`manyi city did not get ready in 40 s:\n${out}\n${err}`)), 40_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) { clearTimeout(t); resolve(JSON.parse(line) as { http: number | null }); }
    });
    void exited.then((code) => { clearTimeout(t); reject(new Error(`manyi city exited (${code}) before it was ready:\n${out}\n${err}`)); });
  });
  return {
    child, http: ready.http, stderr: () => err,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
