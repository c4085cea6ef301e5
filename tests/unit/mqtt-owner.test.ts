// "No module other than the bus calls mqtt.on('message') or publish": the rule in
// tests/setup/mqtt-rules.ts, over every product source file. Tests are outside it on
// purpose — they stand in for devices, attackers and the wire. An exception is
// listed below with its owner and why; anything else fails here, so CI catches it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findMqttCalls } from '../setup/mqtt-rules.ts';

/** Modules that hold an MQTT client of their own today, each with who owns it and why. */
const ALLOWED: Record<string, { owner: string; why: string }> = {
  // None today. The city link (firmware/city) was the last: it now talks through a
  // TableLink (firmware/bus/table-link.ts) over its own table, CITY_CONTRACT.
};

describe('only the bus talks to MQTT clients', () => {
  it('no product module outside firmware/bus and firmware/broker calls on(\'message\'), publish or subscribe on a client', () => {
    const found = findMqttCalls();
    expect(found.filter((c) => !(c.file in ALLOWED)).map((c) => `${c.file}:${c.line} ${c.call}`)).toEqual([]);
    // An exception that no longer holds a client leaves the list.
    // (With the list empty this is a guard for the next entry, not a check of today's code.)
    expect(Object.keys(ALLOWED).filter((f) => !found.some((c) => c.file === f))).toEqual([]);
  }, 120_000);

  it('counts calls on MQTT clients (however named, or untyped) and nothing else', () => {
    const fixture = fileURLToPath(new URL('./fixtures/mqtt-calls.ts', import.meta.url));
    const calls = findMqttCalls([fixture]).map((c) => c.call.replace(/\(.*/, ''));
    expect(calls).toEqual(['client.on', 'client.publish', 'client.subscribeAsync', 'wrapped.mqtt.prependListener', 'loose.publish', 'client.on']);
  }, 60_000);

  it('lets the bus itself talk to its client', () => {
    const busFile = fileURLToPath(new URL('../../firmware/bus/mqtt-bus.ts', import.meta.url));
    expect(findMqttCalls([busFile])).toEqual([]);
    expect(findMqttCalls([busFile], { all: true }).map((c) => c.call.replace(/\(.*/, ''))).toEqual(expect.arrayContaining(['client.on', 'c.publish', 'c.subscribeAsync']));
  }, 60_000);
});
