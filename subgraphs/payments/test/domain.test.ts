import { GraphQLError } from 'graphql';
import { forge, MAX_TOKEN_AMOUNT, parseAmount, parseFiatCurrency } from '../src/domain/money';
import { canTransition } from '../src/domain/payment-status';
import { discountedPrice, effectiveTier, feeDiscount, stakeTier } from '../src/domain/tiers';
import { judgeTransfer } from '../src/token/chain-watcher';

const code = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : String(error);
  }
  return 'no error';
};

test('amounts are positive integers of minor units, exact at any size', () => {
  expect(parseAmount('1', 10n)).toBe(1n);
  expect(parseAmount(MAX_TOKEN_AMOUNT.toString(), MAX_TOKEN_AMOUNT)).toBe(MAX_TOKEN_AMOUNT);
  expect(parseAmount('123456789012345678901234567890', MAX_TOKEN_AMOUNT)).toBe(123456789012345678901234567890n);
  for (const bad of ['0', '-1', '01', '1.0', '1e2', ' ', '', '0x10', '١٢']) expect(code(() => parseAmount(bad, MAX_TOKEN_AMOUNT))).toBe('INVALID_AMOUNT');
  expect(code(() => parseAmount((MAX_TOKEN_AMOUNT + 1n).toString(), MAX_TOKEN_AMOUNT))).toBe('INVALID_AMOUNT');
  expect(parseFiatCurrency(' usd ')).toBe('USD');
  expect(code(() => parseFiatCurrency('toString'))).toBe('UNSUPPORTED_CURRENCY');
});

test('the state machine allows only PENDING → SUCCEEDED | FAILED and SUCCEEDED → REFUNDED', () => {
  expect(canTransition('PENDING', 'SUCCEEDED')).toBe(true);
  expect(canTransition('PENDING', 'FAILED')).toBe(true);
  expect(canTransition('SUCCEEDED', 'REFUNDED')).toBe(true);
  expect(canTransition('PENDING', 'REFUNDED')).toBe(false);
  expect(canTransition('FAILED', 'SUCCEEDED')).toBe(false);
  expect(canTransition('REFUNDED', 'SUCCEEDED')).toBe(false);
});

test('stake tiers, fee discounts and plan prices follow the config table', () => {
  const config = { stakeTiers: { PRO: 1000, ENTERPRISE: 10000 }, feeDiscounts: { FREE: 0, PRO: 10, ENTERPRISE: 25 } };
  expect(stakeTier(forge(1000) - 1n, config)).toBe('FREE');
  expect(stakeTier(forge(1000), config)).toBe('PRO');
  expect(stakeTier(forge(10000), config)).toBe('ENTERPRISE');
  expect(feeDiscount(forge(5000), config)).toBe(10);
  expect(effectiveTier('ENTERPRISE', 0n, config)).toBe('ENTERPRISE');
  expect(effectiveTier('FREE', forge(2000), config)).toBe('PRO');
  expect(discountedPrice(2000, 10)).toBe(1800n);
  expect(discountedPrice(999, 25)).toBe(749n); // rounded down: never overcharge
});

test('a transfer pays a token payment only to the treasury, exactly, from the payer, confirmed', () => {
  const rules = { treasury: '0xAA', confirmations: 3, payerWallets: ['0xbb'] };
  const transfer = { txHash: '0x1', from: '0xBB', to: '0xaa', value: '5', confirmations: 3, status: 'CONFIRMED' as const };
  expect(judgeTransfer({ amount: 5n }, transfer, rules)).toEqual({ status: 'SUCCEEDED' });
  expect(judgeTransfer({ amount: 5n }, { ...transfer, confirmations: 2 }, rules).status).toBe('PENDING');
  expect(judgeTransfer({ amount: 5n }, { ...transfer, status: 'REMOVED' }, rules).status).toBe('PENDING');
  expect(judgeTransfer({ amount: 5n }, null, rules).status).toBe('PENDING');
  expect(judgeTransfer({ amount: 5n }, transfer, { ...rules, treasury: undefined }).status).toBe('PENDING');
  expect(judgeTransfer({ amount: 6n }, transfer, rules).status).toBe('FAILED');
  expect(judgeTransfer({ amount: 5n }, { ...transfer, to: '0xcc' }, rules).status).toBe('FAILED');
  expect(judgeTransfer({ amount: 5n }, transfer, { ...rules, payerWallets: [] }).status).toBe('FAILED');
});
