import type { ErrorCode } from '@supergraph/server/src/error-codes';
import type { RouterError } from './router';

/**
 * What a person reads for each `extensions.code` the portal's operations can meet (codes from
 * packages/server/src/error-codes.ts). The router's own message is for developers and may change;
 * a code not listed here gets the general message.
 */
const MESSAGES: Partial<Record<ErrorCode | 'GRAPHQL_VALIDATION_FAILED', string>> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'This area is for administrators only.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  SIWE_INVALID_MESSAGE: 'The sign-in message your wallet signed was not accepted. Please try again.',
  SIWE_INVALID_SIGNATURE: 'The signature does not come from the wallet that asked to sign in. Please try again.',
  SIWE_NONCE_INVALID: 'This sign-in request was not issued by the platform. Please try again.',
  SIWE_NONCE_USED: 'This sign-in request was already used. Please try again.',
  SIWE_NONCE_EXPIRED: 'The sign-in request expired before it was signed. Please try again.',
  EMAIL_TAKEN: 'An account with this email already exists. Try signing in instead.',
  EMAIL_INVALID: 'Please enter a valid email address.',
  PASSWORD_TOO_SHORT: 'Please choose a longer password.',
  PASSWORD_TOO_LONG: 'That password is too long.',
  BAD_USER_INPUT: 'Some of what you entered is not valid. Please check it and try again.',
  RATE_LIMITED: 'Too many requests right now. Please wait a minute and try again.',
  SUBGRAPH_UNAVAILABLE: 'Part of the platform is unavailable right now. Please try again shortly.',
  NOT_FOUND: 'That does not exist, or it is not yours.',
  VERSION_CONFLICT: 'Someone changed this at the same time. Reload and try again.',
  TOO_MANY_FILES: 'This project has as many files as it may hold.',
  FILE_TOO_LARGE: 'That file is too large.',
  INVALID_PATH: 'Please give a relative path with / between folders, like src/index.ts.',
  TOO_MANY_TASKS: 'You have as many unfinished tasks as your plan allows. Wait for one to finish, or upgrade.',
  MODEL_UNAVAILABLE: 'The AI model is not available right now. Please try again later.',
  PROVIDER_ERROR: 'The AI provider could not answer. Please try again later.',
  GENERATION_TIMEOUT: 'The AI model took too long to answer. Please try a shorter prompt.',
  INVALID_AMOUNT: 'Please enter an amount above zero, with no more decimals than the currency has.',
  UNSUPPORTED_CURRENCY: 'Cards can be charged in USD, EUR, GBP or JPY.',
  INVALID_IDEMPOTENCY_KEY: 'This form is out of date. Please reload the page and try again.',
  IDEMPOTENCY_KEY_REUSED: 'This form was already used for another payment. Please reload the page and try again.',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'This payment is still being processed. Please wait a moment, then reload.',
  INVALID_TX_HASH: 'Please give the transaction hash: 0x followed by 64 hexadecimal digits.',
  TRANSFER_ALREADY_USED: 'That transaction already pays another payment.',
  TRANSFER_NOT_FROM_PAYER: 'That transaction was not sent from a wallet linked to you.',
  INSUFFICIENT_STAKE: 'You cannot unstake more than you have staked.',
  NO_LINKED_WALLET: 'Link a wallet first: unstaked $FORGE is paid back to it.',
  DATABASE_UNAVAILABLE: 'Part of the platform is restarting. Please try again in a moment; nothing was paid twice.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again later.',
  GRAPHQL_VALIDATION_FAILED: 'The portal and the platform disagree on this request. Please reload the page.',
};

const GENERAL = 'Something went wrong. Please try again.';

export function messageFor(error: RouterError): string {
  return MESSAGES[error.extensions?.code as ErrorCode] ?? GENERAL;
}

/** One message per distinct problem, in the order they came. */
export function messagesFor(errors: readonly RouterError[] | undefined): string[] {
  return [...new Set((errors ?? []).map(messageFor))];
}

/**
 * What a person reads when their wallet (an EIP-1193 provider) refuses or fails a request, by the
 * error's `code` (EIP-1193 and EIP-1474). Wallets word their own messages differently, so only the code counts.
 */
const WALLET_MESSAGES: Record<number, string> = {
  4001: 'You declined the request in your wallet, so you are not signed in.',
  4100: 'Your wallet did not let the portal see your account. Allow it in the wallet and try again.',
  4900: 'Your wallet is not connected to a network. Connect it and try again.',
  4901: 'Your wallet is not connected to a network. Connect it and try again.',
  [-32002]: 'Your wallet is already asking you something. Open it to answer, then try again.',
};

const WALLET_GENERAL = 'Your wallet could not complete the sign-in. Please try again.';

export function walletMessageFor(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return (typeof code === 'number' && WALLET_MESSAGES[code]) || WALLET_GENERAL;
}

/** A portal opened at another host than the one the platform's sign-in messages must name (SIWE_DOMAIN). */
export const wrongSiweDomainMessage = (domain: string) => `Sign-In with Ethereum works when the portal is opened at ${domain}. Please open it there.`;
