// The hall's TLS: `manyi keys tls` makes a hall CA and a server certificate for the
// controller (names and addresses the boards use), signed by it. The CA's key stays
// with the maintainer (mode 0600); the controller gets its own key and certificate;
// every provisioned board gets only ca.crt and verifies the server against it.
// A hall with its own PKI passes its files instead (`--tls-cert`, `--tls-key`).
// node-forge builds and signs the certificates; node:crypto makes the RSA keys.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { systemClock } from '../lib/time.ts';

export interface TlsFiles { caCert: string; caKey: string; cert: string; key: string }

export interface MakeTlsOptions {
  /** Folder to write ca.crt, ca.key (0600), server.crt, server.key (0600). */
  dir: string;
  /** Host names and IP addresses the boards reach the controller by (subjectAltName). */
  names: string[];
  /** The hall's id, in the CA's name. */
  hall: string;
  /** Years the server certificate is valid (default 2); the CA gets 10. */
  years?: number;
  /** Reuse an existing CA in `dir` to issue a new server certificate (new names, renewal). */
  reuseCa?: boolean;
  now?: Date;
}

function rsa(): { pub: forge.pki.PublicKey; priv: forge.pki.PrivateKey; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { pem, priv: forge.pki.privateKeyFromPem(pem), pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
}

function years(from: Date, n: number): Date {
  const d = new Date(from);
  d.setUTCFullYear(d.getUTCFullYear() + n);
  return d;
}

export function makeTls(o: MakeTlsOptions): TlsFiles {
  if (!o.names.length) throw new Error('name at least one host name or address the boards use for the controller (--name)');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const files: TlsFiles = { caCert: join(o.dir, 'ca.crt'), caKey: join(o.dir, 'ca.key'), cert: join(o.dir, 'server.crt'), key: join(o.dir, 'server.key') };
  const now = o.now ?? new Date(systemClock.now());
  const notBefore = new Date(now.getTime() - 5 * 60_000); // a board's clock a little behind still accepts it

  let caCert: forge.pki.Certificate;
  let caKey: forge.pki.PrivateKey;
  if (o.reuseCa) {
    if (!existsSync(files.caKey)) throw new Error(`no CA in ${o.dir} to reuse`);
    caCert = forge.pki.certificateFromPem(readFileSync(files.caCert, 'utf8'));
    caKey = forge.pki.privateKeyFromPem(readFileSync(files.caKey, 'utf8'));
  } else {
    if (existsSync(files.caKey)) throw new Error(`${files.caKey} exists: every board trusts that CA. Use --reuse-ca to issue a new server certificate with it`);
    const k = rsa();
    caCert = forge.pki.createCertificate();
    caCert.publicKey = k.pub;
    caCert.serialNumber = serial();
    caCert.validity.notBefore = notBefore;
    caCert.validity.notAfter = years(now, 10);
    const subject = [{ name: 'commonName', value: `manyi hall CA ${o.hall}` }, { name: 'organizationName', value: 'manyi' }];
    caCert.setSubject(subject);
    caCert.setIssuer(subject);
    caCert.setExtensions([
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    caCert.sign(k.priv as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    caKey = k.priv;
    writeFileSync(files.caKey, k.pem, { mode: 0o600 });
    writeFileSync(files.caCert, forge.pki.certificateToPem(caCert), { mode: 0o644 });
  }

  const k = rsa();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = years(now, o.years ?? 2);
  cert.setSubject([{ name: 'commonName', value: o.names[0] }, { name: 'organizationName', value: 'manyi' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: o.names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  writeFileSync(files.key, k.pem, { mode: 0o600 });
  writeFileSync(files.cert, forge.pki.certificateToPem(cert), { mode: 0o644 });
  return files;
}

/**
 * Reads and checks a key and certificate pair (ours or the hall's own PKI): each file
 * what it should be, the key the certificate's own, the certificate not expired.
 * Refused with the file's name rather than OpenSSL's words when the server starts.
 */
export function loadServerTls(certFile: string, keyFile: string, now = systemClock.now()): { cert: Buffer; key: Buffer } {
  const cert = readFileSync(certFile);
  const key = readFileSync(keyFile);
  let x: X509Certificate;
  try { x = new X509Certificate(cert); } catch { throw new Error(`${certFile} is not a PEM certificate`); }
  let k: KeyObject;
  try { k = createPrivateKey(key); } catch { throw new Error(`${keyFile} is not a PEM private key`); }
  if (!x.checkPrivateKey(k)) throw new Error(`${keyFile} is not the key of ${certFile}: give the key the certificate was issued for`);
  if (Date.parse(x.validTo) < now) throw new Error(`${certFile} expired on ${x.validTo}: make a new one (manyi keys tls --reuse-ca)`);
  return { cert, key };
}
