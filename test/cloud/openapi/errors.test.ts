import {
  categoryOf,
  ERROR_CODES,
  isTokenError,
  isTransientError,
  meaningOf,
  OpenApiError,
  splitErrmsg,
} from '../../../cloudfunctions/authorization/src/openapi';

describe('errcode table', () => {
  it('covers every code of spec §8 with a category and a meaning', () => {
    const specCodes = [
      -1, 40001, 40013, 40014, 40125, 40164, 41001, 41002, 41004, 41018, 42001, 42007, 45009, 45011, 47001, 48001, 48006, 61003,
      61004, 61005, 61006, 61007, 61009, 61010, 61011, 61012, 61013, 61014, 61015, 61016, 61017, 61023, 61024, 61025,
    ];
    for (const errcode of specCodes) {
      expect(ERROR_CODES[errcode]).toBeDefined();
      expect(meaningOf(errcode)).not.toBe('unknown WeChat error code');
    }
  });

  it.each([
    [40001, 'token'],
    [40014, 'token'],
    [42001, 'token'],
    [61003, 'authorization'],
    [61023, 'authorization'],
    [61009, 'code'],
    [61010, 'code'],
    [61004, 'configuration'],
    [40013, 'configuration'],
    [40125, 'configuration'],
    [41004, 'configuration'],
    [61011, 'configuration'],
    [40164, 'configuration'],
    [48001, 'configuration'],
    [61014, 'configuration'],
    [61015, 'configuration'],
    [61024, 'configuration'],
    [61005, 'ticket'],
    [61006, 'ticket'],
    [45009, 'quota'],
    [45011, 'quota'],
    [-1, 'transient'],
    [99999, 'other'],
  ])('errcode %i is %s', (errcode, category) => {
    expect(categoryOf(errcode)).toBe(category);
  });
});

describe('splitErrmsg', () => {
  it('separates the newer rid suffix', () => {
    expect(splitErrmsg('invalid appid rid: 6351110b-3677a1ed-080b10ce')).toEqual({
      errmsg: 'invalid appid',
      rid: '6351110b-3677a1ed-080b10ce',
    });
  });

  it('separates the older hint suffix', () => {
    expect(splitErrmsg('invalid credential, access_token is invalid or not latest hint: [Xy12Ab0345vr21]')).toEqual({
      errmsg: 'invalid credential, access_token is invalid or not latest',
      rid: 'Xy12Ab0345vr21',
    });
  });

  it('extracts the caller IP of a 61004', () => {
    expect(splitErrmsg('access clientip is not registered requestIP: 1.2.3.4 rid: 6351110b-3677a1ed-080b10ce')).toEqual({
      errmsg: 'access clientip is not registered requestIP: 1.2.3.4',
      rid: '6351110b-3677a1ed-080b10ce',
      requestIp: '1.2.3.4',
    });
  });

  it('leaves a plain errmsg alone', () => {
    expect(splitErrmsg('system error')).toEqual({ errmsg: 'system error' });
  });
});

describe('OpenApiError', () => {
  it('describes an errcode failure and classifies it', () => {
    const error = new OpenApiError({ api: 'api_query_auth', failure: 'errcode', errcode: 42001, errmsg: 'access_token expired' });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('api_query_auth failed: errcode 42001 "access_token expired" (access token expired)');
    expect(isTokenError(error)).toBe(true);
    expect(isTransientError(error)).toBe(false);
    expect(error.attempts).toBe(1);
  });

  it('treats timeouts, network errors and 5xx as transient, 4xx as other', () => {
    const make = (init: Partial<ConstructorParameters<typeof OpenApiError>[0]>) =>
      new OpenApiError({ api: 'api_component_token', failure: 'timeout', errcode: -1, ...init });
    expect(make({ failure: 'timeout' }).category).toBe('transient');
    expect(make({ failure: 'network', networkCode: 'ECONNRESET' }).message).toContain('network ECONNRESET');
    expect(make({ failure: 'http_status', httpStatus: 502 }).category).toBe('transient');
    expect(make({ failure: 'http_status', httpStatus: 404 }).category).toBe('other');
    expect(make({ failure: 'invalid_body' }).category).toBe('transient');
    expect(isTokenError(new Error('x'))).toBe(false);
  });
});
