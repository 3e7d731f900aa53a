import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Stripe on node:http that speaks the endpoints payments uses, for the tests and as
 * `npm start`'s embedded default when no STRIPE_SECRET_KEY is set (no network needed):
 *
 *   POST /v1/payment_intents            create (optionally `confirm=true`)
 *   POST /v1/payment_intents/:id/confirm
 *   POST /v1/payment_intents/:id/cancel
 *   GET  /v1/payment_intents/:id
 *   POST /v1/refunds                    `payment_intent=…`
 *   POST /v1/test_helpers/payment_intents/:id/authenticate   `outcome=succeeded|failed` (ours, see below)
 *   GET|POST /redirect/authenticate/:id  the card holder's 3-D Secure page (no key: a browser opens it)
 *
 * It checks the secret key, honours `Idempotency-Key` like Stripe (same key and body: the stored
 * response; same key, other body: 400 idempotency_error), and sends webhooks signed like Stripe:
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`.
 *
 * Test cards: `pm_card_visa` succeeds; `pm_card_chargeDeclined` is declined (HTTP 402 card_error);
 * `pm_card_async` stays `processing` until `settle()` decides it. As in Stripe's test mode, the
 * 3-D Secure cards `pm_card_threeDSecure2Required` (4000 0000 0000 3220) and
 * `pm_card_authenticationRequired` (4000 0025 0000 3155) leave the intent `requires_action` with a
 * `use_stripe_sdk` next action; where Stripe's test modal offers "Complete" and "Fail",
 * `authenticate()` (or the test-helper endpoint, for `npm start`) decides it and sends the webhook.
 * Confirmed with a `return_url`, the next action is `redirect_to_url` instead, as with Stripe: its
 * URL is a page of ours with the same two buttons, which decides the intent, waits for the webhook's
 * answer and sends the browser to the return URL with `payment_intent`,
 * `payment_intent_client_secret` and `redirect_status` (`succeeded` or `failed`), as Stripe does.
 */
export interface LocalStripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where events are POSTed; set later with `webhookUrl =` when the receiver starts after. */
  webhookUrl?: string;
  host?: string;
  port?: number;
}

export interface LocalIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled';
  client_secret: string;
  next_action:
    | { type: 'use_stripe_sdk'; use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string } }
    | { type: 'redirect_to_url'; redirect_to_url: { url: string; return_url: string } }
    | null;
  payment_method: string | null;
  payment_method_types: string[];
  metadata: Record<string, string>;
  last_payment_error: { type: string; code: string; message: string } | null;
  cancellation_reason: string | null;
  latest_charge: string | null;
  amount_refunded: number;
  created: number;
  livemode: false;
}

export interface LocalEvent {
  id: string;
  object: 'event';
  type: string;
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  data: { object: Record<string, unknown> };
}

type Reply = { status: number; body: unknown };

export class LocalStripe {
  readonly intents = new Map<string, LocalIntent>();
  readonly events: LocalEvent[] = [];
  /** Every API request, for tests that count calls. */
  readonly requests: { method: string; path: string; idempotencyKey?: string }[] = [];
  webhookUrl: string | undefined;
  /** The next N API requests fail with HTTP 500 (an outage). */
  failNextRequests = 0;
  private readonly idempotency = new Map<string, { hash: string; reply: Reply }>();
  private readonly deliveries = new Set<Promise<unknown>>();

  private constructor(
    private readonly server: Server,
    private readonly options: LocalStripeOptions,
    readonly host: string,
    readonly port: number,
  ) {
    this.webhookUrl = options.webhookUrl;
  }

  static async start(options: LocalStripeOptions): Promise<LocalStripe> {
    let stripe: LocalStripe | undefined;
    const server = createServer((request, response) => {
      stripe!.handle(request, response).catch((error: unknown) => reply(response, { status: 500, body: apiError('api_error', String(error)) }));
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    stripe = new LocalStripe(server, options, host, (server.address() as AddressInfo).port);
    return stripe;
  }

  /** Decides a `processing` intent and sends the webhook Stripe would. */
  async settle(intentId: string, outcome: 'succeeded' | 'failed'): Promise<LocalEvent> {
    const intent = this.intents.get(intentId);
    if (!intent) throw new Error(`No intent ${intentId}`);
    if (outcome === 'succeeded') {
      intent.status = 'succeeded';
      intent.latest_charge = id('ch');
      return this.emit('payment_intent.succeeded', intent);
    }
    intent.status = 'requires_payment_method';
    intent.last_payment_error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' };
    return this.emit('payment_intent.payment_failed', intent);
  }

  /**
   * The card holder completes (`succeeded`) or fails the 3-D Secure challenge of an intent that
   * requires action; Stripe then sends `payment_intent.succeeded` or `payment_intent.payment_failed`.
   * Resolves with that event once the webhook receiver answered.
   */
  async authenticate(intentId: string, outcome: 'succeeded' | 'failed'): Promise<LocalEvent> {
    const result = this.decideAuthentication(intentId, outcome);
    if ('error' in result) throw new Error(result.error);
    return result.event;
  }

  private decideAuthentication(intentId: string, outcome: string): { event: Promise<LocalEvent> } | { error: string } {
    const intent = this.intents.get(intentId);
    if (!intent) return { error: `No such payment_intent: '${intentId}'` };
    if (intent.status !== 'requires_action') return { error: `This PaymentIntent's status is ${intent.status}, not requires_action` };
    if (outcome !== 'succeeded' && outcome !== 'failed') return { error: 'outcome must be succeeded or failed' };
    intent.next_action = null;
    if (outcome === 'succeeded') {
      intent.status = 'succeeded';
      intent.latest_charge = id('ch');
      return { event: this.emit('payment_intent.succeeded', intent) };
    }
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      message: 'The provided PaymentMethod has failed authentication.',
    };
    return { event: this.emit('payment_intent.payment_failed', intent) };
  }

  /** Builds, records and delivers an event; resolves with the event once the receiver answered. */
  async emit(type: string, object: object): Promise<LocalEvent> {
    const event: LocalEvent = {
      id: id('evt'),
      object: 'event',
      type,
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: JSON.parse(JSON.stringify(object)) as Record<string, unknown> },
    };
    this.events.push(event);
    await this.deliver(event);
    return event;
  }

  /** POSTs an event to the webhook URL, signed; returns the receiver's HTTP status. */
  async deliver(event: LocalEvent, secret = this.options.webhookSecret): Promise<number> {
    if (!this.webhookUrl) return 0;
    const payload = JSON.stringify(event);
    const delivery = fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signStripePayload(payload, secret) },
      body: payload,
    }).then(
      (response) => response.status,
      () => 0,
    );
    this.deliveries.add(delivery);
    try {
      return await delivery;
    } finally {
      this.deliveries.delete(delivery);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.deliveries);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0]!;
    const idempotencyKey = header(request, 'idempotency-key');
    this.requests.push({ method, path, ...(idempotencyKey ? { idempotencyKey } : {}) });
    const authenticationPage = /^\/redirect\/authenticate\/([^/]+)$/.exec(path);
    if (authenticationPage)
      return this.authenticationPage(authenticationPage[1]!, method, new URL(request.url ?? '/', 'http://stripe').searchParams, body, response);
    if (header(request, 'authorization') !== `Bearer ${this.options.secretKey}`) {
      return reply(response, { status: 401, body: apiError('invalid_request_error', 'Invalid API Key provided') });
    }
    if (this.failNextRequests > 0) {
      this.failNextRequests--;
      return reply(response, { status: 500, body: apiError('api_error', 'Injected outage') });
    }
    if (method === 'POST' && idempotencyKey) {
      const hash = createHash('sha256').update(`${path}\n${body}`).digest('hex');
      const previous = this.idempotency.get(idempotencyKey);
      if (previous) {
        if (previous.hash !== hash) {
          return reply(response, {
            status: 400,
            body: apiError('idempotency_error', 'Keys for idempotent requests can only be used with the same parameters they were first used with.'),
          });
        }
        response.setHeader('idempotent-replayed', 'true');
        return reply(response, previous.reply);
      }
      const result = this.route(method, path, parseForm(body));
      // Like Stripe, a 5xx is not stored: the retry runs again.
      if (result.status < 500) this.idempotency.set(idempotencyKey, { hash, reply: result });
      return reply(response, result);
    }
    return reply(response, this.route(method, path, parseForm(body)));
  }

  private route(method: string, path: string, form: Form): Reply {
    const intentPath = /^\/v1\/payment_intents\/([^/]+)(\/confirm|\/cancel)?$/.exec(path);
    const authenticatePath = /^\/v1\/test_helpers\/payment_intents\/([^/]+)\/authenticate$/.exec(path);
    if (method === 'POST' && path === '/v1/payment_intents') return this.createIntent(form);
    if (method === 'POST' && intentPath?.[2] === '/confirm') return this.confirm(intentPath[1]!, form);
    if (method === 'POST' && intentPath?.[2] === '/cancel') return this.cancel(intentPath[1]!, form);
    if (method === 'POST' && authenticatePath) {
      const result = this.decideAuthentication(authenticatePath[1]!, String(form.outcome ?? ''));
      if ('error' in result) return { status: 400, body: apiError('invalid_request_error', result.error) };
      return { status: 200, body: this.intents.get(authenticatePath[1]!) };
    }
    if (method === 'GET' && intentPath && !intentPath[2]) {
      const intent = this.intents.get(intentPath[1]!);
      return intent ? { status: 200, body: intent } : notFound('payment_intent', intentPath[1]!);
    }
    if (method === 'POST' && path === '/v1/refunds') return this.refund(form);
    return { status: 404, body: apiError('invalid_request_error', `Unrecognized request URL (${method}: ${path})`) };
  }

  private createIntent(form: Form): Reply {
    const amount = Number(form.amount);
    if (!Number.isInteger(amount) || amount < 1 || amount > 99_999_999) {
      return { status: 400, body: apiError('invalid_request_error', 'Invalid amount', 'parameter_invalid_integer') };
    }
    const intent: LocalIntent = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      currency: String(form.currency ?? '').toLowerCase(),
      status: 'requires_payment_method',
      client_secret: '',
      next_action: null,
      payment_method: null,
      payment_method_types: ['card'],
      metadata: (form.metadata as Record<string, string> | undefined) ?? {},
      last_payment_error: null,
      cancellation_reason: null,
      latest_charge: null,
      amount_refunded: 0,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    intent.client_secret = `${intent.id}_secret_${randomBytes(12).toString('hex')}`;
    this.intents.set(intent.id, intent);
    if (typeof form.payment_method === 'string') {
      intent.payment_method = form.payment_method;
      intent.status = 'requires_confirmation';
    }
    if (form.confirm === 'true') return this.confirm(intent.id, form);
    return { status: 200, body: intent };
  }

  private confirm(intentId: string, form: Form): Reply {
    const intent = this.intents.get(intentId);
    if (!intent) return notFound('payment_intent', intentId);
    if (intent.status === 'succeeded' || intent.status === 'processing' || intent.status === 'canceled') {
      return { status: 400, body: apiError('invalid_request_error', `This PaymentIntent's status is ${intent.status}`, 'payment_intent_unexpected_state') };
    }
    const paymentMethod = typeof form.payment_method === 'string' ? form.payment_method : intent.payment_method;
    if (!paymentMethod) return { status: 400, body: apiError('invalid_request_error', 'You must provide a payment_method', 'parameter_missing') };
    intent.payment_method = paymentMethod;
    if (paymentMethod === 'pm_card_chargeDeclined') {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' };
      void this.emit('payment_intent.payment_failed', intent);
      return {
        status: 402,
        body: {
          error: { ...apiError('card_error', 'Your card was declined.', 'card_declined').error, decline_code: 'generic_decline', payment_intent: intent },
        },
      };
    }
    if (paymentMethod === 'pm_card_async') {
      intent.status = 'processing';
      return { status: 200, body: intent };
    }
    if (THREE_D_SECURE_CARDS.has(paymentMethod)) {
      intent.status = 'requires_action';
      const returnUrl = typeof form.return_url === 'string' ? form.return_url : undefined;
      intent.next_action = returnUrl
        ? {
            type: 'redirect_to_url',
            redirect_to_url: {
              url: `http://${this.host}:${this.port}/redirect/authenticate/${intent.id}?client_secret=${encodeURIComponent(intent.client_secret)}`,
              return_url: returnUrl,
            },
          }
        : {
            type: 'use_stripe_sdk',
            use_stripe_sdk: {
              type: 'three_d_secure_redirect',
              stripe_js: `http://${this.host}:${this.port}/v1/test_helpers/payment_intents/${intent.id}/authenticate`,
            },
          };
      return { status: 200, body: intent };
    }
    intent.status = 'succeeded';
    intent.next_action = null;
    intent.last_payment_error = null;
    intent.latest_charge = id('ch');
    void this.emit('payment_intent.succeeded', intent);
    return { status: 200, body: intent };
  }

  /**
   * The page a `redirect_to_url` next action sends the card holder to. GET shows the challenge;
   * POST decides it (`outcome`), waits until the webhook receiver answered, then redirects (303) to
   * the return URL. The client secret in the URL stands for the holder, as in Stripe's own links.
   */
  private async authenticationPage(intentId: string, method: string, query: URLSearchParams, body: string, response: ServerResponse): Promise<void> {
    const intent = this.intents.get(intentId);
    const form = new URLSearchParams(body);
    const clientSecret = method === 'POST' ? form.get('client_secret') : query.get('client_secret');
    if (!intent || clientSecret !== intent.client_secret) return page(response, 404, '<h1>No such authentication</h1>');
    if (method === 'GET') {
      if (intent.next_action?.type !== 'redirect_to_url')
        return page(response, 409, `<h1>Nothing to authenticate</h1><p>This payment is ${intent.status}.</p>`);
      // Stripe's zero-decimal currencies (of those payments charges, JPY) count whole units.
      const amount = intent.currency === 'jpy' ? `${intent.amount} JPY` : `${(intent.amount / 100).toFixed(2)} ${intent.currency.toUpperCase()}`;
      const button = (outcome: string, label: string) =>
        `<form method="post"><input type="hidden" name="client_secret" value="${escapeHtml(intent.client_secret)}"><button name="outcome" value="${outcome}">${label}</button></form>`;
      return page(
        response,
        200,
        `<h1>3D Secure test payment</h1><p>Authenticate the payment of <strong>${escapeHtml(amount)}</strong>.</p>${button('succeeded', 'Complete authentication')}${button('failed', 'Fail authentication')}`,
      );
    }
    if (method !== 'POST') return page(response, 405, '<h1>Method not allowed</h1>');
    const returnUrl = intent.next_action?.type === 'redirect_to_url' ? intent.next_action.redirect_to_url.return_url : undefined;
    const outcome = form.get('outcome') ?? '';
    const decided = this.decideAuthentication(intentId, outcome);
    if ('error' in decided || !returnUrl) return page(response, 409, `<h1>Nothing to authenticate</h1><p>This payment is ${intent.status}.</p>`);
    await decided.event;
    const back = new URL(returnUrl);
    back.searchParams.set('payment_intent', intent.id);
    back.searchParams.set('payment_intent_client_secret', intent.client_secret);
    back.searchParams.set('redirect_status', outcome);
    response.writeHead(303, { location: back.toString() });
    response.end();
  }

  /** Stripe cancels an intent that is not decided yet; a succeeded or processing one cannot be. */
  private cancel(intentId: string, form: Form): Reply {
    const intent = this.intents.get(intentId);
    if (!intent) return notFound('payment_intent', intentId);
    if (intent.status === 'succeeded' || intent.status === 'processing' || intent.status === 'canceled') {
      return {
        status: 400,
        body: apiError(
          'invalid_request_error',
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
          'payment_intent_unexpected_state',
        ),
      };
    }
    intent.status = 'canceled';
    intent.next_action = null;
    intent.cancellation_reason = typeof form.cancellation_reason === 'string' ? form.cancellation_reason : null;
    void this.emit('payment_intent.canceled', intent);
    return { status: 200, body: intent };
  }

  private refund(form: Form): Reply {
    const intentId = String(form.payment_intent ?? '');
    const intent = this.intents.get(intentId);
    if (!intent) return notFound('payment_intent', intentId);
    if (intent.status !== 'succeeded') {
      return { status: 400, body: apiError('invalid_request_error', 'This PaymentIntent has no successful charge to refund', 'charge_not_refundable') };
    }
    if (intent.amount_refunded >= intent.amount) {
      return { status: 400, body: apiError('invalid_request_error', 'Charge has already been refunded.', 'charge_already_refunded') };
    }
    intent.amount_refunded = intent.amount;
    const refund = {
      id: id('re'),
      object: 'refund',
      amount: intent.amount,
      currency: intent.currency,
      payment_intent: intent.id,
      charge: intent.latest_charge,
      status: 'succeeded',
      created: Math.floor(Date.now() / 1000),
    };
    void this.emit('charge.refunded', {
      id: intent.latest_charge,
      object: 'charge',
      amount: intent.amount,
      amount_refunded: intent.amount,
      refunded: true,
      payment_intent: intent.id,
      metadata: intent.metadata,
    });
    return { status: 200, body: refund };
  }
}

/** The `Stripe-Signature` header Stripe sends with a webhook. */
export function signStripePayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
}

const THREE_D_SECURE_CARDS = new Set(['pm_card_threeDSecure2Required', 'pm_card_authenticationRequired']);

type Form = Record<string, string | Record<string, string>>;

/** Stripe's form encoding, one level of brackets (`metadata[paymentId]=…`) is all we send. */
function parseForm(body: string): Form {
  const form: Form = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const nested = /^([^[]+)\[([^\]]*)\]$/.exec(key);
    if (nested) {
      const bag = (form[nested[1]!] ??= {}) as Record<string, string>;
      bag[nested[2]!] = value;
    } else {
      form[key] = value;
    }
  }
  return form;
}

function id(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

function apiError(type: string, message: string, code?: string) {
  return { error: { type, message, ...(code ? { code } : {}) } };
}

function notFound(what: string, which: string): Reply {
  return { status: 404, body: apiError('invalid_request_error', `No such ${what}: '${which}'`, 'resource_missing') };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(response: ServerResponse, status: number, content: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe test authentication</title></head><body>${content}</body></html>`);
}

function reply(response: ServerResponse, { status, body }: Reply): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  response.end(text);
}
