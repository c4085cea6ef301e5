// The access rules themselves, role by role, including what a broker never sees in
// the end-to-end tests: wildcards, other halls, maintainers.
import { describe, it, expect } from 'vitest';
import { canPublish, canSubscribe, filterWithin, mosquittoAcl } from '../../firmware/security/acl.ts';
import type { DeviceIdentity } from '../../firmware/security/identity.ts';

const R = 'manyi/v1/h1';
const kiosk: DeviceIdentity = { device: 'kiosk-1', role: 'kiosk', hall: 'h1', kiosk: 'k1' };
const counter: DeviceIdentity = { device: 'counter-5', role: 'counter', hall: 'h1', window: 'w5' };
const ctl: DeviceIdentity = { device: 'ctl', role: 'controller', hall: 'h1' };
const maint: DeviceIdentity = { device: 'alice', role: 'maintainer', hall: 'h1' };

describe('access rules', () => {
  it('never lets a publish carry wildcards or reach $SYS or another hall', () => {
    expect(canPublish(kiosk, `${R}/kiosk/+/request`)).toBe(false);
    expect(canPublish(ctl, `${R}/#`)).toBe(false);
    expect(canPublish(ctl, '$SYS/broker/x')).toBe(false);
    expect(canPublish(kiosk, 'manyi/v1/h2/kiosk/k1/request')).toBe(false);
    expect(canPublish(ctl, 'manyi/v1/h2/state')).toBe(false);
  });

  it('lets only maintainers offer updates, and never speak for the controller', () => {
    expect(canPublish(maint, `${R}/device/kiosk-1/update`)).toBe(true);
    expect(canPublish(ctl, `${R}/device/kiosk-1/update`)).toBe(false);
    expect(canPublish(kiosk, `${R}/device/kiosk-1/update`)).toBe(false);
    expect(canPublish(maint, `${R}/state`)).toBe(false);
    expect(canPublish(maint, `${R}/window/w5/command`)).toBe(false);
  });

  it('lets a device read the public screens and its own topics, nothing wider', () => {
    expect(canSubscribe(counter, `${R}/window/+/state`)).toBe(true);
    expect(canSubscribe(counter, `${R}/device/+/status`)).toBe(true);
    expect(canSubscribe(counter, `${R}/window/w5/reply`)).toBe(true);
    expect(canSubscribe(counter, `${R}/window/w6/reply`)).toBe(false);
    expect(canSubscribe(counter, `${R}/window/+/reply`)).toBe(false);
    expect(canSubscribe(counter, `${R}/#`)).toBe(false);
    expect(canSubscribe(counter, `${R}/device/+/health`)).toBe(false);
    expect(canSubscribe(kiosk, `${R}/device/counter-5/update`)).toBe(false);
    expect(canSubscribe(kiosk, `${R}/device/kiosk-1/update`)).toBe(true);
    expect(canSubscribe(ctl, `${R}/#`)).toBe(true);
    expect(canSubscribe(ctl, '#')).toBe(false);
  });

  it('compares filters level by level', () => {
    expect(filterWithin('a/+/c', 'a/b/c')).toBe(true);
    expect(filterWithin('a/+/c', 'a/+/c')).toBe(true);
    expect(filterWithin('a/b/c', 'a/+/c')).toBe(false);
    expect(filterWithin('a/#', 'a/b/#')).toBe(true);
    expect(filterWithin('a/+', 'a/#')).toBe(false);
    expect(filterWithin('a/+', 'a/b/c')).toBe(false);
  });

  it('writes the same rules as Mosquitto ACL lines', () => {
    const acl = mosquittoAcl([counter, maint]);
    expect(acl).toContain(`user counter-5\ntopic write ${R}/device/counter-5/status`);
    expect(acl).toContain(`topic write ${R}/window/w5/command`);
    expect(acl).toContain(`user alice\ntopic write ${R}/device/+/update\ntopic read ${R}/#`);
    expect(acl).not.toContain(`topic write ${R}/window/w6`);
  });
});
