import { Suspense, type ReactNode } from 'react';
import type { DeferredResult, RouterResult } from './router';

/** Shown in place of a deferred part that came with errors. */
export function Unavailable({ what, errors }: { what: string; errors: string[] }) {
  return (
    <p role="status" className="unavailable">
      {what} could not be loaded. {errors.join(' ')}
    </p>
  );
}

interface DeferredPartProps<TData> {
  /** The response the fragment belongs to (`executeDeferred`). */
  result: DeferredResult<TData>;
  /** The fragment's `@defer(label:)`. */
  label: string;
  /** Where the fragment lands when it is deferred inside a list (one per element): its errors are that element's. */
  path?: readonly (string | number)[];
  /** What the page shows until the fragment arrives. */
  fallback: ReactNode;
  /** What the page shows once it has: the response's data by then, with the fragment's own errors. */
  children: (part: RouterResult<TData>) => ReactNode;
}

/**
 * A deferred fragment's place in a page. The page around it does not wait for it: Next.js streams the
 * page with `fallback` here, then this part into it when the router delivers the fragment.
 */
export function DeferredPart<TData>({ result, label, path, fallback, children }: DeferredPartProps<TData>) {
  return (
    <Suspense fallback={fallback}>
      <Arrived result={result} label={label} path={path} render={children} />
    </Suspense>
  );
}

async function Arrived<TData>({
  result,
  label,
  path,
  render,
}: Omit<DeferredPartProps<TData>, 'fallback' | 'children'> & { render: DeferredPartProps<TData>['children'] }) {
  return render(await result.after(label, path));
}
