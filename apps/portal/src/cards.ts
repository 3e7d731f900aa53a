/**
 * The cards the portal offers: Stripe's test-mode PaymentMethods (the local Stripe knows the same),
 * one for each path a card payment can take. A portal taking real cards collects them with Stripe
 * Elements instead and passes the PaymentMethod id it gets.
 */
export const CARDS = [
  { paymentMethod: 'pm_card_visa', label: 'Visa •••• 4242 (succeeds)' },
  { paymentMethod: 'pm_card_threeDSecure2Required', label: 'Visa •••• 3220 (asks for 3-D Secure)' },
  { paymentMethod: 'pm_card_chargeDeclined', label: 'Visa •••• 0002 (declined)' },
] as const;
