/** One scrape: each sample's value by its series, written as Prometheus does: `name{label="value",…}`. */
export type Scrape = Map<string, number>;

/** GETs a /metrics endpoint and reads its samples (Prometheus' text format). */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const samples: Scrape = new Map();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const split = line.lastIndexOf(' ');
    samples.set(line.slice(0, split), Number(line.slice(split + 1)));
  }
  return samples;
}

/**
 * The sum of a metric's samples whose labels include `labels` (0 when there is none): what
 * `sum(name{labels})` would answer in PromQL.
 */
export function sample(samples: Scrape, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  let sum = 0;
  for (const [series, value] of samples) {
    const brace = series.indexOf('{');
    if ((brace === -1 ? series : series.slice(0, brace)) !== name) continue;
    const labelText = brace === -1 ? '' : series.slice(brace + 1, -1);
    if (wanted.every((pair) => labelText.split(',').includes(pair))) sum += value;
  }
  return sum;
}
