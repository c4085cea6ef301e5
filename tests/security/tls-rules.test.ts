// The rules of the hall's TLS files (firmware/security/tls.ts), read back with
// node:crypto and node-forge's parser, in-process: what `manyi keys tls` makes (a
// CA that can only sign, a server certificate for the names the boards use, its
// validity from the injected time, the files' modes, reusing the CA) and what a
// role accepts as its key and certificate (a matching, readable, unexpired pair,
// refused with the file's name otherwise). (tests/broker/tls.test.ts checks the
// same files with openssl, mosquitto and real TLS connections.)
import { describe, expect, it, vi } from 'vitest';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { loadServerTls, makeTls, type TlsFiles } from '../../firmware/security/tls.ts';
import { tempDir } from '../maint/helpers.ts';

// randomBytes stays node's own unless a test forces the next serial's bytes.
const forced = vi.hoisted(() => ({ serial: null as Buffer | null }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const randomBytes = ((n: number) => (forced.serial && n === 16 ? Buffer.from(forced.serial) : real.randomBytes(n))) as typeof real.randomBytes;
  return { ...real, default: { ...real, randomBytes }, randomBytes };
});

// The umask cannot be changed inside a worker thread (Stryker runs the tests in one),
// so the modes asked of the file system are watched as well, passing through.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, writeFileSync: vi.fn(real.writeFileSync) };
});

const NOW = new Date('2026-03-15T12:00:00Z');
const HALL = 'shenzhen-futian-01';

function make(o: Partial<Parameters<typeof makeTls>[0]> = {}): TlsFiles {
  return makeTls({ dir: join(tempDir('manyi-tls-rules-'), 'tls'), hall: HALL, names: ['hall.local', '192.168.1.10'], now: NOW, ...o });
}
const x509 = (file: string) => new X509Certificate(readFileSync(file));
const parsed = (file: string) => forge.pki.certificateFromPem(readFileSync(file, 'utf8'));
type Ext = Record<string, unknown> & { critical?: boolean; value?: string };
const ext = (c: forge.pki.Certificate, name: string) => c.getExtension(name) as Ext | null;
/** The authorityKeyIdentifier's key id, hex (forge leaves that extension unparsed). */
function authorityKeyId(c: forge.pki.Certificate): string {
  const seq = forge.asn1.fromDer(ext(c, 'authorityKeyIdentifier')!.value!);
  return forge.util.bytesToHex((seq.value as forge.asn1.Asn1[])[0].value as string);
}

