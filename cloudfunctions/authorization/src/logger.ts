/**
 * One JSON line per event. A second line of defence behind "never pass a secret here": values that
 * look like WeChat codes or tokens are masked, and fields named like secrets are dropped.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
}

// `…code` fields (authCode, preAuthCode) hold WeChat codes; `errcode` is only WeChat's error number.
const SECRET_FIELD = /token|ticket|secret|aeskey|(?<!err)code$/i;
const SECRET_VALUE = /(ticket|preauthcode|queryauthcode|refreshtoken)@@@|^[0-9]{1,3}_[A-Za-z0-9_-]{40,}$/;

export function scrub(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (SECRET_FIELD.test(key)) continue;
    out[key] = typeof value === 'string' && SECRET_VALUE.test(value) ? '[masked]' : value;
  }
  return out;
}

export function createLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  const emit = (level: string, event: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ level, event, ...scrub(fields) }));
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
  };
}
