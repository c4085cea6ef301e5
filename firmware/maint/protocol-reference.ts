// The generated parts of the protocol reference (README.md beside this file): the
// table of topics, the access rules and each message's schema, all rendered from
// the contract table. The prose around them is written by hand; the regions between
// `<!-- contract:NAME -->` and `<!-- /contract:NAME -->` are not. A test fails when
// they differ from the table; `npm run protocol:reference` rewrites them.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { CONTRACT, KINDS, READS_WHOLE_HALL, type Kind, type Party } from '../protocol/contract.ts';
import { cityReference } from '../city/protocol.ts';

export const REFERENCE_PATH = new URL('../protocol/README.md', import.meta.url).pathname;

const PARTY_WORDS: Record<Party, string> = {
  controller: 'controller', maintainer: 'maintainer', 'kiosk:self': 'the kiosk', 'counter:self': 'the window\'s counter',
  'device:self': 'the device', any: 'anyone authenticated',
};

type Json = { [k: string]: unknown };

/** A compact type from a JSON schema: `"a" | "b"`, `{no, service}`, `[string]`, `integer ≥ 1`. */
function typeOf(s: Json, depth = 0): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (alts) return alts.map((a) => typeOf(a, depth)).join(' \\| ');
  switch (s.type) {
    case 'null': return 'null';
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    case 'integer':
    case 'number': {
      const lo = s.minimum as number | undefined, hi = s.maximum as number | undefined;
      const word = s.type === 'integer' ? 'integer' : 'number';
      return lo !== undefined && hi !== undefined ? `${word} ${lo}–${hi}` : lo !== undefined ? `${word} ≥ ${lo}` : word;
    }
    case 'array': return `[${typeOf((s.items ?? {}) as Json, depth)}]`;
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Json>;
      const req = new Set((s.required ?? []) as string[]);
      if (depth >= 1) return `{${Object.keys(props).map((k) => (req.has(k) ? k : `${k}?`)).join(', ')}}`;
      return `{${Object.entries(props).map(([k, v]) => `${k}${req.has(k) ? '' : '?'}: ${typeOf(v, depth + 1)}`).join(', ')}}`;
    }
    default: return 'any';
  }
}

function jsonSchema(kind: Kind): Json {
  return z.toJSONSchema(CONTRACT[kind].schema, { io: 'input', unrepresentable: 'any' }) as Json;
}

/** One row per field of one message shape. */
function fieldTable(s: Json): string[] {
  const props = (s.properties ?? {}) as Record<string, Json>;
  const req = new Set((s.required ?? []) as string[]);
  return [
    '| field | type | required |',
    '|---|---|---|',
    ...Object.entries(props).map(([k, v]) => `| \`${k}\` | ${typeOf(v, 1).replace(/\n/g, ' ')} | ${req.has(k) ? 'yes' : 'no'} |`),
  ];
}

function schemaSection(kind: Kind): string[] {
  const s = jsonSchema(kind);
  const alts = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  const r = CONTRACT[kind];
  const head = `Schema \`${kind}\` (QoS ${r.qos}${r.retain ? ', retained' : ''}; generated from the contract table):`;
  if (!alts) return [head, '', ...fieldTable(s)];
  return [head, '', ...alts.flatMap((a, i) => [`${i > 0 ? '\n' : ''}One of (${i + 1}/${alts.length}):`, '', ...fieldTable(a)])];
}

function topicsTable(): string[] {
  const who = (ps: readonly Party[]) => ps.map((p) => PARTY_WORDS[p]).join(', ');
  return [
    '| kind | topic (after `manyi/v1/{hall}/`) | QoS | retained | published by | read by | what |',
    '|---|---|---|---|---|---|---|',
    ...KINDS.map((k) => {
      const r = CONTRACT[k];
      const reply = 'reply' in r ? `; answered on \`${r.reply}\`` : '';
      return `| \`${k}\` | \`${r.pattern}\` | ${r.qos} | ${r.retain ? 'yes' : 'no'} | ${who(r.publish)} | ${who(r.read)} | ${r.doc}${reply} |`;
    }),
  ];
}

function accessRules(): string[] {
  return [
    '- A party publishes a kind only if the table names it under "published by"; a',
    '  device, kiosk or counter only with its own id in the topic (its `{device}`,',
    '  `{kiosk}` or `{window}`), the controller for any of them.',
    '- It reads a kind only if the table names it under "read by", with the same rule',
    '  for its own ids.',
    `- ${READS_WHOLE_HALL.map((p) => PARTY_WORDS[p]).join(' and ')} read the whole hall (\`manyi/v1/{hall}/#\`).`,
    '- Nobody publishes with wildcards, on `$SYS/`, or in another hall.',
  ];
}

/** The text of one generated region. */
export function renderRegion(name: string): string {
  if (name === 'topics') return topicsTable().join('\n');
  if (name === 'access') return accessRules().join('\n');
  if (name === 'city') return cityReference().join('\n'); // the city link (firmware/city/protocol.ts)
  const m = /^schema (.+)$/.exec(name);
  if (m && (KINDS as string[]).includes(m[1])) return schemaSection(m[1] as Kind).join('\n');
  throw new Error(`unknown contract region ${JSON.stringify(name)}`);
}

const REGION = /<!-- contract:([^>]+?) -->\n[\s\S]*?<!-- \/contract:\1 -->/g;

/** `text` with every generated region rendered afresh from the table. */
export function renderReference(text: string): string {
  return text.replace(REGION, (_all, name: string) => `<!-- contract:${name} -->\n${renderRegion(name)}\n<!-- /contract:${name} -->`);
}

/** The kinds whose schema the page shows (each kind should appear once). */
export function schemaRegions(text: string): string[] {
  return [...text.matchAll(/<!-- contract:schema ([^>]+?) -->/g)].map((m) => m[1]);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv.includes('--write')) {
  const before = readFileSync(REFERENCE_PATH, 'utf8');
  const after = renderReference(before);
  if (after !== before) writeFileSync(REFERENCE_PATH, after);
  console.log(after === before ? 'protocol reference: up to date' : `protocol reference: rewrote ${REFERENCE_PATH}`);
}
