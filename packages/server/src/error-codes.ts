/**
 * Every `extensions.code` the platform raises, once: the router, the TypeScript subgraphs and the
 * Python AI subgraph (its `ErrorCode` enum in subgraphs/ai/supergraph_ai/errors.py). Clients branch
 * on these codes; messages are for people and may change. Apollo Server's own codes
 * (`ApolloServerErrorCode`: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, PERSISTED_QUERY_NOT_FOUND…)
 * reach clients too and are Apollo's to define; BAD_USER_INPUT, BAD_REQUEST and INTERNAL_SERVER_ERROR
 * are shared with it, spelled the same.
 *
 * The table holds every code the Python subgraph can emit plus those only TypeScript emits, and no
 * code that nothing emits: packages/server/test/error-codes.test.ts checks both against the sources.
 *
 * `httpStatus` is the status of a response that the code refuses as a whole (`requestRefused`,
 * `sendJsonError`); the same code raised on one field leaves the response's status alone.
 */
export const ERROR_CODES = {
  // --- Any request
  /** The HTTP request itself is malformed (e.g. a body that is not JSON). */
  BAD_REQUEST: { httpStatus: 400 },
  /** The request body is larger than the server accepts (MAX_BODY_BYTES). */
  REQUEST_TOO_LARGE: { httpStatus: 413 },
  /** The HTTP method is not accepted on this path. */
  METHOD_NOT_ALLOWED: { httpStatus: 405 },
  /** A bug or an outage, logged on the server; the caller gets no details and may retry later. */
  INTERNAL_SERVER_ERROR: { httpStatus: 500 },
  /** The named object does not exist or is not yours; as a whole response: no route for the path. */
  NOT_FOUND: { httpStatus: 404 },
  /**
   * An argument breaks a documented limit or format; `extensions.field` (Python: `argument`) names it.
   * As a whole response: the request's variables do not fit the operation's variable definitions.
   */
  BAD_USER_INPUT: { httpStatus: 400 },

  // --- Who is calling
  /** No, bad or expired credentials, or a subgraph call without a valid router signature. */
  UNAUTHENTICATED: { httpStatus: 401 },
  /**
   * Signed in but not allowed (admin only, missing API key scope; `extensions.requiredScopes` from the
   * router); as a whole response: a CORS preflight from an origin that may not call the server.
   */
  FORBIDDEN: { httpStatus: 403 },

  // --- Router protection
  /** The operation exceeds a depth, alias, root field, token or cost limit (`extensions.limit`, `max`). */
  OPERATION_LIMIT_EXCEEDED: { httpStatus: 400 },
  /** Too many requests in the window; retry after `extensions.retryAfter` seconds (also the Retry-After header). */
  RATE_LIMITED: { httpStatus: 429 },
  /** The router runs only safelisted operations and this one is not registered. */
  PERSISTED_QUERY_NOT_ALLOWED: { httpStatus: 400 },
  /** `extensions.persistedQuery.sha256Hash` is not the hash of the query sent with it. */
  PERSISTED_QUERY_HASH_MISMATCH: { httpStatus: 400 },
  /** A subgraph failed or its circuit breaker is open (`extensions.serviceName`, `reason`): its fields are null. */
  SUBGRAPH_UNAVAILABLE: {},
  /**
   * A value the schema guarantees (non-null) is missing from the subgraphs' answers (e.g. an entity
   * one subgraph still references and its owner no longer has), or a subgraph's value the client's
   * schema cannot represent (an @inaccessible enum value): the field, or its nearest nullable parent, is null.
   */
  INCOMPLETE_DATA: {},
  /** The subgraph serving this subscription ended it; subscribe again. */
  SUBSCRIPTION_SOURCE_LOST: {},
  /** A supergraph reload left this subscription's operation invalid, unauthorized or served differently; subscribe again. */
  SUBSCRIPTION_SCHEMA_CHANGED: {},
  /** This connection already runs MAX_SUBSCRIPTIONS_PER_CONNECTION operations (`extensions.limit`). */
  SUBSCRIPTION_LIMIT_EXCEEDED: {},
  /** The service's database cannot be reached right now (restarting, failing over): retry shortly (a payment with the same idempotency key). */
  DATABASE_UNAVAILABLE: {},
  /**
   * A subscription's `after` names a position whose following events are no longer kept (older than
   * the retention window, EVENT_RETENTION, or not a position of this deployment; `extensions.position`):
   * resuming would leave a gap. Subscribe without `after` and reload what you show.
   */
  SUBSCRIPTION_POSITION_EXPIRED: {},
  /**
   * The client read this subscription's events more slowly than they came, and more than the router
   * holds for it waited (`extensions.limit`): it ended after what it had rather than skip any. Resume
   * with `after` set to the last position received.
   */
  SUBSCRIPTION_TOO_SLOW: {},

  // --- Users: accounts, Sign-In with Ethereum, API keys
  /** The email address is not valid. */
  EMAIL_INVALID: {},
  /** An account with this email address already exists. */
  EMAIL_TAKEN: {},
  /** The password is shorter than the minimum length. */
  PASSWORD_TOO_SHORT: {},
  /** The password is longer than the maximum length. */
  PASSWORD_TOO_LONG: {},
  /** Email or password is incorrect (which one is not said). */
  INVALID_CREDENTIALS: {},
  /** The sign-in message is not a valid EIP-4361 message for this domain, or is out of its validity window. */
  SIWE_INVALID_MESSAGE: {},
  /** The signature is malformed or does not match the address in the message. */
  SIWE_INVALID_SIGNATURE: {},
  /** The nonce was not issued by this server. */
  SIWE_NONCE_INVALID: {},
  /** The nonce was already used; request a new one. */
  SIWE_NONCE_USED: {},
  /** The nonce has expired; request a new one. */
  SIWE_NONCE_EXPIRED: {},
  /** The wallet is already linked to another account. */
  WALLET_ALREADY_LINKED: {},
  /** API key scopes must be a non-empty list of read, write, admin. */
  INVALID_SCOPE: {},
  /** The account already has the maximum number of active API keys. */
  TOO_MANY_API_KEYS: {},
  /** An admin may not remove their own ADMIN role. */
  CANNOT_DEMOTE_SELF: {},

  // --- Projects: files, sandboxes, tasks
  /** The project changed since `expectedVersion`, or concurrent writes outran the retries: reload and retry. */
  VERSION_CONFLICT: {},
  /** The sandbox status change is outside its lifecycle. */
  INVALID_SANDBOX_TRANSITION: {},
  /** Too many files in one change, or the project would exceed its file limit (`extensions.limit`). */
  TOO_MANY_FILES: {},
  /** A file is larger than the per-file limit (`extensions.limit`). */
  FILE_TOO_LARGE: {},
  /** A file path is not relative, / separated and short enough. */
  INVALID_PATH: {},
  /** The same path is given twice in one change. */
  DUPLICATE_PATH: {},
  /** The path is not in this project. */
  FILE_NOT_FOUND: {},
  /** Your unfinished tasks reached your tier's limit (`extensions.limit`, `tier`). */
  TOO_MANY_TASKS: {},
  /** Task input is larger than its limit. */
  INPUT_TOO_LARGE: {},
  /** The task has already finished and cannot be cancelled (`extensions.status`). */
  TASK_FINISHED: {},

  // --- Payments: money, idempotency, staking, plans
  /** The amount is not a positive whole number of minor (or base) units, or is too large. */
  INVALID_AMOUNT: {},
  /** The currency is not accepted by card (FORGE is paid with payWithToken). */
  UNSUPPORTED_CURRENCY: {},
  /** The idempotency key is empty, too long or has surrounding spaces. */
  INVALID_IDEMPOTENCY_KEY: {},
  /** This idempotency key was already used for a different request. */
  IDEMPOTENCY_KEY_REUSED: {},
  /** A request with this idempotency key is still running; retry later. */
  IDEMPOTENCY_KEY_IN_PROGRESS: {},
  /** The payment cannot move to the requested status (e.g. refunding a FAILED payment). */
  INVALID_PAYMENT_TRANSITION: {},
  /** This kind of payment is not refunded through the API (token and plan payments). */
  REFUND_NOT_SUPPORTED: {},
  /** payWithToken's txHash is not a 0x-prefixed 32-byte hash. */
  INVALID_TX_HASH: {},
  /** The transaction already pays another payment. */
  TRANSFER_ALREADY_USED: {},
  /** The transaction's $FORGE transfer was not sent from a wallet linked to you; it stays free for its sender. */
  TRANSFER_NOT_FROM_PAYER: {},
  /** Unstaking more than is staked. */
  INSUFFICIENT_STAKE: {},
  /** Unstaked $FORGE is paid to a linked wallet and none is linked. */
  NO_LINKED_WALLET: {},
  /** A Stripe webhook whose Stripe-Signature does not verify; nothing was read from it. */
  INVALID_SIGNATURE: { httpStatus: 400 },
  /** Upgrading to FREE or to the plan you already have. */
  INVALID_PLAN: {},
  /** Another plan upgrade of yours is still running. */
  UPGRADE_IN_PROGRESS: {},

  // --- Blockchain: chain reads, payouts
  /** Not an Ethereum address (0x + 40 hex digits, EIP-55 checksum when mixed case). */
  INVALID_ADDRESS: {},
  /** Not a transaction hash (0x + 64 hex digits). */
  INVALID_TRANSACTION_HASH: {},
  /** The node does not know this transaction. */
  TRANSACTION_NOT_FOUND: {},
  /** The treasury lacks the $FORGE asked for, or its operator has no ETH for gas; nothing was sent. */
  INSUFFICIENT_FUNDS: {},
  /** The node refused the transaction (the message carries the revert reason). */
  TRANSACTION_REJECTED: {},
  /** The Ethereum node cannot be reached; retry shortly. */
  RPC_UNAVAILABLE: {},
  /** A payout for this entry was already requested with another address or amount. */
  PAYOUT_CONFLICT: {},

  // --- AI (Python subgraph)
  /** A model or provider failed or is not configured; the request was fine and a retry later may work. */
  MODEL_UNAVAILABLE: {},
  /** The hosted LLM provider answered with an error (`extensions.provider`). */
  PROVIDER_ERROR: {},
  /** generateContent did not finish within the AI subgraph's deadline (`extensions.deadlineSeconds`); contentStream has none. */
  GENERATION_TIMEOUT: {},
  /** The projects feed cannot be read, so the project index cannot be rebuilt now. */
  INDEX_UNAVAILABLE: {},
  /** No configured translation provider serves this pair of languages (`extensions.from`, `to`, `providers`). */
  LANGUAGE_PAIR_UNSUPPORTED: {},
} as const satisfies Record<string, { readonly httpStatus?: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes that may refuse a whole request: those with an HTTP status. */
export type RequestErrorCode = { [Code in ErrorCode]: (typeof ERROR_CODES)[Code] extends { httpStatus: number } ? Code : never }[ErrorCode];

export const httpStatusOf = (code: RequestErrorCode): number => ERROR_CODES[code].httpStatus;

/** The first code of the table that refuses a request with `status` (400 is BAD_REQUEST), if any. */
export function codeOfHttpStatus(status: number): RequestErrorCode | undefined {
  for (const [code, entry] of Object.entries(ERROR_CODES)) if ('httpStatus' in entry && entry.httpStatus === status) return code as RequestErrorCode;
  return undefined;
}
