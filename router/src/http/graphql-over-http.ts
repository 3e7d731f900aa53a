import type { FormattedExecutionResult, GraphQLError } from 'graphql';
import type { HttpGraphQLExecutor, HttpGraphQLRequest, HttpGraphQLResponse } from '@supergraph/server';
import type { RouterContext } from '../context';
import type { OperationExecution } from '../pipeline/10-execute';
import { ensureGraphQLError, formatErrors, type ResponseErrors } from '../pipeline/11-respond';
import { csrfPrevention, type CsrfOptions } from './csrf';
import { MEDIA_TYPES, prefersHtml, responseContentType } from './media-types';
import { httpRefusal, httpRequestProblem } from './operation-params';

export interface GraphQLOverHttpOptions {
  /** Stage 10: runs each query and mutation with its plugins (response cache, metrics, request log, Cache-Control). */
  execution: OperationExecution;
  /** Stage 11: how errors leave the router. */
  errors: ResponseErrors;
  /** The page a browser opening /graphql gets (Sandbox); undefined (production): none, such a GET is answered as GraphQL. */
  landingPage?: () => Promise<string>;
  /** CSRF prevention's preflight-forcing headers (csrf.ts); on for every request, as it was under Apollo Server. */
  csrf?: CsrfOptions;
}

/**
 * GraphQL over HTTP for /graphql, served by the router itself once the pipeline has prepared the
 * operation: what Apollo Server did here, each once, in its order, with the same bytes, statuses
 * and headers. Before the pipeline (`screen`): the landing page, CSRF prevention. After it
 * (`execute`): a refusal answered with its status (`extensions.http`), the request's own rules
 * (methods, a GET's parameters, mutations only over POST, the Accept header: 406 when it takes
 * neither JSON type), then stage 10 and the response, JSON or `application/graphql-response+json`
 * by the Accept header, 200 for a GraphQL response unless its errors ask otherwise.
 */
export function graphqlOverHttp(options: GraphQLOverHttpOptions): {
  screen: (request: HttpGraphQLRequest) => HttpGraphQLResponse | undefined | Promise<HttpGraphQLResponse | undefined>;
  execute: HttpGraphQLExecutor<RouterContext>;
} {
  const csrf = csrfPrevention(options.csrf);
  const contentTypeFor = responseContentType();
  const landingPage = options.landingPage;

  /** One error instead of a result, as Apollo Server answered failures before execution: its status (500 unless it says), no Cache-Control. */
  const refusal = (error: GraphQLError, contentType: string | null): HttpGraphQLResponse => {
    const { formatted, http } = formatErrors([error], options.errors.format);
    return respond(http.status ?? 500, [...http.headers, ['content-type', contentType ?? MEDIA_TYPES.json]], { errors: formatted });
  };

  return {
    screen(request) {
      const accept = request.headers.get('accept');
      if (landingPage && prefersHtml(request.method, accept)) {
        return landingPage().then((html) => ({ headers: [['content-type', MEDIA_TYPES.html]], body: { kind: 'complete', string: html } }));
      }
      const refused = csrf(request.headers);
      return refused && refusal(refused, contentTypeFor(accept));
    },
    async execute(request, pending) {
      const contentType = contentTypeFor(request.headers.get('accept'));
      let context: RouterContext;
      try {
        context = await pending;
      } catch (error) {
        return refusal(ensureGraphQLError(error, 'Context creation failed: '), contentType);
      }
      const problem = httpRequestProblem(request);
      if (problem) return refusal(problem, contentType);
      if (contentType === null) {
        return refusal(
          httpRefusal(`An 'accept' header was provided for this request which does not accept ${MEDIA_TYPES.json} or ${MEDIA_TYPES.graphqlResponseJson}`, 406),
          null,
        );
      }
      const operation = context.operation;
      // Fail closed: only what passed the pipeline runs.
      if (!operation) throw new Error('An operation reached execution without passing the pipeline');
      // GET is for reading: a browser may send one cross-site, and caches may repeat it.
      const notOverGet =
        request.method === 'GET' && operation.operationType !== 'query'
          ? httpRefusal(`GET requests only support query operations, not ${operation.operationType} operations`, 405, [['allow', 'POST']])
          : undefined;
      const { call, result } = await options.execution.execute(operation, context, notOverGet);
      call.headers.set('content-type', contentType);
      return respond(call.status ?? 200, call.headers, result);
    },
  };
}

function respond(status: number, headers: Iterable<[string, string]>, result: FormattedExecutionResult): HttpGraphQLResponse {
  // The body as Apollo Server wrote it: errors, data, extensions, then a newline.
  const body = JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions }) + '\n';
  return { status, headers, body: { kind: 'complete', string: body } };
}
