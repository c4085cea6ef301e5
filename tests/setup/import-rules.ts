// The import rules of the code base, checked with dependency-cruiser (it reads
// TypeScript and tells static, dynamic and type-only imports apart):
//  1. firmware/ reaches kiosk/ and signage/ only through the role registry
//     (firmware/runtime/roles.ts) — roles are assembled there, nowhere else;
//  2. no two folders import each other in a loop (a folder is the directory of a
//     file: firmware/stats, signage/led, kiosk/printer …), counting imports that
//     run — type-only imports vanish when compiled, and the registry's lazy
//     `import()`s are how the runtime reaches the roles.
// tests/unit/imports.test.ts runs it, so `npm test` (and CI) fails on a break;
// `npm run check:imports` prints the findings (known ones included).
import { dirname } from 'node:path';
import { cruise, type IDependency, type IModule } from 'dependency-cruiser';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const REGISTRY = 'firmware/runtime/roles.ts';
/**
 * Entry points sit on top of the folders: a command module (`…/cli.ts`, loaded
 * only by firmware/cli/main.ts), a role's assembly (`…/role.ts`, loaded only by
 * the registry) and the registry itself. Nothing imports them, so they close no
 * loop between the folders they draw on; their imports are not counted for loops
 * (they are for rule 1).
 */
export const ENTRY = /(^|\/)(cli|role|roles|main)\.ts$/;

export interface ImportFindings {
  /** `from → to` of every firmware/ import of kiosk/ or signage/ outside the registry. */
  forbidden: string[];
  /** Each loop between folders, as the folders in order, with one import that closes each step. */
  loops: Array<{ folders: string[]; via: string[] }>;
  modules: number;
}

const runs = (d: IDependency) => !d.dependencyTypes.includes('type-only') && !d.dependencyTypes.includes('type-import');

/** `ignore(from, to)`: imports left out of the loop search (known ones, each with an owner). */
export async function checkImports(ignore: (from: string, to: string) => boolean = () => false): Promise<ImportFindings> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  let modules: IModule[];
  try {
    const r = await cruise(['firmware', 'kiosk', 'signage', 'hw-specs'], {
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '(^|/)(node_modules|dist|var)/' },
      moduleSystems: ['es6'],
    }, {}, { tsConfig: { fileName: 'tsconfig.json' } } as never);
    if (typeof r.output === 'string') throw new Error('dependency-cruiser returned text, not the graph');
    modules = r.output.modules.filter((m) => /^(firmware|kiosk|signage|hw-specs)\//.test(m.source));
  } finally {
    process.chdir(cwd);
  }

  const forbidden: string[] = [];
  const edges = new Map<string, Map<string, string>>(); // folder → folder → one import
  for (const m of modules) {
    for (const d of m.dependencies) {
      if (!/^(firmware|kiosk|signage|hw-specs)\//.test(d.resolved) || !runs(d)) continue;
      if (m.source.startsWith('firmware/') && /^(kiosk|signage)\//.test(d.resolved) && m.source !== REGISTRY) {
        forbidden.push(`${m.source} → ${d.resolved}`);
      }
      if (ENTRY.test(m.source) || ignore(m.source, d.resolved)) continue;
      const a = dirname(m.source), b = dirname(d.resolved);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Map());
      if (!edges.get(a)!.has(b)) edges.get(a)!.set(b, `${m.source} → ${d.resolved}`);
    }
  }
  return { forbidden, loops: folderLoops(edges), modules: modules.length };
}

/** Strongly connected components of more than one folder (Tarjan), each with the imports that make it. */
export function folderLoops(edges: Map<string, Map<string, string>>): ImportFindings['loops'] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>();
  const out: ImportFindings['loops'] = [];
  let i = 0;
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  const visit = (v: string) => {
    index.set(v, i); low.set(v, i); i++;
    stack.push(v); on.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1) {
        const inComp = new Set(comp);
        const via = comp.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => inComp.has(b)).map(([, e]) => e));
        out.push({ folders: comp.sort(), via: via.sort() });
      }
    }
  };
  for (const n of [...nodes].sort()) if (!index.has(n)) visit(n);
  return out;
}

if (process.argv[1]?.endsWith('import-rules.ts')) {
  const f = await checkImports();
  console.log(`${f.modules} modules`);
  for (const x of f.forbidden) console.log(`firmware/ → kiosk|signage outside the registry: ${x}`);
  for (const l of f.loops) console.log(`loop between ${l.folders.join(', ')}:\n  ${l.via.join('\n  ')}`);
  // The message rule (only the bus talks to MQTT clients) is printed with them.
  const { findMqttCalls } = await import('./mqtt-rules.ts');
  const calls = findMqttCalls();
  for (const c of calls) console.log(`MQTT client call outside the bus: ${c.file}:${c.line} ${c.call}`);
  if (f.forbidden.length || f.loops.length || calls.length) process.exitCode = 1;
}