describe('making the hall CA and server certificate', () => {
  it('refuses without a host name or address for the controller, before writing anything', () => {
    const dir = join(tempDir('manyi-tls-rules-'), 'tls');
    expect(() => makeTls({ dir, hall: HALL, names: [], now: NOW })).toThrow('name at least one host name or address the boards use for the controller (--name)');
    expect(existsSync(dir)).toBe(false);
  });

  it('the CA: named after the hall, self-issued, may sign certificates (and CRLs) only, no CA under it; all critical', () => {
    const f = make();
    const ca = x509(f.caCert);
    expect(ca.subject).toBe(`CN=manyi hall CA ${HALL}\nO=manyi`);
    expect(ca.issuer).toBe(ca.subject);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    const c = parsed(f.caCert);
    expect(ext(c, 'basicConstraints')).toMatchObject({ cA: true, pathLenConstraint: 0, critical: true });
    expect(ext(c, 'keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true, digitalSignature: false, keyEncipherment: false, critical: true });
    expect(ext(c, 'subjectKeyIdentifier')?.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
  });

  it('the CA is valid for 10 years, from 5 minutes before now (a board whose clock is a little behind accepts it)', () => {
    const ca = x509(make().caCert);
    expect(ca.validFrom).toBe('Mar 15 11:55:00 2026 GMT');
    expect(ca.validTo).toBe('Mar 15 12:00:00 2036 GMT');
  });

  it('the server certificate: for the names given (host names as DNS, addresses as IP), the first one its name, issued by the hall CA', () => {
    const f = make({ names: ['hall.local', '192.168.1.10', 'controller', '::1'] });
    const ca = x509(f.caCert), cert = x509(f.cert);
    expect(cert.subjectAltName).toBe('DNS:hall.local, IP Address:192.168.1.10, DNS:controller, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.subject).toBe('CN=hall.local\nO=manyi');
    expect(cert.issuer).toBe(ca.subject);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(authorityKeyId(parsed(f.cert))).toBe(ext(parsed(f.caCert), 'subjectKeyIdentifier')!.subjectKeyIdentifier);
    expect(ext(parsed(f.cert), 'subjectKeyIdentifier')?.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
  });

  it('the server certificate can serve TLS and nothing else: not a CA, digital signature + key encipherment, server auth', () => {
    const f = make();
    const cert = x509(f.cert);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth only
    const c = parsed(f.cert);
    expect(ext(c, 'basicConstraints')).toMatchObject({ cA: false, critical: true });
    expect(ext(c, 'keyUsage')).toMatchObject({ digitalSignature: true, keyEncipherment: true, keyCertSign: false, cRLSign: false, critical: true });
    expect(ext(c, 'extKeyUsage')).toMatchObject({ serverAuth: true });
  });

  it('the server certificate is valid 2 years by default, or the years asked for, from 5 minutes before now', () => {
    const two = x509(make().cert);
    expect(two.validFrom).toBe('Mar 15 11:55:00 2026 GMT');
    expect(two.validTo).toBe('Mar 15 12:00:00 2028 GMT');
    const five = make({ years: 5 });
    expect(x509(five.cert).validTo).toBe('Mar 15 12:00:00 2031 GMT');
    expect(x509(five.caCert).validTo).toBe('Mar 15 12:00:00 2036 GMT');
  });

  it('without a time given, dates from the present', () => {
    const f = makeTls({ dir: join(tempDir('manyi-tls-rules-'), 'tls'), hall: HALL, names: ['hall.local'] });
    const from = Date.parse(x509(f.cert).validFrom);
    expect(Math.abs(from + 5 * 60_000 - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('writes 2048-bit RSA keys (PKCS#8 PEM) that only their owner can read, each the key of its certificate; certificates no one else can change, whatever the umask; makes the folders', () => {
    const write = vi.mocked(fs.writeFileSync);
    write.mockClear();
    const f = make({ dir: join(tempDir('manyi-tls-rules-'), 'deep', 'er', 'tls') });
    // Asked of the file system explicitly: a permissive umask cannot make a certificate writable by others.
    expect(write.mock.calls.map(([file, , opts]) => [file, opts])).toEqual([
      [f.caKey, { mode: 0o600 }], [f.caCert, { mode: 0o644 }], [f.key, { mode: 0o600 }], [f.cert, { mode: 0o644 }],
    ]);
    expect(f).toEqual({ caCert: expect.stringMatching(/tls\/ca\.crt$/), caKey: expect.stringMatching(/tls\/ca\.key$/), cert: expect.stringMatching(/tls\/server\.crt$/), key: expect.stringMatching(/tls\/server\.key$/) });
    for (const [keyFile, certFile] of [[f.key, f.cert], [f.caKey, f.caCert]]) {
      const pem = readFileSync(keyFile, 'utf8');
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const key = createPrivateKey(pem);
      expect(key.asymmetricKeyType).toBe('rsa');
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(x509(certFile).checkPrivateKey(key)).toBe(true);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(certFile).mode & 0o022).toBe(0);
      expect(readFileSync(certFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n/);
    }
    expect(statSync(join(f.key, '..')).mode & 0o077).toBe(0);
  });

  it('gives every certificate a positive 16-byte serial of its own', () => {
    const f = make();
    const serials = [x509(f.caCert).serialNumber, x509(f.cert).serialNumber];
    for (const s of serials) expect(s).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(serials[0]).not.toBe(serials[1]);
  });

  it('clears the top bit of a serial whose random bytes have it set (a DER serial is positive)', () => {
    forced.serial = Buffer.alloc(16, 0xff);
    try {
      const f = make();
      expect(x509(f.cert).serialNumber).toBe('7F' + 'FF'.repeat(15));
      expect(x509(f.caCert).serialNumber).toBe('7F' + 'FF'.repeat(15));
    } finally { forced.serial = null; }
  });
});

describe('reusing the hall CA', () => {
  it('issues a new server certificate for new names with the same CA, leaving the CA files as they were', () => {
    const f = make({ names: ['hall.local'] });
    const caCert = readFileSync(f.caCert, 'utf8'), caKey = readFileSync(f.caKey, 'utf8');
    const firstKey = readFileSync(f.key, 'utf8');
    const later = new Date('2027-01-01T00:00:00Z');
    const g = makeTls({ dir: join(f.caCert, '..'), hall: HALL, names: ['hall.local', '10.0.0.2'], reuseCa: true, now: later });
    expect(g).toEqual(f);
    expect(readFileSync(f.caCert, 'utf8')).toBe(caCert);
    expect(readFileSync(f.caKey, 'utf8')).toBe(caKey);
    expect(readFileSync(g.key, 'utf8')).not.toBe(firstKey);
    const cert = x509(g.cert), ca = x509(g.caCert);
    expect(cert.subjectAltName).toBe('DNS:hall.local, IP Address:10.0.0.2');
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.validTo).toBe('Jan  1 00:00:00 2029 GMT');
    expect(authorityKeyId(parsed(g.cert))).toBe(ext(parsed(g.caCert), 'subjectKeyIdentifier')!.subjectKeyIdentifier);
  });

  it('refuses to reuse a CA that is not there', () => {
    const dir = join(tempDir('manyi-tls-rules-'), 'empty');
    expect(() => makeTls({ dir, hall: HALL, names: ['hall.local'], reuseCa: true, now: NOW })).toThrow(`no CA in ${dir} to reuse`);
    expect(existsSync(join(dir, 'server.key'))).toBe(false);
  });

  it('refuses to make a new CA over the one every board trusts, and changes nothing', () => {
    const f = make();
    const before = [f.caCert, f.caKey, f.cert, f.key].map((p) => readFileSync(p, 'utf8'));
    expect(() => makeTls({ dir: join(f.caKey, '..'), hall: HALL, names: ['x'], now: NOW }))
      .toThrow(`${f.caKey} exists: every board trusts that CA. Use --reuse-ca to issue a new server certificate with it`);
    expect([f.caCert, f.caKey, f.cert, f.key].map((p) => readFileSync(p, 'utf8'))).toEqual(before);
  });
});

describe("a role's key and certificate", () => {
  it('loads a matching pair as the bytes of the files', () => {
    const f = make();
    const tls = loadServerTls(f.cert, f.key, NOW.getTime());
    expect(tls).toEqual({ cert: readFileSync(f.cert), key: readFileSync(f.key) });
  });

  it('refuses an expired certificate, naming it and the way to renew, but not on its last second', () => {
    const f = make();
    const end = Date.parse(x509(f.cert).validTo);
    expect(loadServerTls(f.cert, f.key, end).cert).toEqual(readFileSync(f.cert));
    expect(() => loadServerTls(f.cert, f.key, end + 1000)).toThrow(`${f.cert} expired on Mar 15 12:00:00 2028 GMT: make a new one (manyi keys tls --reuse-ca)`);
  });

  it("refuses a key that is not the certificate's (another hall's, or the CA's), naming both files", () => {
    const f = make(), other = make({ hall: 'elsewhere' });
    for (const key of [other.key, f.caKey]) {
      expect(() => loadServerTls(f.cert, key, NOW.getTime())).toThrow(`${key} is not the key of ${f.cert}: give the key the certificate was issued for`);
    }
  });

  it('refuses files swapped or not PEM at all, naming the file', () => {
    const f = make();
    const junk = join(f.key, '..', 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    expect(() => loadServerTls(f.key, f.key, NOW.getTime())).toThrow(`${f.key} is not a PEM certificate`);
    expect(() => loadServerTls(junk, f.key, NOW.getTime())).toThrow(`${junk} is not a PEM certificate`);
    expect(() => loadServerTls(f.cert, f.cert, NOW.getTime())).toThrow(`${f.cert} is not a PEM private key`);
    expect(() => loadServerTls(f.cert, junk, NOW.getTime())).toThrow(`${junk} is not a PEM private key`);
  });

  it('refuses a missing file, naming it', () => {
    const f = make();
    const gone = join(f.key, '..', 'gone.pem');
    expect(() => loadServerTls(gone, f.key, NOW.getTime())).toThrow(gone);
    expect(() => loadServerTls(f.cert, gone, NOW.getTime())).toThrow(gone);
  });
});
