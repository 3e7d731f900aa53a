import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '@supergraph/server';

/** Where new supergraph texts come from; each calls `onText` with the whole text and its origin. */
export type SupergraphListener = (supergraphSdl: string, origin: string) => void;

export interface Closable {
  close(): void;
}

export interface FileWatchOptions {
  /** Quiet time after the last change before the file is read: a writer's truncate-then-write is one change. Default 200 ms. */
  debounceMs?: number;
}

/**
 * Watches the supergraph file (SUPERGRAPH_PATH). The folder is watched, not the file, so a file
 * replaced by a rename (editors, atomic writers) is still seen; every settled change is read and
 * handed on (an unchanged text is the reloader's to ignore).
 */
export function watchSupergraphFile(path: string, onText: SupergraphListener, logger: Logger, options: FileWatchOptions = {}): Closable {
  const debounceMs = options.debounceMs ?? 200;
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const read = () => {
    readFile(path, 'utf8').then(
      (text) => onText(text, path),
      // Removed or half-renamed: the next change event brings it back.
      (error: unknown) => logger.warn('supergraph file unreadable', { path, error: error instanceof Error ? error.message : String(error) }),
    );
  };
  const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(read, debounceMs);
  });
  watcher.on('error', (error) => logger.warn('supergraph file watch failed', { path, error: error.message }));
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

export interface UrlPollOptions {
  /** Time between polls (SUPERGRAPH_POLL_INTERVAL_MS). */
  intervalMs: number;
  /** Timeout of each request. Default 10000 ms. */
  timeoutMs?: number;
}

/**
 * Polls SUPERGRAPH_URL, first at once, then every `intervalMs`. Conditional requests: the ETag of
 * the last answer goes out as If-None-Match, so an unchanged supergraph costs a 304 and no body.
 * A failed poll is logged and the next one tried; the supergraph being served stays.
 */
export function pollSupergraphUrl(url: string, onText: SupergraphListener, logger: Logger, options: UrlPollOptions): Closable {
  let etag: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: etag ? { 'if-none-match': etag } : {},
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (response.status === 304) return;
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      etag = response.headers.get('etag') ?? undefined;
      onText(text, url);
    } catch (error) {
      logger.warn('supergraph poll failed', { url, error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (!closed) timer = setTimeout(() => void poll(), options.intervalMs).unref();
    }
  };
  void poll();
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}
