import {
  DEFAULT_MAX_XML_BYTES,
  buildEncryptedReplyXml,
  parseEnvelope,
  parseFlatXml,
  xmlText,
} from '../../../cloudfunctions/authorization/src/crypto';

describe('parseFlatXml', () => {
  it('reads the spec §2 ticket payload with every value as a string', () => {
    const xml = [
      '<xml><AppId><![CDATA[wx3142599554018787]]></AppId>',
      '<CreateTime>1517477450</CreateTime>',
      '<InfoType><![CDATA[component_verify_ticket]]></InfoType>',
      '<ComponentVerifyTicket><![CDATA[ticket@@@LJLMd76DQdJWf1qq]]></ComponentVerifyTicket>',
      '</xml>',
    ].join('\n');
    expect({ ...parseFlatXml(xml) }).toEqual({
      AppId: 'wx3142599554018787',
      CreateTime: '1517477450',
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@LJLMd76DQdJWf1qq',
    });
  });

  it('keeps number-like values verbatim (leading zeros, exponents, hex)', () => {
    const record = parseFlatXml('<xml><A>0012</A><B>1e3</B><C>0x1F</C><D>-0</D><E>12345678901234567890</E></xml>');
    expect({ ...record }).toEqual({ A: '0012', B: '1e3', C: '0x1F', D: '-0', E: '12345678901234567890' });
  });

  it('unwraps CDATA verbatim, and decodes entities only outside CDATA', () => {
    const record = parseFlatXml(
      '<xml><A><![CDATA[ a &amp; <b> ]]></A><B> x &amp; y &lt;&gt;&quot;&apos; &#20013;&#x1F389; </B><C>t &amp;<![CDATA[&amp;]]>u</C></xml>',
    );
    expect(record.A).toBe(' a &amp; <b> ');
    expect(record.B).toBe(' x & y <>"\' 中🎉 ');
    expect(record.C).toBe('t &&amp;u');
  });

  it('reads the spec §5 fast-registration payload: nested <info> as a record', () => {
    const xml =
      '<xml><AppId><![CDATA[wx_component]]></AppId><CreateTime>1535442403</CreateTime>' +
      '<InfoType><![CDATA[notify_third_fasteregister]]></InfoType>' +
      '<appid>wx_new</appid><status>0</status><auth_code>xxxxx</auth_code><msg>OK</msg>' +
      '<info>\n  <name>公司</name>\n  <code>91440300</code>\n  <code_type>1</code_type>\n</info></xml>';
    const record = parseFlatXml(xml);
    expect(record.status).toBe('0');
    expect(xmlText(record, 'status')).toBe('0');
    expect(xmlText(record, 'info')).toBeUndefined();
    expect({ ...(record.info as object) }).toEqual({ name: '公司', code: '91440300', code_type: '1' });
  });

  it('turns a repeated tag into an array, and empty elements into empty strings', () => {
    const record = parseFlatXml('<xml><L><i>1</i><i>2</i><i><j>3</j></i></L><E></E><S/></xml>');
    const list = record.L as { i: unknown };
    expect(list.i).toEqual(['1', '2', expect.objectContaining({ j: '3' })]);
    expect(record.E).toBe('');
    expect(record.S).toBe('');
  });

  it('accepts an XML declaration, comments and surrounding whitespace', () => {
    const record = parseFlatXml('<?xml version="1.0" encoding="utf-8"?>\n<!-- hi -->\n<xml>\n  <A>1</A>\n</xml>\n');
    expect({ ...record }).toEqual({ A: '1' });
  });

  it('ignores attributes and returns a record without prototype', () => {
    const record = parseFlatXml('<xml><A lang="zh">v</A><toStringX>1</toStringX></xml>');
    expect(record.A).toBe('v');
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(record.toString).toBeUndefined();
    expect(record.hasOwnProperty).toBeUndefined();
  });

  it('accepts a document exactly at the size limit', () => {
    const filler = 'x'.repeat(DEFAULT_MAX_XML_BYTES - '<xml><A></A></xml>'.length);
    expect(parseFlatXml(`<xml><A>${filler}</A></xml>`).A).toHaveLength(filler.length);
  });
});

describe('parseEnvelope', () => {
  it('reads a platform push envelope (AppId)', () => {
    expect(parseEnvelope('<xml>\n<AppId><![CDATA[wx_component]]></AppId>\n<Encrypt><![CDATA[abcd]]></Encrypt>\n</xml>')).toEqual({
      encrypt: 'abcd',
      appId: 'wx_component',
    });
  });

  it('reads an authorizer message envelope (ToUserName), without CDATA too', () => {
    expect(parseEnvelope('<xml><ToUserName>gh_1</ToUserName><Encrypt>ab+/cw==</Encrypt></xml>')).toEqual({
      encrypt: 'ab+/cw==',
      toUserName: 'gh_1',
    });
  });

  it('keeps Encrypt exactly as sent (no trimming; the signature covers the exact string)', () => {
    expect(parseEnvelope('<xml><Encrypt><![CDATA[ abcd ]]></Encrypt></xml>').encrypt).toBe(' abcd ');
  });
});

describe('buildEncryptedReplyXml', () => {
  it('writes the spec §3.4 layout and parses back', () => {
    const fields = { encrypt: 'ab+/cw==', msgSignature: '0'.repeat(40), timeStamp: '1713424427', nonce: 'n-1_2' };
    const xml = buildEncryptedReplyXml(fields);
    expect(xml.startsWith('<xml>\n<Encrypt><![CDATA[ab+/cw==]]></Encrypt>\n')).toBe(true);
    expect(xml).toContain('<TimeStamp>1713424427</TimeStamp>');
    expect({ ...parseFlatXml(xml) }).toEqual({
      Encrypt: fields.encrypt,
      MsgSignature: fields.msgSignature,
      TimeStamp: fields.timeStamp,
      Nonce: fields.nonce,
    });
  });
});
