import 'server-only';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { portalConfig } from './config';
import type { LiveOperation } from './live';
import { textOf } from './router';

/** What a page hands its live view: the subscription's text and variables, and where the browser opens its socket. */
export function liveOperation<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): LiveOperation<TData> {
  return { url: portalConfig.browserRouterUrl.replace(/^http/, 'ws'), query: textOf(document as TypedDocumentNode<unknown, never>), variables };
}
