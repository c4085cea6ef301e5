// The block a hall's configuration carries to join the city (`city` in the
// controller's board configuration): zod only, so reading a configuration does
// not load the forwarder.
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { loadJsonFile } from '../config/load.ts';

/** The block a hall's configuration carries to join the city. */
export const CityLink = z.object({
  /** The city's broker: mqtt://host:1883, mqtts://host:8883 (TLS), ws(s)://…. */
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL'),
  /** This hall's account on the city's broker (its user name is the hall id). */
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** CA certificate (PEM file) that the city broker's TLS certificate is checked against. */
  ca: z.string().min(1).optional(),
  /** Events per batch. */
  batch: z.number().int().min(1).max(1000).default(500),
  /** Batches sent ahead of the city's acknowledgement. */
  window: z.number().int().min(1).max(32).default(4),
  /** Seconds without an acknowledgement before the forwarder sends again from the last ack. */
  ackTimeoutS: z.number().min(0.2).max(600).default(10),
  /** Longest wait between reconnection attempts, seconds (back-off from 1 s, with jitter). */
  reconnectMaxS: z.number().min(0.05).max(3600).default(30),
  /** Closed days whose totals are reported to the city on each connection. */
  reportDays: z.number().int().min(0).max(62).default(7),
}).strict();
export type CityLink = z.infer<typeof CityLink>;
export type CityLinkInput = z.input<typeof CityLink>;

/** A city block from its own JSON file (`{"url": …}` or `{"city": {…}}`); a relative `ca` is relative to the file. */
export function loadCityLink(file: string): CityLink {
  const raw = loadJsonFile(file, z.union([z.object({ city: CityLink }).strict().transform((x) => x.city), CityLink]));
  if (raw.ca && !isAbsolute(raw.ca)) raw.ca = resolve(dirname(file), raw.ca);
  return raw;
}
