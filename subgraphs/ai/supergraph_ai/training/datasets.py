"""Synthetic, seeded training data for the lead-scoring and fraud models.

There is no production history yet, so the data is generated from a stated causal story, with noise
the features cannot see (so no model can be perfect and the metrics mean something). Same seed, same
rows, on every machine: numpy's PCG64 generator is platform-independent.

Lead scoring uses only what the users subgraph exposes on `User` (tier, createdAt, walletAddresses):
  - paid tiers convert far more (already paying, asking for more);
  - a new account (< 14 days) is in its evaluation window: more likely to convert than one that has
    been idle for a long while, and interest fades slowly with age;
  - linking wallets signals engagement with the on-chain features, with diminishing returns;
  - plus an unobserved intent term (~N(0, 1) in log-odds) the model cannot see.

Fraud: payments with amount, hour of day, payer account age, and the payer's activity in the 24 h
before (payments made, and how many of them failed) — what the payments subgraph records. Normal
traffic includes night owls and power users who pay often, and honest declines (an expired card, a
typo), so odd-looking is not the same as fraudulent; about 2% are injected frauds of three kinds (a
big purchase from a fresh account after a few declined tries, card-testing bursts of tiny payments
that are mostly declined, account takeover spending big from an established account), each
overlapping normal traffic on some features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEAD_SEED = 20_251_105
FRAUD_SEED = 20_251_106
TIERS = ("FREE", "PRO", "ENTERPRISE")


@dataclass(frozen=True)
class LeadRows:
    tier: np.ndarray  # str, one of TIERS
    account_age_days: np.ndarray  # float
    wallet_count: np.ndarray  # int
    converted: np.ndarray  # 0/1 label


def generate_leads(n: int = 20_000, seed: int = LEAD_SEED) -> LeadRows:
    rng = np.random.default_rng(seed)
    tier = rng.choice(np.array(TIERS), size=n, p=[0.70, 0.22, 0.08])
    account_age_days = np.round(rng.gamma(shape=1.2, scale=220.0, size=n), 1)
    wallet_rate = np.select([tier == "ENTERPRISE", tier == "PRO"], [1.6, 1.0], default=0.45)
    wallet_count = rng.poisson(wallet_rate)

    logit = (
        -2.3
        + 1.2 * (tier == "PRO")
        + 2.2 * (tier == "ENTERPRISE")
        + 0.8 * (account_age_days < 14)
        - 0.35 * np.log1p(account_age_days / 30.0)
        + 0.7 * (wallet_count > 0)
        + 0.25 * np.minimum(wallet_count, 5)
        + rng.normal(0.0, 1.0, size=n)  # intent the features cannot see
    )
    converted = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)
    return LeadRows(tier, account_age_days, wallet_count, converted)


@dataclass(frozen=True)
class PaymentRows:
    amount: np.ndarray  # USD
    hour_of_day: np.ndarray  # 0..23, UTC
    account_age_days: np.ndarray
    payments_last_24h: np.ndarray
    failed_payments_last_24h: np.ndarray  # of payments_last_24h
    is_fraud: np.ndarray  # 0/1, known only because we injected it; the model is unsupervised


def generate_payments(n: int = 30_000, fraud_rate: float = 0.02, seed: int = FRAUD_SEED) -> PaymentRows:
    rng = np.random.default_rng(seed)
    n_fraud = round(n * fraud_rate)
    n_normal = n - n_fraud

    # Normal traffic: log-normal amounts around $40, daytime-heavy hours, mostly established accounts,
    # a minority of power users (resellers, teams) who pay often, and an honest decline now and then.
    amount = rng.lognormal(mean=3.7, sigma=1.0, size=n_normal)
    night_owl = rng.random(n_normal) < 0.08
    hour = np.where(night_owl, rng.integers(0, 24, n_normal), np.clip(np.round(rng.normal(14, 4.0, n_normal)), 0, 23))
    age = rng.gamma(shape=1.5, scale=250.0, size=n_normal)
    power = rng.random(n_normal) < 0.06
    payments = np.where(power, rng.poisson(9, n_normal), rng.poisson(1.2, n_normal))
    failed = rng.binomial(payments, 0.06)

    # Fraud, three kinds, each overlapping normal traffic on some features.
    kinds = rng.integers(0, 3, size=n_fraud)
    f_amount = np.where(
        kinds == 0,
        rng.lognormal(5.6, 0.8, n_fraud),  # big purchase from a fresh account
        np.where(kinds == 1, rng.uniform(0.5, 5.0, n_fraud), rng.lognormal(6.0, 0.7, n_fraud)),
    )
    night = rng.random(n_fraud) < 0.6
    f_hour = np.where(night, rng.integers(0, 6, n_fraud), rng.integers(0, 24, n_fraud)).astype(float)
    f_age = np.where(kinds == 2, rng.gamma(1.5, 250.0, n_fraud), rng.uniform(0.0, 20.0, n_fraud))
    f_payments = np.where(kinds == 1, rng.poisson(12, n_fraud), rng.poisson(2, n_fraud))
    # Stolen cards are declined often: most card-testing tries fail, some tries before a big purchase
    # do; a takeover uses the account's own working card and fails about as often as its owner.
    f_failed = rng.binomial(f_payments, np.select([kinds == 1, kinds == 0], [0.6, 0.35], default=0.08))

    order = rng.permutation(n)

    def stack(normal: np.ndarray, fraud: np.ndarray) -> np.ndarray:
        return np.concatenate([normal, fraud])[order]

    return PaymentRows(
        amount=np.round(stack(amount, f_amount), 2),
        hour_of_day=stack(hour, f_hour),
        account_age_days=np.round(stack(age, f_age), 1),
        payments_last_24h=stack(payments, f_payments).astype(float),
        failed_payments_last_24h=stack(failed, f_failed).astype(float),
        is_fraud=stack(np.zeros(n_normal, np.int8), np.ones(n_fraud, np.int8)),
    )
