// The other broker a hall may run: Mosquitto's `password_file` and `acl_file`,
// generated from the registry and the access rules security/acl.ts derives from the
// contract table, plus the config lines that point Mosquitto at them (with the
// equivalents of this folder's guard). The brokers draw on firmware/security, never
// the other way round.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { mosquittoAcl } from '../security/acl.ts';
import { DEFAULT_GUARD } from './guard.ts';
import { identityOf, type Registry } from '../security/registry.ts';

export function mosquittoPasswordFile(reg: Registry): string {
  return reg.devices.map((d) => `${d.device}:${d.mosquittoHash}`).join('\n') + '\n';
}

export function mosquittoAclFile(reg: Registry): string {
  return mosquittoAcl(reg.devices.map(identityOf));
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o640 }); // group-readable: chgrp mosquitto
  renameSync(tmp, file);
}

/**
 * Writes `password_file`, `acl_file` and `manyi.conf` (lines to include in
 * mosquitto.conf) into `dir`. Returns their paths. Reload Mosquitto (SIGHUP) after.
 */
export function writeMosquittoFiles(reg: Registry, dir: string): { passwordFile: string; aclFile: string; conf: string } {
  mkdirSync(dir, { recursive: true });
  const passwordFile = join(dir, 'password_file');
  const aclFile = join(dir, 'acl_file');
  const conf = join(dir, 'manyi.conf');
  writeAtomic(passwordFile, mosquittoPasswordFile(reg));
  writeAtomic(aclFile, mosquittoAclFile(reg));
  writeAtomic(conf, mosquittoConfLines(passwordFile, aclFile).join('\n') + '\n');
  return { passwordFile, aclFile, conf };
}

/**
 * The lines a hall's mosquitto.conf includes: the generated files, and Mosquitto's
 * equivalents of the embedded broker's guards (firmware/broker/guard.ts):
 * - `max_packet_size`: the contract's largest message with margin; bigger packets
 *   close the connection before Mosquitto keeps them;
 * - `use_username_as_clientid`: a device's client id is its device id, whatever it
 *   sends, so one device cannot take over another's session;
 * - `max_keepalive`, `max_inflight_messages`, `max_queued_messages`: a stalled or
 *   hostile client cannot make the broker hold an unbounded queue for it.
 * Mosquitto has no failed-login back-off or per-address cap of its own: a hall on
 * Mosquitto needs a firewall rule for the cap (nftables `ct count`; not in the guide yet).
 */
export function mosquittoConfLines(passwordFile: string, aclFile: string, o: { maxPacketBytes?: number } = {}): string[] {
  return [
    'allow_anonymous false', `password_file ${passwordFile}`, `acl_file ${aclFile}`,
    `max_packet_size ${o.maxPacketBytes ?? DEFAULT_GUARD.maxPacketBytes}`,
    'use_username_as_clientid true',
    'max_keepalive 120', 'max_inflight_messages 20', 'max_queued_messages 1000',
    'set_tcp_nodelay true',
  ];
}
