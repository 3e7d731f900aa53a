import type { GraphQLError } from 'graphql';
import { badRequest } from '../pipeline/01-input-limits';
import { mediaTypeEssence } from './media-types';

export interface CsrfOptions {
  /**
   * Headers of which any one, non-empty, proves the request was preflighted (a browser sends no
   * custom header cross-origin without asking CORS first). Default: `x-apollo-operation-name` and
   * `apollo-require-preflight`, the ones Apollo clients and Sandbox send.
   */
  requestHeaders?: readonly string[];
}

/** Content types a page of another origin may POST without a CORS preflight (HTML forms, `fetch` with no-cors). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * CSRF prevention, the rule Apollo Server's `csrfPrevention: true` applies (router/README.md):
 * a request a browser would send cross-site without a preflight (no content type, or one of the
 * simple ones) is refused unless it carries one of the preflight-forcing headers. Anything else
 * (a JSON POST, or a content type we cannot parse, which no browser sends unasked) passes.
 * Returns the refusal (HTTP 400, BAD_REQUEST), or undefined.
 */
export function csrfPrevention(options: CsrfOptions = {}): (headers: ReadonlyMap<string, string>) => GraphQLError | undefined {
  const requestHeaders = options.requestHeaders ?? ['x-apollo-operation-name', 'apollo-require-preflight'];
  const message =
    `This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header ` +
    `(with a type that is not one of ${[...SIMPLE_CONTENT_TYPES].join(', ')}) or provide a non-empty value for one of the following headers: ` +
    `${requestHeaders.join(', ')}\n`;
  return (headers) => {
    const contentType = headers.get('content-type');
    if (contentType !== undefined) {
      const essence = mediaTypeEssence(contentType);
      if (essence === undefined || !SIMPLE_CONTENT_TYPES.has(essence)) return undefined;
    }
    if (requestHeaders.some((name) => (headers.get(name) ?? '').length > 0)) return undefined;
    return badRequest(message);
  };
}
