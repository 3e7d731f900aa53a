/**
 * The signing module: the only code in the platform that holds a private key.
 *
 * Everything else sees a `TransactionSigner` — an address and a function that signs — and never the
 * key. The key lives in a closure here: it is not a property of any object, so no JSON, log line,
 * error or GraphQL response can carry it by accident. To move the key into an HSM or an external
 * signer (KMS, a signing service, a hardware wallet), implement `TransactionSigner` there and pass
 * it to `startBlockchainSubgraph`: nothing else changes.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { inspect } from 'node:util';
import { getAddress, isHex, type Address, type Hex, type LocalAccount, type TransactionSerializable } from 'viem';
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts';

export interface TransactionSigner {
  /** Checksummed address of the key: what pays gas and operates the treasury. */
  readonly address: Address;
  /** Where the key lives, for logs and /health: 'environment', 'key-file', 'external', … */
  readonly source: string;
  /** Returns the signed, serialised transaction (what eth_sendRawTransaction takes). */
  signTransaction(transaction: TransactionSerializable): Promise<Hex>;
}

/** The environment variable a private key may be given in (else SIGNER_KEY_FILE names a file). */
export const SIGNER_KEY_ENV = 'SIGNER_PRIVATE_KEY';

export class SignerConfigurationError extends Error {}

export interface LoadSignerOptions {
  env?: Record<string, string | undefined>;
  /** File holding the key as 0x-prefixed hex. */
  keyFile?: string | undefined;
  /** Development only: create `keyFile` with a fresh key (mode 0600) when it does not exist. */
  generateIfMissing?: boolean;
}

/** The local key signer: the key comes from SIGNER_PRIVATE_KEY or from a key file. */
export function loadKeySigner(options: LoadSignerOptions = {}): TransactionSigner {
  const env = options.env ?? process.env;
  const fromEnv = env[SIGNER_KEY_ENV];
  if (fromEnv) return keySigner(parseKey(fromEnv, SIGNER_KEY_ENV), 'environment');
  if (!options.keyFile) throw new SignerConfigurationError(`No signing key: set ${SIGNER_KEY_ENV} or SIGNER_KEY_FILE`);
  let text: string;
  try {
    text = readFileSync(options.keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.generateIfMissing) {
      throw new SignerConfigurationError(`Cannot read the signing key file ${options.keyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    text = generatePrivateKey();
    mkdirSync(dirname(options.keyFile), { recursive: true });
    try {
      writeFileSync(options.keyFile, text + '\n', { flag: 'wx', mode: 0o600 });
    } catch {
      text = readFileSync(options.keyFile, 'utf8'); // another process created it first
    }
    chmodSync(options.keyFile, 0o600);
  }
  return keySigner(parseKey(text.trim(), options.keyFile), 'key-file');
}

function parseKey(value: string, origin: string): Hex {
  const key = (value.startsWith('0x') ? value : `0x${value}`) as Hex;
  // The message names where the key came from, never any of its characters.
  if (!isHex(key) || key.length !== 66) throw new SignerConfigurationError(`The signing key in ${origin} is not 32 bytes of hex`);
  return key;
}

function keySigner(privateKey: Hex, source: string): TransactionSigner {
  const account = privateKeyToAccount(privateKey);
  const address = account.address;
  const signer: TransactionSigner = {
    address,
    source,
    signTransaction: (transaction) => account.signTransaction(transaction),
  };
  return redacted(signer);
}

/** Makes sure printing a signer (JSON, util.inspect, String) shows its address only. */
function redacted<T extends TransactionSigner>(signer: T): T {
  const describe = () => `TransactionSigner(${signer.address}, ${signer.source})`;
  Object.defineProperties(signer, {
    toJSON: { value: () => ({ address: signer.address, source: signer.source }), enumerable: false },
    toString: { value: describe, enumerable: false },
    [inspect.custom]: { value: describe, enumerable: false },
  });
  return Object.freeze(signer);
}

/** The signer as a viem account, so wallet clients sign through it without seeing a key. */
export function signerAccount(signer: TransactionSigner): LocalAccount {
  return toAccount({
    address: getAddress(signer.address),
    signTransaction: (transaction) => signer.signTransaction(transaction),
    signMessage: () => Promise.reject(new Error('This signer signs transactions only')),
    signTypedData: () => Promise.reject(new Error('This signer signs transactions only')),
  });
}
