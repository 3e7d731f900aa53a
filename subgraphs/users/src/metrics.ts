import { GraphQLError } from 'graphql';
import { Counter } from 'prom-client';
import { ServiceMetrics } from '@supergraph/server';

/** How a caller signs in: email and password (`password`), a new account (`register`), or Sign-In with Ethereum (`siwe`). */
export type SignInMethod = 'password' | 'register' | 'siwe';

/** The users subgraph's metrics: what every service exports, and sign-ins. */
export class UsersMetrics extends ServiceMetrics {
  readonly signIns = new Counter({
    name: 'users_sign_ins_total',
    help: 'Successful sign-ins (an access token issued), by method (password, register, siwe).',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  readonly signInRefusals = new Counter({
    name: 'users_sign_in_refusals_total',
    help: 'Refused sign-ins by method and reason (the error code: INVALID_CREDENTIALS, SIWE_NONCE_USED, EMAIL_TAKEN…).',
    labelNames: ['method', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    super('users');
  }

  /** Runs one sign-in, counting it as issued or refused (by its error's code). */
  async signingIn<T>(method: SignInMethod, signIn: () => Promise<T>): Promise<T> {
    try {
      const result = await signIn();
      this.signIns.inc({ method });
      return result;
    } catch (error) {
      const reason = error instanceof GraphQLError && typeof error.extensions.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
      this.signInRefusals.inc({ method, reason });
      throw error;
    }
  }
}
