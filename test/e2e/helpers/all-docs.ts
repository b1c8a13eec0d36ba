import type { LocalStack } from '../../../emulator/stack';

/** Every matching document, read through the emulated database 100 at a time (its cap) until an empty page. */
export async function allDocs<T = Record<string, any>>(
  stack: LocalStack,
  collection: string,
  where: Record<string, unknown> = {},
): Promise<T[]> {
  const all: T[] = [];
  for (;;) {
    const { data } = await stack.cloud.db
      .collection(collection)
      .where(where)
      .orderBy('_id', 'asc')
      .skip(all.length)
      .limit(100)
      .get();
    if (data.length === 0) return all;
    all.push(...(data as T[]));
  }
}
