// The contract table and everything derived from it: topics both ways, QoS and
// retain, the access rules as the table states them, and the generated reference.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONTRACT, KINDS, filterOf, holes, parseTopic, publishOptions, topicOf, type Kind,
} from '../../firmware/protocol/contract.ts';
import { REFERENCE_PATH, renderReference, schemaRegions } from '../../firmware/maint/protocol-reference.ts';
import { grants } from '../../firmware/security/acl.ts';

const sample = (kind: Kind) => Object.fromEntries(holes(kind).map((h, i) => [h, `${h.slice(0, 1)}-${i + 7}`])) as never;

describe('contract table', () => {
  it('builds and parses the topic of every kind', () => {
    for (const kind of KINDS) {
      const params = sample(kind);
      const topic = topicOf(kind, 'h-1', params);
      expect(parseTopic(topic)).toEqual({ hall: 'h-1', kind, ...(params as object) });
    }
  });

  it('gives no two kinds the same topic shape', () => {
    const shapes = KINDS.map((k) => CONTRACT[k].pattern.replace(/\{\w+\}/g, '+'));
    expect(new Set(shapes).size).toBe(KINDS.length);
  });

  it('builds filters with open holes and refuses names outside the contract', () => {
    expect(filterOf('window-state', 'h')).toBe('manyi/v1/h/window/+/state');
    expect(filterOf('device-update-status', 'h', { device: 'd1' })).toBe('manyi/v1/h/device/d1/update/status');
    expect(() => topicOf('kiosk-reply', 'h', { kiosk: 'K1' })).toThrow(/invalid kiosk/);
    expect(parseTopic('manyi/v1/h/device/d1/update/status/x')).toBeNull();
    expect(parseTopic('manyi/v1/h/window/+/state')).toBeNull();
  });

  it('publishes with QoS 1 except health, and retains only states, statuses and offers', () => {
    const retained = KINDS.filter((k) => publishOptions(k).retain).sort();
    expect(retained).toEqual(['device-status', 'device-update', 'device-update-status', 'hall-state', 'window-state']);
    expect(KINDS.filter((k) => publishOptions(k).qos === 0)).toEqual(['device-health']);
  });

  it('names a reply kind for each request that the controller publishes back', () => {
    for (const kind of KINDS) {
      const r = CONTRACT[kind];
      if (!('reply' in r)) continue;
      const reply = CONTRACT[r.reply as Kind];
      expect(reply.publish).toEqual(['controller']);
      expect(holes(r.reply as Kind)).toEqual(holes(kind));
    }
  });
});

describe('access rules derived from the table', () => {
  const R = 'manyi/v1/h1';
  it('gives each role exactly what the contract says', () => {
    expect(grants({ device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' })).toEqual({
      publish: [`${R}/device/kiosk-1/status`, `${R}/device/kiosk-1/health`, `${R}/device/kiosk-1/update/status`, `${R}/kiosk/k1/request`],
      read: [`${R}/device/kiosk-1/update`, `${R}/device/kiosk-1/update/status`, `${R}/kiosk/k1/reply`,
        `${R}/window/+/state`, `${R}/state`, `${R}/call`, `${R}/alert`, `${R}/device/+/status`],
    });
    expect(grants({ device: 'c5', role: 'counter', hall: 'h1', window: 'w5' }).publish).toEqual([
      `${R}/device/c5/status`, `${R}/device/c5/health`, `${R}/device/c5/update/status`, `${R}/window/w5/command`, `${R}/window/w5/rating`,
    ]);
    expect(grants({ device: 'lobby', role: 'board', hall: 'h1' }).publish).toEqual([
      `${R}/device/lobby/status`, `${R}/device/lobby/health`, `${R}/device/lobby/update/status`,
    ]);
    expect(grants({ device: 'ctl', role: 'controller', hall: 'h1' })).toEqual({
      publish: [`${R}/device/ctl/status`, `${R}/device/ctl/health`, `${R}/device/ctl/update/status`,
        `${R}/kiosk/+/reply`, `${R}/window/+/reply`, `${R}/window/+/state`, `${R}/state`, `${R}/call`, `${R}/alert`],
      read: [`${R}/#`],
    });
    expect(grants({ device: 'alice', role: 'maintainer', hall: 'h1' })).toEqual({ publish: [`${R}/device/+/update`], read: [`${R}/#`] });
  });

  it('gives a kiosk without a kiosk id, or an unknown role, nothing of the kind', () => {
    expect(grants({ device: 'k', role: 'kiosk', hall: 'h1' }).publish).not.toContain(`${R}/kiosk/+/request`);
    expect(grants({ device: 'x', role: 'stranger' as never, hall: 'h1' })).toEqual({ publish: [], read: [] });
  });
});

describe('protocol reference (firmware/protocol/README.md)', () => {
  const text = readFileSync(REFERENCE_PATH, 'utf8');
  it('shows what the table says (regenerate with `npm run protocol:reference`)', () => {
    expect(renderReference(text)).toBe(text);
  });
  it('shows the schema of every kind once', () => {
    expect(schemaRegions(text).sort()).toEqual([...KINDS].sort());
  });
});
