// What the console's sign-in QR carries: `<HTTP access base>/console/scan?t=<32 hex>`. No wx here,
// so tests import it as it is.

const SCAN = /\/console\/scan\?(?:[^#]*&)?t=([0-9a-f]{32})(?:[&#]|$)/;

/** The ticket in a scanned text; null for anything that is not the console's QR. */
export function ticketIn(scanned: string): string | null {
  return SCAN.exec(scanned.trim())?.[1] ?? null;
}
