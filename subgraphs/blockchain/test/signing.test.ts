import { readdirSync, readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { errorCodes } from '@supergraph/testing';
import { loadKeySigner, SignerConfigurationError } from '../src/signing/signer';
import { startTestChain, type TestChain } from './chain';
import { ADMIN, startBlockchainHarness, type BlockchainHarness } from './harness';

const SRC = join(__dirname, '../src');

describe('the signing module', () => {
  it('is the only code that touches private keys', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (name === 'generated') continue;
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(name)) files.push(path);
      }
    };
    walk(SRC);
    const holders = files.filter((file) =>
      /privateKeyToAccount|generatePrivateKey|mnemonicToAccount|SIGNER_PRIVATE_KEY|readFileSync\([^)]*[kK]ey/.test(readFileSync(file, 'utf8')),
    );
    expect(holders.map((file) => relative(SRC, file))).toEqual(['signing/signer.ts']);
  });

  it('never shows its key when printed, serialised or misconfigured', () => {
    const key = generatePrivateKey();
    const signer = loadKeySigner({ env: { SIGNER_PRIVATE_KEY: key } });
    expect(signer.address).toBe(privateKeyToAccount(key).address);
    const renderings = [
      JSON.stringify(signer),
      inspect(signer, { showHidden: true, depth: 10 }),
      String(signer),
      Object.keys(signer).join(','),
      JSON.stringify(Object.getOwnPropertyDescriptors(signer)),
    ];
    for (const text of renderings) expect(text.toLowerCase()).not.toContain(key.slice(2).toLowerCase());

    const broken = `${key}ff`;
    let message = '';
    try {
      loadKeySigner({ env: { SIGNER_PRIVATE_KEY: broken } });
    } catch (error) {
      expect(error).toBeInstanceOf(SignerConfigurationError);
      message = (error as Error).message + String((error as Error).stack);
    }
    expect(message).toMatch(/SIGNER_PRIVATE_KEY is not 32 bytes of hex/);
    expect(message.toLowerCase()).not.toContain(key.slice(2, 20).toLowerCase());
    expect(() => loadKeySigner({ env: {} })).toThrow(/set SIGNER_PRIVATE_KEY or SIGNER_KEY_FILE/);
  });

  it('creates a development key file readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signer-'));
    try {
      const keyFile = join(dir, 'chain', 'signer.key');
      const first = loadKeySigner({ env: {}, keyFile, generateIfMissing: true });
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(loadKeySigner({ env: {}, keyFile }).address).toBe(first.address);
      expect(() => loadKeySigner({ env: {}, keyFile: join(dir, 'missing.key') })).toThrow(/Cannot read the signing key file .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('no key material in responses or logs', () => {
  let chain: TestChain;
  let harness: BlockchainHarness;
  beforeAll(async () => {
    chain = await startTestChain();
    harness = await startBlockchainHarness(chain, { LOG_LEVEL: 'debug' });
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
    await chain?.stop();
  });

  it('keeps the operator key out of every response and log line, through successes, refusals and outages', async () => {
    const send = (to: string, amount: string) =>
      harness.call(
        `mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash from status revertReason } }`,
        { to, amount },
        ADMIN,
      );
    const somebody = privateKeyToAccount(generatePrivateKey()).address;
    expect((await send(somebody, '1000')).errors).toBeUndefined();
    expect(errorCodes(await send(somebody, '1' + '0'.repeat(40)))).toEqual(['INSUFFICIENT_FUNDS']);
    // The token refuses transfers to the zero address: the node rejects the payout while estimating gas.
    const rejected = await send('0x0000000000000000000000000000000000000000', '1');
    expect(errorCodes(rejected)).toEqual(['TRANSACTION_REJECTED']);
    expect(rejected.errors![0]!.message).toContain('FORGE: transfer to the zero address');
    expect((await harness.call(`{ treasury { operator } }`)).data!.treasury.operator).toBe(chain.deployment.operator.toLowerCase());

    await chain.chain.stop(); // the node goes away
    expect(errorCodes(await harness.call(`{ wallet(address: "${somebody}") { forgeBalance } }`))).toEqual(['RPC_UNAVAILABLE']);
    expect(errorCodes(await send(somebody, '1'))).toEqual(['RPC_UNAVAILABLE']);
    await harness.subgraph.follower.sync(); // fails and logs

    const key = chain.privateKey.slice(2).toLowerCase();
    const metrics = await (await fetch(`${harness.subgraph.url}/metrics`)).text();
    const everything = [...harness.transcript.logs, ...harness.transcript.responses, metrics].join('\n').toLowerCase();
    expect(harness.transcript.logs.length).toBeGreaterThan(5);
    expect(everything).toContain(chain.deployment.operator.slice(2).toLowerCase()); // the address is fine to show
    expect(everything).not.toContain(key);
    // Nor any long piece of it (a key split across fields, or truncated).
    for (let start = 0; start + 16 <= key.length; start += 8) expect(everything).not.toContain(key.slice(start, start + 16));
  });
});
