// Kiosk: time from a GPIO button press to the last byte of the ticket reaching the
// printer (a mock serial port answering DLE EOT like an Epson), through the real
// path: debounce, MQTT request to a controller double on an embedded broker, the
// reply, layout, status check and the serial write. And the process's memory.
// `npm run bench -- --only kiosk [--presses N]`
import { MockBinding } from '@serialport/binding-mock';
import { SimGpioChip } from '../../firmware/hw/gpio-sim.ts';
import type { KioskSpec } from '../../hw-specs/schema.ts';
import { createKioskRole } from '../../kiosk/role.ts';
import { serialLink, type SerialBinding } from '../../kiosk/printer/links.ts';
import { LinkPrinter } from '../../kiosk/printer/link-printer.ts';
import { EpsonSerialTwin } from '../../kiosk/printer/sim.ts';
import { fork } from 'node:child_process';
import { kioskHarness } from '../kiosk/helpers.ts';

/** The kiosk alone in a child process: its RSS at start and after `n` tickets. */
async function kioskProcessMemory(brokerUrl: string, n: number): Promise<{ start: number; after: number; heap: number }> {
  const child = fork(new URL('../kiosk/kiosk-process.ts', import.meta.url).pathname, [brokerUrl], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () => new Promise<{ rss: number; heapUsed: number }>((resolve, reject) => { child.once('message', resolve as (m: unknown) => void); child.once('exit', reject); });
  const start = await next();
  await new Promise((r) => setTimeout(r, 500)); // blocks reserved
  child.send({ pull: n });
  const after = await next();
  child.send({ stop: true });
  await new Promise((r) => child.once('exit', r));
  return { start: start.rss, after: after.rss, heap: after.heapUsed };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const mb = (n: number) => (n / 1048576).toFixed(1);

export default async function bench(args: string[]): Promise<void> {
  const at = args.indexOf('--presses');
  const presses = at >= 0 ? Number(args[at + 1]) : 200;
  const rss0 = process.memoryUsage().rss;
  const h = await kioskHarness();
  const rssHarness = process.memoryUsage().rss;
  MockBinding.createPort('/dev/ttyBENCH', { echo: false, record: false });
  let twin!: EpsonSerialTwin;
  const binding = { ...MockBinding, async open(o: Parameters<typeof MockBinding.open>[0]) { const p = await MockBinding.open(o); twin = new EpsonSerialTwin(p); return p; } };
  const printer = new LinkPrinter(await serialLink('/dev/ttyBENCH', 19200, binding as unknown as SerialBinding), { statusTimeoutMs: 500 });
  const gpio = new SimGpioChip();
  const spec: KioskSpec = {
    type: 'kiosk', name: 'kiosk-bench', description: 'bench', computer: 'Pi 4', wiring: 'kiosk.md', bom: [{ part: 'x', qty: 1 }],
    printer: { model: 'Epson TM-T82III', paperMm: 80, connection: { type: 'serial', path: '/dev/ttyBENCH', baudRate: 19200 }, qr: 'native' },
    buttons: [{ bcm: 5, service: 'registration', activeLow: true, debounceMs: 20 }], statusLeds: {},
  };
  const kiosk = await createKioskRole({ printer, gpio, spec, previews: false, statusPollMs: 60_000 })(h.ctx);
  const rssKiosk = process.memoryUsage().rss;

  const press = async (): Promise<number> => {
    const done = new Promise<number>((resolve) => {
      twin.onPrinted = (b) => { if (b.length >= 4 && b[b.length - 4] === 0x1d && b[b.length - 3] === 0x56) resolve(performance.now()); };
    });
    const t0 = performance.now();
    gpio.setInput(5, 1); // pressed and held; released after the ticket is out
    const ms = (await done) - t0;
    gpio.setInput(5, 0);
    await new Promise((r) => setTimeout(r, 30)); // the release settles
    return ms;
  };
  const total: number[] = [];
  for (let i = 0; i < presses; i++) total.push(await press());
  // Broker cut: tickets come from the reserved block, each fsync'd before printing.
  h.proxy.cut();
  while (h.ctx.bus.connected) await new Promise((r) => setTimeout(r, 10));
  const offline: number[] = [];
  const offlinePresses = Math.min(25, presses);
  for (let i = 0; i < offlinePresses; i++) offline.push(await press());
  const rssEnd = process.memoryUsage().rss;
  const heap = process.memoryUsage().heapUsed;
  const rows = [
    ['button press → last byte (incl. 20 ms debounce)', pct(total, 0.5), pct(total, 0.99)],
    ['same, after debounce', pct(total, 0.5) - 20, pct(total, 0.99) - 20],
    [`broker down: offline block, fsync'd (${offlinePresses} presses, incl. debounce)`, pct(offline, 0.5), pct(offline, 0.99)],
  ] as const;
  console.log(`presses: ${presses}, tickets printed: ${twin.printed.length}`);
  console.log('| path | median ms | p99 ms |\n|---|---|---|');
  for (const [name, med, p99] of rows) console.log(`| ${name} | ${med.toFixed(1)} | ${p99.toFixed(1)} |`);
  console.log(`\nmemory: bench process RSS ${mb(rssEnd)} MB (before: ${mb(rss0)} MB; broker + controller double + web: +${mb(rssHarness - rss0)} MB; kiosk role start: +${mb(rssKiosk - rssHarness)} MB; after ${presses} tickets: +${mb(rssEnd - rssKiosk)} MB), heap used ${mb(heap)} MB`);
  h.proxy.restore();
  const proc = await kioskProcessMemory(h.broker.url, presses);
  console.log(`kiosk process alone (tsx, simulated printer): RSS ${mb(proc.start)} MB at start, ${mb(proc.after)} MB after ${presses} tickets, heap used ${mb(proc.heap)} MB`);
  await kiosk.stop();
  await h.close();
  MockBinding.reset();
}
