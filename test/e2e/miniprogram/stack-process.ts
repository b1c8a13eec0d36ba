// The local stack in its own Node process, for jsdom tests: esbuild (which the stack imports)
// refuses to load in jest's jsdom realm, whose typed arrays are not Node's. Started with tsx:
//   tsx stack-process.ts <dataDir>
// prints one line `STACK_READY <json>` with the URLs once ready, and closes the stack on SIGTERM
// or when stdin ends (the parent went away).
import { startLocalStack } from '../../../emulator/stack';
import { READY_PREFIX, type StackAddresses } from './stack-protocol';

async function main(): Promise<void> {
  const [dataDir] = process.argv.slice(2);
  if (!dataDir) throw new Error('usage: stack-process.ts <dataDir>');
  const stack = await startLocalStack({ dataDir, lenientLimits: true });
  const addresses: StackAddresses = {
    cloudOrigin: new URL(stack.publicBaseUrl).origin,
    openPlatformUrl: stack.openPlatform.url,
    publicBaseUrl: stack.publicBaseUrl,
  };
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(addresses)}\n`);

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await stack.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close());
  process.stdin.on('end', () => void close());
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
