'use server';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { PortalPayByCardDocument, PortalPayWithTokenDocument, PortalStakeDocument, PortalUnstakeDocument } from '../../../../clients/generated/graphql';
import { CARD_CURRENCIES, FORGE_DECIMALS, toBaseUnits, type CardCurrency } from '../../src/amounts';
import { CARDS } from '../../src/cards';
import { messagesFor } from '../../src/error-messages';
import { field } from '../../src/form-field';
import { execute, type RouterError } from '../../src/router';
import { requireSession } from '../../src/session';
import type { FormState } from '../actions';

/** The refusal the payments subgraph would give, found before asking it. */
const refused = (code: string): FormState => ({ errors: messagesFor([{ message: code, extensions: { code } }]) });

/** Each form carries the idempotency key its page rendered, so a form sent twice pays once. */
const idempotencyKeyOf = (form: FormData) => field(form, 'idempotencyKey');

/** The history, with the payment just made announced above it; a new render also issues new idempotency keys. */
function showPayment(id: string): never {
  revalidatePath('/payments');
  redirect(`/payments?payment=${encodeURIComponent(id)}`);
}

/** Where the card holder's browser comes back after authenticating with their card's issuer: this portal's own return route. */
async function returnUrl(): Promise<string | null> {
  const request = await headers();
  const origin = request.get('origin') ?? (request.get('host') ? `${request.get('x-forwarded-proto') ?? 'http'}://${request.get('host')}` : null);
  return origin ? `${origin}/payments/return` : null;
}

/**
 * A card payment. A card that asks for 3-D Secure comes back PENDING with `nextAction.redirectUrl`
 * (Stripe's `redirect_to_url`, since the payment names a return URL): the browser goes there, the
 * holder authenticates, and the issuer's page sends it back to /payments/return.
 */
export async function payByCard(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await requireSession();
  const currency = Object.keys(CARD_CURRENCIES).find((known): known is CardCurrency => known === field(form, 'currency'));
  if (!currency) return refused('UNSUPPORTED_CURRENCY');
  const amount = toBaseUnits(field(form, 'amount'), CARD_CURRENCIES[currency]);
  if (!amount) return refused('INVALID_AMOUNT');
  const card = CARDS.find((known) => known.paymentMethod === field(form, 'card')) ?? CARDS[0];
  const result = await execute(
    PortalPayByCardDocument,
    { amount, currency, paymentMethod: card.paymentMethod, idempotencyKey: idempotencyKeyOf(form), returnUrl: await returnUrl() },
    token,
  );
  const payment = result.data?.createPayment;
  if (!payment) return { errors: messagesFor(result.errors) };
  if (payment.nextAction?.redirectUrl) redirect(payment.nextAction.redirectUrl);
  showPayment(payment.id);
}

/** $FORGE amounts are typed in whole tokens (up to 18 decimals) and sent in base units. */
function forgeAmount(form: FormData): string | null {
  return toBaseUnits(field(form, 'amount'), FORGE_DECIMALS);
}

async function onTransfer(
  form: FormData,
  send: (variables: { amount: string; txHash: string; idempotencyKey: string }, token: string) => Promise<{ id?: string; errors?: readonly RouterError[] }>,
): Promise<FormState> {
  const token = await requireSession();
  const amount = forgeAmount(form);
  if (!amount) return refused('INVALID_AMOUNT');
  const sent = await send({ amount, txHash: field(form, 'txHash').trim(), idempotencyKey: idempotencyKeyOf(form) }, token);
  if (!sent.id) return { errors: messagesFor(sent.errors) };
  showPayment(sent.id);
}

/** Pays with a $FORGE transfer already sent to the treasury: PENDING until the chain confirms it. */
export async function payWithToken(_previous: FormState, form: FormData): Promise<FormState> {
  return onTransfer(form, async (variables, token) => {
    const result = await execute(PortalPayWithTokenDocument, variables, token);
    return { id: result.data?.payWithToken.id, errors: result.errors };
  });
}

/** Stakes a $FORGE transfer already sent to the treasury: credited once its token payment succeeds. */
export async function stake(_previous: FormState, form: FormData): Promise<FormState> {
  return onTransfer(form, async (variables, token) => {
    const result = await execute(PortalStakeDocument, variables, token);
    return { id: result.data?.stake.id, errors: result.errors };
  });
}

/** Unstakes: the treasury pays the amount back to the first linked wallet; the ledger shows the payout. */
export async function unstake(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await requireSession();
  const amount = forgeAmount(form);
  if (!amount) return refused('INVALID_AMOUNT');
  const result = await execute(PortalUnstakeDocument, { amount, idempotencyKey: idempotencyKeyOf(form) }, token);
  if (!result.data?.unstake) return { errors: messagesFor(result.errors) };
  revalidatePath('/payments');
  redirect('/payments');
}
