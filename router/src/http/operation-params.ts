import { GraphQLError } from 'graphql';
import { badRequest } from '../pipeline/01-input-limits';
import type { OperationParams } from '../pipeline/operation-request';
import type { HttpGraphQLRequest } from '@supergraph/server';
import { mediaTypeEssence } from './media-types';

/** The GraphQL parameters of an HTTP request: the JSON body of a POST, the query string of any other method. */
export function httpParams(request: HttpGraphQLRequest): OperationParams {
  if (request.method === 'POST') {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('POST body must be a JSON object with the GraphQL parameters');
    return body as OperationParams;
  }
  const search = new URLSearchParams(request.search);
  const json = (name: string): unknown => {
    const value = search.get(name);
    if (value === null || value === '') return undefined;
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest(`"${name}" in the query string is not valid JSON`);
    }
  };
  return {
    query: search.get('query') ?? undefined,
    operationName: search.get('operationName') ?? undefined,
    variables: json('variables'),
    extensions: json('extensions'),
  };
}

/**
 * What GraphQL over HTTP refuses of a request the pipeline let through (the pipeline reads the
 * parameters leniently, the first of each): a method other than GET and POST (405), a GET with a
 * body type other than JSON (415), a query-string parameter given twice, or an empty JSON one.
 * The same refusals, in the same words, as Apollo Server's before the router served HTTP itself.
 */
export function httpRequestProblem(request: HttpGraphQLRequest): GraphQLError | undefined {
  if (request.method === 'POST') return undefined;
  if (request.method !== 'GET') {
    return httpRefusal('Apollo Server supports only GET/POST requests.', 405, [['allow', 'GET, POST']]);
  }
  const contentType = request.headers.get('content-type');
  if (contentType !== undefined && mediaTypeEssence(contentType) !== 'application/json') {
    return httpRefusal('GET requests may not have a content-type header other than application/json.', 415);
  }
  const search = new URLSearchParams(request.search);
  for (const name of ['query', 'operationName', 'variables', 'extensions']) {
    const values = search.getAll(name);
    if (values.length > 1) return badRequest(`The '${name}' search parameter may only be specified once.`);
    if (values[0] === '' && (name === 'variables' || name === 'extensions')) return badRequest(`The ${name} search parameter contains invalid JSON.`);
  }
  return undefined;
}

/** A request refused with this HTTP status (and headers), code BAD_REQUEST. */
export function httpRefusal(message: string, status: number, headers: [string, string][] = []): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status, headers: new Map(headers) } } });
}
