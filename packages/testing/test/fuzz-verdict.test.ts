import { judge, type FuzzResponse } from '../src/fuzz';

/** What the fuzz suite counts as a failure, on answers like those the router gives. */
const secrets = { values: ['the-jwt-secret', 'the-signing-secret'] };
const answer = (text: string, more: Partial<FuzzResponse> = {}): FuzzResponse => ({ status: 200, text, timedOut: false, ...more });

test('a client error, a refusal and data are acceptable answers', () => {
  expect(
    judge(answer('{"errors":[{"message":"Cannot query field \\"x\\"","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}', { status: 400 }), secrets),
  ).toEqual([]);
  expect(judge(answer('{"errors":[{"message":"too large","extensions":{"code":"REQUEST_TOO_LARGE"}}]}', { status: 413 }), secrets)).toEqual([]);
  expect(judge(answer('{"data":{"me":null}}'), secrets)).toEqual([]);
  expect(judge(answer('close 1009 ', { status: 101, closeCode: 1009 }), secrets)).toEqual([]);
});

test('a server failure, silence and an undeliverable request fail', () => {
  expect(judge(answer('', { status: 502 }), secrets)).toEqual(['server-error']);
  expect(judge(answer('{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'), secrets)).toEqual(['internal-error']);
  expect(judge(answer('close 4500 Internal server error', { status: 101, closeCode: 4500 }), secrets)).toEqual(['server-error']);
  expect(judge(answer('', { status: undefined, timedOut: true }), secrets)).toEqual(['no-answer']);
  expect(judge(answer('', { status: undefined, transportError: 'ECONNREFUSED' }), secrets)).toEqual(['unsent']);
});

test('a secret, a password hash, a stack trace or a file path in any answer fails', () => {
  expect(judge(answer('{"errors":[{"message":"bad signature with the-signing-secret"}]}'), secrets)).toEqual(['secret']);
  expect(judge(answer('{"data":{"user":{"passwordHash":"scrypt$16384$8$1$c2FsdA$aGFzaA"}}}'), secrets)).toEqual(['secret']);
  expect(judge(answer('{"errors":[{"message":"boom","extensions":{"stacktrace":"Error: boom\\n    at resolve (x.js:1:2)"}}]}'), secrets)).toEqual([
    'stack-trace',
  ]);
  expect(judge(answer('{"errors":[{"message":"Traceback (most recent call last):"}]}'), secrets)).toEqual(['stack-trace']);
  expect(judge(answer('{"errors":[{"message":"cannot open /work/main/.data/users"}]}'), secrets)).toEqual(['file-path']);
  expect(judge(answer('{"errors":[{"message":"in File \\"schema.py\\", line 3"}]}'), secrets)).toEqual(['file-path']);
  expect(judge(answer('{"errors":[{"message":"require failed in node_modules/pg"}]}'), secrets)).toEqual(['file-path']);
});
