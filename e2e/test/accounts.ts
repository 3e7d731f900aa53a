import { graphql } from '@supergraph/testing';

/** An account registered through the router: its access token and user id. */
export interface Account {
  token: string;
  userId: string;
}

/** Registers an account through the router at `url`; `password` matters only to a test that signs in with it later. */
export async function register(url: string, email: string, password = 'correct horse battery'): Promise<Account> {
  const response = await graphql<{ register: { token: string; user: { id: string } } }>(
    url,
    'mutation ($email: String!, $password: String!) { register(email: $email, password: $password) { token user { id } } }',
    { email, password },
  );
  if (response.errors || !response.data) throw new Error(`register ${email} failed: ${JSON.stringify(response.errors)}`);
  return { token: response.data.register.token, userId: response.data.register.user.id };
}

/** Registers an account through the router at `url` and returns its access token. */
export async function signUp(url: string, email: string): Promise<string> {
  return (await register(url, email)).token;
}
