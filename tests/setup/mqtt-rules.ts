// The message rule of the code base: only the bus (firmware/bus/) talks to an MQTT
// client — `client.on('message', …)`, `client.publish(…)`, `client.subscribe(…)`
// and their *Async forms — and the embedded broker's own internals (firmware/broker/)
// may drive aedes. Everyone else registers handlers and publishes through the Bus
// (`bus.on(owner, kind, …)`, `bus.publish(kind, …)`), which decodes against the
// contract table once and takes QoS/retain from it.
//
// Checked with the TypeScript compiler's type checker, not a text search: a call
// counts when its receiver is an MQTT.js client or an aedes broker (by the type's
// declaration in node_modules/mqtt or node_modules/aedes), or when the receiver's
// type is `any` (it could be one). So `bus.publish(…)` on a Bus never counts and a
// client passed around under another name always does. Plain .js files (page
// scripts) have no types: any `.on('message'` or `.publish(` there counts.
// tests/unit/mqtt-owner.test.ts runs it; `npm run check:imports` prints it (with the import rules).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const ROOT = new URL('../../', import.meta.url).pathname;
/** Folders whose modules may talk to MQTT clients directly: the bus, and the broker's internals. */
export const OWNERS = /^firmware\/(bus|broker)\//;
const METHODS = new Set(['publish', 'publishAsync', 'subscribe', 'subscribeAsync', 'unsubscribe', 'unsubscribeAsync']);
const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const MQTT_DECL = /\/node_modules\/(mqtt|aedes)\//;

export interface MqttCall { file: string; line: number; call: string }

/** Source files of the product (not tests, not built output). */
export function productFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name === 'var' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const top of ['firmware', 'kiosk', 'signage', 'hw-specs']) walk(join(root, top));
  return out.sort();
}

/** Every direct MQTT client call in `files` (absolute paths), outside the owners unless `all`. */
export function findMqttCalls(files: string[] = productFiles(), o: { all?: boolean } = {}): MqttCall[] {
  const rel = (f: string) => relative(ROOT, f);
  const mine = files.filter((f) => o.all || !OWNERS.test(rel(f)));
  const calls: MqttCall[] = [];

  for (const f of mine.filter((x) => !x.endsWith('.ts'))) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (/\.on\(\s*['"]message['"]|\.publish(Async)?\(/.test(line)) calls.push({ file: rel(f), line: i + 1, call: line.trim().slice(0, 80) });
    });
  }

  const tsFiles = mine.filter((x) => x.endsWith('.ts'));
  if (!tsFiles.length) return calls;
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const program = ts.createProgram(tsFiles, { ...options, noEmit: true });
  const checker = program.getTypeChecker();

  const isMqtt = (t: ts.Type): boolean => {
    if (t.flags & ts.TypeFlags.Any) return true;
    if (t.isUnionOrIntersection()) return t.types.some(isMqtt);
    const decls = (t.getSymbol() ?? t.aliasSymbol)?.getDeclarations() ?? [];
    if (decls.some((d) => MQTT_DECL.test(d.getSourceFile().fileName))) return true;
    // A class of ours that extends the client (none today) still is one.
    return checker.getApparentType(t).getBaseTypes?.()?.some(isMqtt) ?? false;
  };

  for (const f of tsFiles) {
    const sf = program.getSourceFile(f);
    if (!sf) continue;
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const name = n.expression.name.text;
        const first = n.arguments[0];
        // `on('message', …)`, or `on(someEvent, …)`: an event name that is not written out could be 'message'.
        const listensToMessages = LISTEN.has(name) && first !== undefined && (!ts.isStringLiteralLike(first) || first.text === 'message');
        if ((METHODS.has(name) || listensToMessages) && isMqtt(checker.getTypeAtLocation(n.expression.expression))) {
          const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
          calls.push({ file: rel(f), line: line + 1, call: n.getText(sf).split('\n')[0].slice(0, 80) });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return calls.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1]?.endsWith('mqtt-rules.ts')) {
  const found = findMqttCalls();
  for (const c of found) console.log(`MQTT client call outside the bus: ${c.file}:${c.line} ${c.call}`);
  if (!found.length) console.log('no MQTT client call outside firmware/bus and firmware/broker');
}
