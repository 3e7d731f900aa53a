import Negotiator from 'negotiator';

/** The response media types of GraphQL over HTTP, as the router (and Apollo Server before it) writes them. */
export const MEDIA_TYPES = {
  json: 'application/json; charset=utf-8',
  graphqlResponseJson: 'application/graphql-response+json; charset=utf-8',
  jsonCallback: 'application/json; callbackSpec=1.0; charset=utf-8',
  html: 'text/html',
} as const;

const SINGLE_RESULT = [MEDIA_TYPES.json, MEDIA_TYPES.graphqlResponseJson, MEDIA_TYPES.jsonCallback];
const HTML_OR_GRAPHQL = [
  MEDIA_TYPES.json,
  MEDIA_TYPES.graphqlResponseJson,
  'multipart/mixed; deferSpec=20220824',
  'multipart/mixed; incrementalSpec=v0.2',
  'multipart/mixed',
  MEDIA_TYPES.html,
];

/**
 * The content type of a one-result response by the request's Accept header: JSON without one,
 * `application/graphql-response+json` when the client prefers it (the GraphQL-over-HTTP spec's),
 * null when it accepts neither (answered 406). The last answer per Accept value is remembered:
 * clients send the same few.
 */
export function responseContentType(): (accept: string | undefined) => string | null {
  let lastAccept: string | undefined;
  let lastType: string | null = MEDIA_TYPES.json;
  return (accept) => {
    if (!accept) return MEDIA_TYPES.json;
    if (accept !== lastAccept) {
      lastType = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT) ?? null;
      lastAccept = accept;
    }
    return lastType;
  };
}

/** Whether a GET asks for a page rather than a GraphQL response (a browser opening /graphql). */
export function prefersHtml(method: string, accept: string | undefined): boolean {
  return method === 'GET' && !!accept && new Negotiator({ headers: { accept } }).mediaType(HTML_OR_GRAPHQL) === MEDIA_TYPES.html;
}

/** A media type's `type` and `subtype`: RFC 9110 tokens. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `type/subtype` of a media type in lower case, without parameters; undefined when it does not parse. */
export function mediaTypeEssence(value: string): string | undefined {
  const semicolon = value.indexOf(';');
  const [type, subtype, ...rest] = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().split('/');
  if (rest.length > 0 || !type || !subtype || !TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  return `${type}/${subtype}`.toLowerCase();
}
