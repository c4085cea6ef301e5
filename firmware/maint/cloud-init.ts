// The first-boot instructions `manyi provision --out BOOTFS` writes next to the
// board's configuration, in the form current Raspberry Pi OS reads from its boot
// partition: cloud-init `user-data` (and `meta-data`, which its NoCloud source
// needs). Raspberry Pi Imager writes its own user-data (host name, user, SSH key,
// Wi-Fi) when you customise the image: ours is merged into it, keeping every
// setting of Imager's, and replaces what an earlier provision of the card added.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, YAMLSeq, isSeq, type Document } from 'yaml';

/** Where Raspberry Pi OS mounts the boot partition. */
export const BOOTFS_ON_BOARD = '/boot/firmware';
/** The folder on the card that holds the packages. */
export const PACKAGE_DIR = 'manyi';
const MARK = 'manyi';

export interface FirstBootPlan {
  device: string;
  role: string;
  /** File names in BOOTFS/manyi/ to install, in order (manyi first, then manyi-screen). */
  debs: string[];
  /** Enable the full-screen browser session too. */
  screen: boolean;
}

/** The commands, in cloud-init's list form (no shell quoting to get wrong). */
export function firstBootCommands(p: FirstBootPlan): string[][] {
  const debs = p.debs.map((d) => `${BOOTFS_ON_BOARD}/${PACKAGE_DIR}/${d}`);
  return [
    // apt resolves the packages' dependencies (nodejs; cage and chromium for a screen).
    ['sh', '-c', `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${debs.join(' ')}`],
    ['manyi', 'first-boot', '--bootfs', BOOTFS_ON_BOARD],
    ['systemctl', 'enable', '--now', 'manyi.service'],
    ...(p.screen ? [['systemctl', 'enable', '--now', 'manyi-screen.service']] : []),
  ];
}

const isOurs = (item: unknown) => JSON.stringify(item ?? '').includes(MARK);

/** user-data for the card: Imager's (if any) with our commands added. */
export function mergeUserData(existing: string | null, p: FirstBootPlan): string {
  const doc: Document = existing && existing.trim() ? parseDocument(existing) : parseDocument('{}');
  if (doc.errors.length) throw new Error(`the card's user-data is not valid YAML: ${doc.errors[0].message}`);
  if (doc.contents === null || typeof doc.toJS() !== 'object' || Array.isArray(doc.toJS())) throw new Error("the card's user-data is not a cloud-config mapping");
  let run = doc.get('runcmd');
  if (!isSeq(run)) { run = new YAMLSeq(); doc.set('runcmd', run); }
  const seq = run as YAMLSeq;
  seq.items = seq.items.filter((i) => !isOurs((i as { toJSON?: () => unknown }).toJSON?.() ?? i));
  for (const c of firstBootCommands(p)) seq.items.push(doc.createNode(c, { flow: true })); // one command a line
  doc.commentBefore = ` manyi: board ${p.device} (${p.role}); first boot installs the package from the card,\n moves manyi.json to /etc/manyi (0600) and deletes it here, and enables manyi.service.`;
  const text = doc.toString({ lineWidth: 0 });
  return `#cloud-config\n${text.replace(/^#cloud-config\n/m, '')}`;
}

/** Writes user-data (merged) and meta-data (if the card has none) to the boot folder. */
export function writeFirstBoot(out: string, p: FirstBootPlan): { userData: string; metaData: string } {
  const userData = join(out, 'user-data');
  const metaData = join(out, 'meta-data');
  writeFileSync(userData, mergeUserData(existsSync(userData) ? readFileSync(userData, 'utf8') : null, p));
  if (!existsSync(metaData)) writeFileSync(metaData, `instance-id: manyi-${p.device}\nlocal-hostname: ${p.device}\n`);
  return { userData, metaData };
}
