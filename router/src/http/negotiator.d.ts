// negotiator (installed with @apollo/server, which negotiates the same way) ships no types.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | undefined> });
    /** The preferred of `available` by the request's Accept header (q-values, then specificity), or undefined when none is acceptable. */
    mediaType(available?: string[]): string | undefined;
  }
}
