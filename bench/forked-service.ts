/**
 * A service (bench/service-process.ts) in a process of its own, for benchmarks that measure its
 * memory apart from everything else: configured by `env` over this process's environment.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceMessage, ServiceName } from './service-process';

export interface Service {
  url: string;
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

export function forkService(name: ServiceName, env: Record<string, string>): Promise<Service> {
  const child: ChildProcess = fork(join(__dirname, 'service-process.ts'), [name], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<ServiceMessage>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ServiceMessage));
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    });
  return next().then((message) => {
    if (!('ready' in message)) throw new Error(`${name} failed to start: ${'failed' in message ? message.failed : JSON.stringify(message)}`);
    return {
      url: message.ready,
      memory: async () => {
        const reply = next();
        child.send('memory');
        const answer = await reply;
        if (!('memory' in answer)) throw new Error(`${name} answered ${JSON.stringify(answer)}`);
        return answer.memory;
      },
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.send('stop');
        }),
    };
  });
}
