import type { RateLimiter } from '../rate-limit';
import type { OperationRequest, Stage } from './operation-request';

/**
 * Stage 3: every operation, subscribe calls included, counts against its caller's window (by API
 * key, user, or address), before any parsing: a caller over its limit costs one Redis round trip.
 */
export function rateLimit(limiter: RateLimiter, onRefused: () => void): Stage {
  return {
    name: 'rate limit',
    run(request: OperationRequest) {
      if (!limiter.enabled) return undefined;
      return limiter.check(request.identity!, request.client).then(
        () => undefined,
        (error: unknown) => {
          onRefused();
          throw error;
        },
      );
    },
  };
}
