import { createLogger } from '../src/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } };
}

describe('createLogger (pino)', () => {
  it('writes one JSON object per line with time, level name, bound fields, message and the call fields', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'router' }, 'info', stream);
    logger.info('router listening', { url: 'http://x' });
    expect(lines).toEqual([{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', service: 'router', msg: 'router listening', url: 'http://x' }]);
  });

  it('children carry their fields (the request id) on every line', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'users' }, 'debug', stream).child({ requestId: 'abc-123' });
    logger.debug('loaded');
    logger.error('failed', { error: 'boom' });
    expect(lines.map((line) => [line.level, line.requestId, line.service, line.msg])).toEqual([
      ['debug', 'abc-123', 'users', 'loaded'],
      ['error', 'abc-123', 'users', 'failed'],
    ]);
  });

  it('drops lines under its level', () => {
    const { lines, stream } = capture();
    const logger = createLogger({}, 'warn', stream);
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((line) => line.msg)).toEqual(['loud']);
  });
});
