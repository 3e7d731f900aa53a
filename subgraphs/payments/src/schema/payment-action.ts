import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'What the card holder must do before Stripe can decide a charge (3-D Secure).' })
export class PaymentAction {
  @Field(() => String, { description: "Stripe's next action: `use_stripe_sdk` (Stripe.js `handleNextAction({ clientSecret })`) or `redirect_to_url`." })
  type!: string;

  @Field(() => String, { description: "The PaymentIntent's client secret, for Stripe.js." })
  clientSecret!: string;

  @Field(() => String, { nullable: true, description: 'Where to send the card holder, when Stripe gives a URL.' })
  redirectUrl!: string | null;
}
