import { graphql } from '@supergraph/testing';

/** Registers an account through the router at `url` and returns its access token. */
export async function signUp(url: string, email: string): Promise<string> {
  const response = await graphql<{ register: { token: string } }>(
    url,
    'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token } }',
    { email },
  );
  if (response.errors || !response.data) throw new Error(`register ${email} failed: ${JSON.stringify(response.errors)}`);
  return response.data.register.token;
}
