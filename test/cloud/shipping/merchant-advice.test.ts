/** Who fixes a refused audit or a stopped shipment, and where: merchantAdvice.ts (pure). */
import { plainReason, rejectionAdvice, shipmentAdvice } from '../../../cloudfunctions/authorization/src/shipping/merchantAdvice';

test("WeChat's reason text is made plain: <br> as separators, no tags, no empty parts", () => {
  expect(plainReason('类目不符<br>请补充<br/><br />')).toBe('类目不符；请补充');
  expect(plainReason('<p>名称  与内容不符</p>')).toBe('名称 与内容不符');
  expect(plainReason('')).toBeNull();
  expect(plainReason(null)).toBeNull();
});

test.each([
  ['小程序服务类目与实际内容不符', '服务类目'],
  ['缺少相关资质', '服务类目'],
  ['未完善用户隐私保护指引', '用户隐私保护指引'],
  ['收集个人信息前未告知用户', '用户隐私保护指引'],
  ['小程序名称与实际服务不符', '基本设置，修改小程序的名称'],
  ['头像含有违规内容', '基本设置，修改小程序的名称'],
])('a reason about the merchant\'s settings ("%s") tells them where: %s', (reason, where) => {
  const advice = rejectionAdvice(reason);
  expect(advice.fixer).toBe('merchant');
  expect(advice.message).toBe(`审核未通过：${reason}`);
  expect(advice.action).toContain(where);
  expect(advice.action).toContain('服务商会重新提交审核');
});

test("any other reason, or none, is the provider's to handle", () => {
  expect(rejectionAdvice('页面存在空白')).toEqual({
    fixer: 'provider',
    message: '审核未通过：页面存在空白',
    action: '服务商会处理并重新提交审核，你无需操作。',
  });
  expect(rejectionAdvice(null)).toMatchObject({ fixer: 'provider', message: '审核未通过，微信没有给出原因' });
});

test("a shipment's refusal: the merchant's own (category, name, privacy API, set 18, banned) or the provider's", () => {
  const reason = (errcode: number | null, message = 'x') => ({ errcode, message, action: 'y' });
  expect(shipmentAdvice(reason(85008, '小程序没有已审核通过的类目'))).toMatchObject({
    fixer: 'merchant',
    message: '新版本没能发布：小程序没有已审核通过的类目',
    action: expect.stringContaining('服务类目'),
  });
  expect(shipmentAdvice(reason(86002)).action).toContain('基本设置');
  expect(shipmentAdvice(reason(85312)).action).toContain('接口设置');
  expect(shipmentAdvice(reason(61007)).action).toContain('勾选开发管理权限');
  expect(shipmentAdvice(reason(86007)).action).toContain('联系微信客服');
  for (const errcode of [null, 85094, 61040, 99999]) {
    expect(shipmentAdvice(reason(errcode, '模板错误'))).toEqual({
      fixer: 'provider',
      message: '新版本暂未发布：模板错误',
      action: '服务商会处理后重新发布，你无需操作。',
    });
  }
});
