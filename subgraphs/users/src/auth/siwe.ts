import { getAddress, isAddress, isHex, verifyMessage } from 'viem';
import { parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { badUserInput } from '@supergraph/server';

/**
 * Sign-In with Ethereum (EIP-4361) checks that need no database: the message is well formed,
 * meant for us, inside its validity window, and signed by the address it names. Nonce
 * bookkeeping (issue, expire, consume once) lives with the data, in the auth resolver.
 */
export interface VerifiedSiweMessage {
  /** Lower-case address, the form wallets are stored under. */
  address: string;
  nonce: string;
}

export async function verifySiweSignature(message: string, signature: string, expected: { domain: string; now?: Date }): Promise<VerifiedSiweMessage> {
  if (message.length > 4096) throw badUserInput('Sign-in message is too long', 'SIWE_INVALID_MESSAGE', 'message');
  const parsed = parseSiweMessage(message);
  if (!parsed.address || !isAddress(parsed.address) || !parsed.nonce || !parsed.domain || parsed.version !== '1') {
    throw badUserInput('Sign-in message is not a valid EIP-4361 message', 'SIWE_INVALID_MESSAGE', 'message');
  }
  if (parsed.domain !== expected.domain) {
    throw badUserInput(`Sign-in message is for "${parsed.domain}", not "${expected.domain}"`, 'SIWE_INVALID_MESSAGE', 'message');
  }
  if (!validateSiweMessage({ message: parsed, domain: expected.domain, time: expected.now ?? new Date() })) {
    throw badUserInput('Sign-in message is expired or not yet valid', 'SIWE_INVALID_MESSAGE', 'message');
  }
  if (!isHex(signature) || signature.length !== 132) {
    throw badUserInput('Signature must be a 65-byte hex string', 'SIWE_INVALID_SIGNATURE', 'signature');
  }
  const valid = await verifyMessage({ address: getAddress(parsed.address), message, signature }).catch(() => false);
  if (!valid) throw badUserInput('Signature does not match the address in the message', 'SIWE_INVALID_SIGNATURE', 'signature');
  return { address: parsed.address.toLowerCase(), nonce: parsed.nonce };
}
