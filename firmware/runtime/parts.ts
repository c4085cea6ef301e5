// Roles made of parts. A part starts one thing (a store, a set of message
// handlers, a page, a piece of hardware) and says how to undo it; a role is the
// list of its parts. The runtime starts them in order and, on stop or when one
// fails to start, undoes what started in reverse: teardown is written once, here.
import type { Logger } from 'pino';
import type { Role } from '../protocol/messages.ts';
import type { RoleContext } from './role.ts';

export type Disposer = () => void | Promise<void>;

/** What a part is started with: the role's context and `defer`, to file what undoes what it opened. */
export interface PartContext extends RoleContext {
  defer(fn: Disposer): void;
}

export interface Part {
  readonly name: string;
  /** Starts the part; returns what undoes it (or registers that with `ctx.defer`). */
  start(ctx: PartContext): Promise<void | Disposer> | void | Disposer;
}

export interface RoleDefinition {
  role: Role;
  /** The parts in start order. Parts of one role share state through the closure. */
  parts(ctx: RoleContext): Part[];
}

export const part = (name: string, start: Part['start']): Part => ({ name, start });

/** A stack of disposers, run last-in first-out, each once, errors logged not thrown. */
export class DisposerStack {
  private stack: Array<{ name: string; fn: Disposer }> = [];
  private done: Promise<void> | null = null;

  constructor(private readonly log?: Pick<Logger, 'error'>) {}

  push(name: string, fn: Disposer): void {
    if (this.done) { void Promise.resolve().then(fn).catch(() => undefined); return; } // already stopped: undo at once
    this.stack.push({ name, fn });
  }

  get size(): number { return this.stack.length; }

  dispose(): Promise<void> {
    this.done ??= (async () => {
      while (this.stack.length) {
        const { name, fn } = this.stack.pop()!;
        try { await fn(); } catch (e) { this.log?.error({ part: name, err: (e as Error).message }, 'part did not stop cleanly'); }
      }
    })();
    return this.done;
  }
}

export interface RunningParts {
  /** The names of the parts that started, in order. */
  readonly started: string[];
  stop(): Promise<void>;
}

/**
 * Starts `parts` in order on `ctx`. `ctx.defer` inside a part's start files a
 * disposer under that part. If a part fails, the ones started are stopped in
 * reverse and the error is thrown.
 */
export async function startParts(ctx: RoleContext, parts: Part[]): Promise<RunningParts> {
  const stack = new DisposerStack(ctx.log);
  const started: string[] = [];
  let current = 'role';
  const full: PartContext = { ...ctx, defer: (fn) => stack.push(current, fn) };
  for (const p of parts) {
    current = p.name;
    try {
      const undo = await p.start(full);
      if (typeof undo === 'function') stack.push(p.name, undo);
      started.push(p.name);
    } catch (e) {
      ctx.log.error({ part: p.name, err: (e as Error).message }, 'part failed to start; stopping the parts already started');
      await stack.dispose();
      throw e;
    }
  }
  return { started, stop: () => stack.dispose() };
}

/** Starts a role's definition on `ctx`: its parts, in order. */
export function startRole(def: RoleDefinition, ctx: RoleContext): Promise<RunningParts> {
  return startParts(ctx, def.parts(ctx));
}
