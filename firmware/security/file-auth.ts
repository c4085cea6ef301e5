// `BrokerAuth` backed by the registry file: the embedded broker admits only
// provisioned devices and enforces the rules of acl.ts. The file is re-read when it
// changes, so `manyi provision` on the controller takes effect without a restart.
import type { BrokerAuth, DeviceIdentity } from './identity.ts';
import { canPublish, canSubscribe } from './acl.ts';
import { identityOf, loadRegistry, registryMtime, type Registry } from './registry.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export class FileBrokerAuth implements BrokerAuth {
  private reg: Registry;
  private mtime: number;
  /** A hash to spend the same time on unknown users, so names cannot be probed by timing. */
  private decoy: Promise<string> = hashPassword('decoy');

  constructor(readonly file: string) {
    this.reg = loadRegistry(file);
    this.mtime = registryMtime(file);
  }

  /** Re-reads the file if it changed; a file that became invalid keeps the last good registry. */
  private refresh(): void {
    const m = registryMtime(this.file);
    if (m === this.mtime) return;
    try {
      this.reg = loadRegistry(this.file);
      this.mtime = m;
    } catch (e) {
      process.emitWarning(`device registry not reloaded: ${(e as Error).message}`);
    }
  }

  devices(): Registry['devices'] {
    this.refresh();
    return this.reg.devices;
  }

  /**
   * The client id must be the device id (or the one id configured for it): a
   * prefix rule let device `board` connect as `board-2f` and knock that device off.
   */
  async authenticate(clientId: string, username: string | undefined, password: Buffer | undefined): Promise<DeviceIdentity | null> {
    this.refresh();
    const entry = username ? this.reg.devices.find((d) => d.device === username) : undefined;
    const pw = password ?? Buffer.alloc(0);
    if (!entry) {
      await verifyPassword(pw, await this.decoy);
      return null;
    }
    const ok = await verifyPassword(pw, entry.passwordHash);
    const ownId = clientId === (entry.clientId ?? entry.device);
    return ok && ownId ? identityOf(entry) : null;
  }

  canPublish(who: DeviceIdentity, topic: string): boolean {
    return canPublish(who, topic);
  }

  canSubscribe(who: DeviceIdentity, filter: string): boolean {
    return canSubscribe(who, filter);
  }
}
