/**
 * `npm run bench` runs every benchmark one after another and prints their figures as JSON;
 * `npm run bench -- --short` does the same in a few minutes, for a quick check. Figures that
 * go into BENCHMARKS.md come from full runs. Everything runs on this machine, on loopback.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { runOverhead } from './gateways/overhead';
import { runThroughput } from './gateways/throughput';

const root = resolve(__dirname, '..');
const short = process.argv.includes('--short');

function run(command: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? done(output) : fail(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const report: Record<string, unknown> = { short, machine: { cores: (await import('node:os')).cpus().length, node: process.version } };

  console.error('gateway throughput…');
  report.throughput = await runThroughput({
    duration: short ? 6 : 60,
    warmup: short ? 2 : 10,
    connections: 50,
    only: ['ours', 'ours-unshared', 'ours-gateway-executor', 'apollo', 'hive', 'hive-router-runtime'],
  });
  console.error('router overhead…');
  report.overhead = await runOverhead({ duration: short ? 4 : 20, connections: 10 });
  console.error('subscription churn…');
  report.subscriptionChurn = JSON.parse(
    await run(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'subscription-churn.ts'), '--cycles', short ? '2000' : '10000']),
  );
  console.error('N+1…');
  report.nPlusOne = JSON.parse(
    await run(process.execPath, ['--import', 'tsx', join(__dirname, 'n-plus-one.ts'), '--sizes', short ? '10,200' : '10,1000', '--repeat', short ? '1' : '3']),
  );
  console.error('subscription fan-out…');
  report.subscriptionFanout = JSON.parse(
    await run(process.execPath, [
      '--import',
      'tsx',
      join(__dirname, 'subscription-fanout.ts'),
      '--subscribers',
      short ? '200' : '1000',
      '--events',
      short ? '5' : '20',
    ]),
  );
  console.error('query planners…');
  report.planners = JSON.parse(await run(process.execPath, ['--import', 'tsx', join(__dirname, 'planners.ts'), '--seconds', short ? '1' : '3']));
  console.error('inference…');
  report.inference = (await run(join(root, 'subgraphs/ai/.venv/bin/python'), [join(__dirname, 'inference.py'), '--texts', short ? '64' : '256'])).trim();

  report.seconds = Math.round((Date.now() - started) / 1000);
  console.log(JSON.stringify(report, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
