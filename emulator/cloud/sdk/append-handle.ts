import fs from 'node:fs';
import type Nedb from '@seald-io/nedb';

/**
 * nedb persists each write with fs.appendFile: open, write and close, three trips through libuv's
 * thread pool while the collection waits. Under load that is most of a write (the push benchmark:
 * ~900 pushes/s and p99 32 ms with it, ~1,600 and 17 ms with one open handle), so each data file
 * keeps one append-mode handle instead. Compaction replaces the file: the handle is closed first, reopened on the next
 * write. Lines are serialized exactly as nedb does; both run inside nedb's executor, as before.
 */

interface PersistenceInternals {
  filename: string;
  modes: { fileMode: number };
  afterSerialization(text: string): Promise<string>;
  persistNewStateAsync(docs: unknown[]): Promise<void>;
  persistCachedDatabaseAsync(): Promise<void>;
}

// nedb's own line format (dates, `$$` keys); the package has no `exports` map, so this is allowed.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lib/model.js has no typings to import
const model = require('@seald-io/nedb/lib/model.js') as { serialize(doc: unknown): string };

function internalsOf(datastore: Nedb): PersistenceInternals | undefined {
  const persistence = datastore.persistence as unknown as Partial<PersistenceInternals> | undefined;
  const usable =
    !!persistence &&
    typeof persistence.filename === 'string' &&
    typeof persistence.modes?.fileMode === 'number' &&
    typeof persistence.afterSerialization === 'function' &&
    typeof persistence.persistNewStateAsync === 'function' &&
    typeof persistence.persistCachedDatabaseAsync === 'function';
  return usable ? (persistence as PersistenceInternals) : undefined;
}

/** Call once the datastore is loaded. A nedb that does not look like 4.x keeps its own appends. */
export function keepAppendHandleOpen(datastore: Nedb): void {
  const persistence = internalsOf(datastore);
  if (!persistence) return;
  let handle: Promise<fs.promises.FileHandle> | undefined;

  const openHandle = () =>
    (handle ??= fs.promises.open(persistence.filename, 'a', persistence.modes.fileMode).catch((error: unknown) => {
      handle = undefined;
      throw error;
    }));

  const closeHandle = async () => {
    const closing = handle;
    handle = undefined;
    if (closing) await (await closing.catch(() => undefined))?.close();
  };

  persistence.persistNewStateAsync = async (docs) => {
    let text = '';
    for (const doc of docs) text += `${await persistence.afterSerialization(model.serialize(doc))}\n`;
    if (text === '') return;
    await writeAll(await openHandle(), Buffer.from(text, 'utf8'));
  };

  const compact = persistence.persistCachedDatabaseAsync.bind(persistence);
  persistence.persistCachedDatabaseAsync = async () => {
    await closeHandle();
    await compact();
  };
}

async function writeAll(handle: fs.promises.FileHandle, bytes: Buffer): Promise<void> {
  // Append mode: every write lands at the end; loop in case the OS takes fewer bytes.
  for (let offset = 0; offset < bytes.length;) offset += (await handle.write(bytes, offset)).bytesWritten;
}
