// `manyi city`: one instance of the city service — ingest from the city's broker
// into PostgreSQL, and the supervising office's pages and API. Run several with
// the same --group to split the load. Prints one `ready` line (JSON).
// `manyi city-account`: adds a hall's (or a city instance's) account to the city
// broker's files (Mosquitto password_file and acl_file, see access.ts).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../runtime/logger.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { WebApp } from '../web/app.ts';
import { mountManagerLogin } from '../security/manager-login.ts';
import { PeopleAuth } from '../security/people.ts';
import { loadServerTls } from '../security/tls.ts';
import { addCityAccount } from './access.ts';
import { mountCityPages } from './api.ts';
import { CityQueries } from './query.ts';
import { startCity } from './service.ts';
import { systemClock } from '../lib/time.ts';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${v}`);
  return n;
};

interface CityCliOptions {
  db: string; broker: string; username?: string; password?: string; ca?: string; group: string; instance?: string;
  port: number; host: string; timezone: string; pages: boolean; logLevel: string; people?: string; openPages?: boolean;
  tlsCert?: string; tlsKey?: string;
}

export function register(program: Command): void {
  program.command('city')
    .description("run one instance of the city service: the halls' event logs into PostgreSQL, and the supervising office's pages (/city) and API (/api/city/…)")
    .option('--db <url>', 'PostgreSQL connection URL (or MANYI_CITY_DB)', process.env.MANYI_CITY_DB)
    .requiredOption('--broker <url>', "the city's MQTT broker (Mosquitto or EMQX: shared subscriptions), e.g. mqtt://127.0.0.1:1883")
    .option('--username <name>', 'account on the city broker (e.g. city.ingest)')
    .option('--password <password>', 'its password (or MANYI_CITY_PASSWORD)', process.env.MANYI_CITY_PASSWORD)
    .option('--ca <file>', 'CA certificate of the broker (mqtts://)')
    .option('--group <name>', 'shared subscription group: every instance of one city uses the same', 'manyi-city')
    .option('--instance <name>', 'name of this instance in logs')
    .option('--port <port>', 'HTTP port of the pages and API (0 = any free port)', port, 8090)
    .option('--host <host>', 'address the pages listen on', '127.0.0.1')
    .option('--timezone <tz>', "the city's time zone: what \"today\" is on its pages", 'Asia/Shanghai')
    .option('--no-pages', 'ingest only: no pages or API in this instance')
    .option('--people <file>', 'who may sign in to the pages (managers of the supervising office: manyi managers add ID --people FILE)')
    .option('--open-pages', 'pages and API without sign-in (a bench or a demo on loopback, never an office)')
    .option('--tls-cert <file>', 'serve the pages over HTTPS with this certificate (sign-in cookies are then Secure)')
    .option('--tls-key <file>', 'the key of --tls-cert')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .action(async (o: CityCliOptions, cmd: Command) => {
      if (!o.db) cmd.error('manyi city: --db URL (or MANYI_CITY_DB) is required');
      if (!!o.tlsCert !== !!o.tlsKey) cmd.error('manyi city: --tls-cert and --tls-key go together');
      if (o.pages && !o.people && !o.openPages) cmd.error('manyi city: --people FILE is required for the pages (who may sign in), or --open-pages for a bench, or --no-pages');
      const log = createLogger({ name: 'manyi-city', level: o.logLevel as never });
      let stopAll: (() => Promise<void>) | undefined;
      onShutdown(async () => { await stopAll?.(); }, log);
      try {
        const city = await startCity({
          db: o.db, broker: { url: o.broker, username: o.username, password: o.password, ca: o.ca ? resolve(o.ca) : undefined },
          group: o.group, instance: o.instance, log, foldEveryS: 30,
        });
        let web: WebApp | undefined;
        let httpPort: number | null = null;
        if (o.pages) {
          const tls = o.tlsCert && o.tlsKey ? loadServerTls(resolve(o.tlsCert), resolve(o.tlsKey)) : undefined;
          if (o.people && !tls && o.host !== '127.0.0.1') log.warn('no TLS (--tls-cert/--tls-key): passwords cross the network in clear');
          web = new WebApp({ log, tls });
          // The manager's page rule: sign in at /login, or an API token (manyi managers token ID).
          const login = o.people ? mountManagerLogin(web, new PeopleAuth(resolve(o.people)), { title: '城市电子监察 City supervision', home: '/city' }) : undefined;
          if (!login) log.warn('pages open without sign-in (--open-pages)');
          mountCityPages(web, new CityQueries(city.store.pool, systemClock, o.timezone), { guard: login?.guard.bind(login) });
          httpPort = await web.listen(o.port, o.host);
        }
        stopAll = async () => { await web?.close(); await city.stop(); };
        process.stdout.write(`${JSON.stringify({ ready: true, instance: city.instance, http: httpPort, https: !!web?.secure, pid: process.pid })}\n`);
      } catch (e) {
        process.stderr.write(`manyi city: ${(e as Error).message}\n`);
        process.exit(1);
      }
    });

  program.command('city-account')
    .description("add an account to the city broker's Mosquitto files: a hall (publishes only under its own hall id) or a city instance (reads every hall)")
    .requiredOption('--dir <dir>', 'where the city broker\'s password_file, acl_file and accounts.json live (created)')
    .option('--hall <id>', 'a hall: its user name is the hall id')
    .option('--service <name>', 'a city instance account, named city.<name>')
    .option('--password <password>', 'the password (default: a new random one, printed once)')
    .option('--url <url>', 'the city broker URL to print in the hall\'s configuration block', 'mqtts://city.example:8883')
    .action((o: { dir: string; hall?: string; service?: string; password?: string; url: string }, cmd: Command) => {
      try {
        const out = addCityAccount(resolve(o.dir), { hall: o.hall, service: o.service, password: o.password });
        if (o.hall) process.stdout.write(`${JSON.stringify({ city: { url: o.url, username: out.username, password: out.password } }, null, 2)}\n`);
        else process.stdout.write(`${JSON.stringify({ username: out.username, password: out.password })}\n`);
      } catch (e) {
        cmd.error(`manyi city-account: ${(e as Error).message}`);
      }
    });
}
