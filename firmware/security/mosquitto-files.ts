// Mosquitto's `password_file` and `acl_file`, generated from the registry and the
// access rules acl.ts derives from the contract table, plus the config lines that point Mosquitto at them.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { mosquittoAcl } from './acl.ts';
import { identityOf, type Registry } from './registry.ts';

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

export function mosquittoConfLines(passwordFile: string, aclFile: string): string[] {
  return ['allow_anonymous false', `password_file ${passwordFile}`, `acl_file ${aclFile}`];
}
