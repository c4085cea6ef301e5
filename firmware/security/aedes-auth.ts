// Wires a `BrokerAuth` into aedes' hooks. The broker (firmware/broker/) may use
// this or call BrokerAuth itself; tests use it to run aedes with authentication.
import type { AedesOptions, Client } from 'aedes';
import type { BrokerAuth, DeviceIdentity } from './identity.ts';

const who = new WeakMap<Client, DeviceIdentity>();

/** The identity a connected aedes client authenticated as. */
export function identityOfClient(client: Client | null | undefined): DeviceIdentity | undefined {
  return client ? who.get(client) : undefined;
}

function refusal(message: string, returnCode: number): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

export function aedesAuthHooks(auth: BrokerAuth): Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'> {
  return {
    authenticate(client, username, password, done) {
      auth.authenticate(client.id, username, password).then(
        (id) => {
          if (!id) return done(refusal('bad user name or password', 4) as never, false);
          who.set(client, id);
          done(null, true);
        },
        (err) => done(refusal(`authentication failed: ${(err as Error).message}`, 3) as never, false),
      );
    },
    authorizePublish(client, packet, callback) {
      // Wills arrive here with the client that set them; `$SYS/` stays the broker's own.
      const id = identityOfClient(client);
      if (packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS/ is reserved'));
      if (!id || !auth.canPublish(id, packet.topic)) return callback(new Error(`not allowed to publish on ${packet.topic}`));
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const id = identityOfClient(client);
      // A null subscription answers with a refusal code (0x80) and keeps the session.
      if (!id || !auth.canSubscribe(id, sub.topic)) return callback(null, null);
      callback(null, sub);
    },
  };
}
