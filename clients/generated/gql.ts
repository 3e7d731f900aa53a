/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query MyProjectsAndRecommendations($first: Int! = 5) {\n  me {\n    id\n    projects {\n      name\n    }\n    leadScore {\n      score\n    }\n    recommendations(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}\n\nquery SemanticSearch($query: String!, $first: Int! = 5) {\n  semanticSearch(query: $query, first: $first) {\n    project {\n      id\n      name\n      visibility\n    }\n    score\n  }\n}\n\nquery SimilarProjects($id: ID!, $first: Int! = 5) {\n  project(id: $id) {\n    id\n    similarProjects(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}": typeof types.MyProjectsAndRecommendationsDocument,
    "mutation Register($email: String!, $password: String!, $displayName: String) {\n  register(email: $email, password: $password, displayName: $displayName) {\n    token\n    expiresAt\n    user {\n      id\n      email\n      tier\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    expiresAt\n    user {\n      id\n    }\n  }\n}\n\nmutation SiweNonce {\n  siweNonce {\n    nonce\n    domain\n    expiresAt\n  }\n}\n\nmutation SignInWithEthereum($message: String!, $signature: String!) {\n  signInWithEthereum(message: $message, signature: $signature) {\n    token\n    user {\n      id\n      walletAddresses\n    }\n  }\n}\n\nmutation CreateApiKey($name: String!, $scopes: [String!]!) {\n  createApiKey(name: $name, scopes: $scopes) {\n    secret\n    apiKey {\n      id\n      prefix\n      scopes\n    }\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revokedAt\n  }\n}": typeof types.RegisterDocument,
    "query Me {\n  me {\n    id\n    email\n    displayName\n    tier\n    roles\n    walletAddresses\n    createdAt\n  }\n}\n\nquery UsersPage($first: Int!, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        tier\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    id\n    tier\n  }\n}": typeof types.MeDocument,
};
const documents: Documents = {
    "query MyProjectsAndRecommendations($first: Int! = 5) {\n  me {\n    id\n    projects {\n      name\n    }\n    leadScore {\n      score\n    }\n    recommendations(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}\n\nquery SemanticSearch($query: String!, $first: Int! = 5) {\n  semanticSearch(query: $query, first: $first) {\n    project {\n      id\n      name\n      visibility\n    }\n    score\n  }\n}\n\nquery SimilarProjects($id: ID!, $first: Int! = 5) {\n  project(id: $id) {\n    id\n    similarProjects(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}": types.MyProjectsAndRecommendationsDocument,
    "mutation Register($email: String!, $password: String!, $displayName: String) {\n  register(email: $email, password: $password, displayName: $displayName) {\n    token\n    expiresAt\n    user {\n      id\n      email\n      tier\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    expiresAt\n    user {\n      id\n    }\n  }\n}\n\nmutation SiweNonce {\n  siweNonce {\n    nonce\n    domain\n    expiresAt\n  }\n}\n\nmutation SignInWithEthereum($message: String!, $signature: String!) {\n  signInWithEthereum(message: $message, signature: $signature) {\n    token\n    user {\n      id\n      walletAddresses\n    }\n  }\n}\n\nmutation CreateApiKey($name: String!, $scopes: [String!]!) {\n  createApiKey(name: $name, scopes: $scopes) {\n    secret\n    apiKey {\n      id\n      prefix\n      scopes\n    }\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revokedAt\n  }\n}": types.RegisterDocument,
    "query Me {\n  me {\n    id\n    email\n    displayName\n    tier\n    roles\n    walletAddresses\n    createdAt\n  }\n}\n\nquery UsersPage($first: Int!, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        tier\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    id\n    tier\n  }\n}": types.MeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyProjectsAndRecommendations($first: Int! = 5) {\n  me {\n    id\n    projects {\n      name\n    }\n    leadScore {\n      score\n    }\n    recommendations(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}\n\nquery SemanticSearch($query: String!, $first: Int! = 5) {\n  semanticSearch(query: $query, first: $first) {\n    project {\n      id\n      name\n      visibility\n    }\n    score\n  }\n}\n\nquery SimilarProjects($id: ID!, $first: Int! = 5) {\n  project(id: $id) {\n    id\n    similarProjects(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}"): (typeof documents)["query MyProjectsAndRecommendations($first: Int! = 5) {\n  me {\n    id\n    projects {\n      name\n    }\n    leadScore {\n      score\n    }\n    recommendations(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}\n\nquery SemanticSearch($query: String!, $first: Int! = 5) {\n  semanticSearch(query: $query, first: $first) {\n    project {\n      id\n      name\n      visibility\n    }\n    score\n  }\n}\n\nquery SimilarProjects($id: ID!, $first: Int! = 5) {\n  project(id: $id) {\n    id\n    similarProjects(first: $first) {\n      project {\n        id\n        name\n      }\n      score\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Register($email: String!, $password: String!, $displayName: String) {\n  register(email: $email, password: $password, displayName: $displayName) {\n    token\n    expiresAt\n    user {\n      id\n      email\n      tier\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    expiresAt\n    user {\n      id\n    }\n  }\n}\n\nmutation SiweNonce {\n  siweNonce {\n    nonce\n    domain\n    expiresAt\n  }\n}\n\nmutation SignInWithEthereum($message: String!, $signature: String!) {\n  signInWithEthereum(message: $message, signature: $signature) {\n    token\n    user {\n      id\n      walletAddresses\n    }\n  }\n}\n\nmutation CreateApiKey($name: String!, $scopes: [String!]!) {\n  createApiKey(name: $name, scopes: $scopes) {\n    secret\n    apiKey {\n      id\n      prefix\n      scopes\n    }\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revokedAt\n  }\n}"): (typeof documents)["mutation Register($email: String!, $password: String!, $displayName: String) {\n  register(email: $email, password: $password, displayName: $displayName) {\n    token\n    expiresAt\n    user {\n      id\n      email\n      tier\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    expiresAt\n    user {\n      id\n    }\n  }\n}\n\nmutation SiweNonce {\n  siweNonce {\n    nonce\n    domain\n    expiresAt\n  }\n}\n\nmutation SignInWithEthereum($message: String!, $signature: String!) {\n  signInWithEthereum(message: $message, signature: $signature) {\n    token\n    user {\n      id\n      walletAddresses\n    }\n  }\n}\n\nmutation CreateApiKey($name: String!, $scopes: [String!]!) {\n  createApiKey(name: $name, scopes: $scopes) {\n    secret\n    apiKey {\n      id\n      prefix\n      scopes\n    }\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revokedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    email\n    displayName\n    tier\n    roles\n    walletAddresses\n    createdAt\n  }\n}\n\nquery UsersPage($first: Int!, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        tier\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    id\n    tier\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    email\n    displayName\n    tier\n    roles\n    walletAddresses\n    createdAt\n  }\n}\n\nquery UsersPage($first: Int!, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        email\n        tier\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    id\n    tier\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;