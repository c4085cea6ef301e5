// SIGINT/SIGTERM → one orderly stop (devices say offline, the broker closes), then
// exit 0. A second signal, or a stop that hangs, exits at once.
import type { Logger } from 'pino';

export function onShutdown(stop: () => Promise<void>, log?: Logger, graceMs = 8_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    // A role's timer that fires into a half-closed object must not turn a clean stop
    // into a crash: while stopping, such errors are logged, not fatal.
    const survive = (e: unknown) => log?.error({ err: (e as Error)?.stack ?? String(e) }, 'error while stopping');
    process.on('unhandledRejection', survive);
    process.on('uncaughtException', survive);
    log?.info({ signal }, 'stopping');
    setTimeout(() => { log?.error('stop took too long; exiting'); process.exit(1); }, graceMs).unref();
    stop().then(
      () => process.exit(0),
      (e: unknown) => { log?.error({ err: (e as Error).message }, 'stop failed'); process.exit(1); },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
