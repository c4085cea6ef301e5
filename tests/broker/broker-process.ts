// The embedded broker alone in its own process, for the security benchmark: reads
// the registry file and the broker's options (JSON) from argv, prints its port on
// stdout, and answers IPC `{mem: true}` with its resident memory, so the attackers'
// sockets in the benchmark's process do not count in the figure.
import { startEmbeddedBroker, type EmbeddedBrokerOptions } from '../../firmware/broker/embedded.ts';
import { FileBrokerAuth } from '../../firmware/security/file-auth.ts';

const [registryFile, optionsJson] = process.argv.slice(2);
const opts = JSON.parse(optionsJson ?? '{}') as Partial<EmbeddedBrokerOptions>;
const refused = new Map<string, number>();
const b = await startEmbeddedBroker({
  port: 0, host: '127.0.0.1', auth: new FileBrokerAuth(registryFile), ...opts,
  onRefuse: (why) => refused.set(why, (refused.get(why) ?? 0) + 1),
});
process.on('message', (m: { mem?: boolean; stop?: boolean }) => {
  if (m.mem) process.send!({ rss: process.memoryUsage().rss, refused: Object.fromEntries(refused) });
  if (m.stop) void b.close().then(() => process.exit(0));
});
process.send!({ port: b.port });
