/** Reading Prometheus text exposition, enough for benchmarks to diff counters before and after. */

/** Sums every sample of `name` whose labels include `labels`, keyed by the value of `by` (or '' without one). */
export function sumSamples(text: string, name: string, options: { labels?: Record<string, string>; by?: string } = {}): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key!, value!]));
    if (Object.entries(options.labels ?? {}).some(([key, value]) => labels[key] !== value)) continue;
    const key = options.by ? (labels[options.by] ?? '') : '';
    sums[key] = (sums[key] ?? 0) + Number(match[3]);
  }
  return sums;
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}
