/**
 * @apollo/gateway 2.x, when constructed, starts reporting usage metrics to Apollo's servers and
 * probes cloud metadata endpoints (AWS, GCP, Azure at 169.254.169.254) to describe the host —
 * unless APOLLO_TELEMETRY_DISABLED is set. A self-hosted router must not send anything anywhere
 * it was not told to, so we set it before any gateway exists. Importing this module is enough.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

export {};
