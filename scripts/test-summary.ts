/**
 * `node --import tsx scripts/test-summary.ts JEST_JSON PYTEST_XML`: prints the closing line of
 * `npm test`, "N passed, N failed", over jest's JSON report and pytest's JUnit XML report. A report
 * that is missing (its runner could not start) counts nothing; the runner's exit status still fails the run.
 */
import { existsSync, readFileSync } from 'node:fs';

interface Counts {
  passed: number;
  failed: number;
}

function jestCounts(path: string): Counts {
  if (!existsSync(path)) return { passed: 0, failed: 0 };
  const report = JSON.parse(readFileSync(path, 'utf8')) as { numPassedTests: number; numFailedTests: number; numRuntimeErrorTestSuites: number };
  // A file that could not run at all (e.g. a broken import) counts as one failure.
  return { passed: report.numPassedTests, failed: report.numFailedTests + report.numRuntimeErrorTestSuites };
}

function pytestCounts(path: string): Counts {
  if (!existsSync(path)) return { passed: 0, failed: 0 };
  const suite = /<testsuite\b[^>]*>/.exec(readFileSync(path, 'utf8'))?.[0] ?? '';
  const attribute = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const failed = attribute('failures') + attribute('errors');
  return { passed: attribute('tests') - failed - attribute('skipped'), failed };
}

const [jestJson = '', pytestXml = ''] = process.argv.slice(2);
const counts = [jestCounts(jestJson), pytestCounts(pytestXml)];
const total = (key: keyof Counts) => counts.reduce((sum, count) => sum + count[key], 0);
console.log(`${total('passed')} passed, ${total('failed')} failed`);
