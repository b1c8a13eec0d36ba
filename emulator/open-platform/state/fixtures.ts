/**
 * The default platform and merchant accounts, and the permission-set catalogue (spec §10).
 * All values are invented but shaped like real ones.
 */
import type { AccountKind, ComponentConfig, MiniProgramNetwork, TestAccount } from './types';

export const DEFAULT_COMPONENT: ComponentConfig = {
  appId: 'wx3f8a2c61d9e07b45',
  appSecret: 'c5e1f09a7b3d42e8a6f1b0c9d8e7a2b4',
  token: 'qingheComponentToken2024',
  encodingAesKey: 'Qh7sK2mP9xV4cR8nB3wT6yL1dF5gJ0aZ2eU8iO4rW6t',
  name: '青禾开放平台服务商（模拟）',
};

export interface PermissionSet {
  id: number;
  name: string;
  /** 互斥: only one platform may hold it. */
  exclusive: boolean;
}

const sets: [number, string, boolean][] = [
  [1, '消息管理', false],
  [2, '用户管理', false],
  [3, '账号服务', false],
  [4, '网页服务', true],
  [5, '微信小店', false],
  [6, '微信多客服', false],
  [7, '群发与通知', false],
  [8, '微信卡券', false],
  [9, '微信扫一扫', false],
  [10, '微信连WIFI', false],
  [11, '素材管理', false],
  [12, '微信摇周边', false],
  [13, '微信门店', false],
  [15, '菜单管理', false],
  [17, '获取小程序码', false],
  [18, '小程序开发与数据分析', true],
  [19, '小程序客服管理', false],
  [22, '城市服务', false],
  [23, '广告管理', false],
  [24, '开放平台账号管理', true],
  [25, '开放平台账号管理', true],
  [26, '微信电子发票', false],
  [27, '快速注册小程序', false],
  [30, '小程序基本信息管理', false],
  [31, '小程序认证名称检测', false],
  [33, '小程序关联管理', false],
  [34, '微信商品库管理', true],
  [37, '附近的小程序管理', false],
  [40, '小程序插件管理', true],
  [41, '好物圈管理', true],
  [44, '好物圈', false],
  [45, '微信物流服务', true],
  [46, '微信一物一码', false],
  [47, '微信财政电子票据', false],
  [48, '微信财政电子票据管理', false],
  [49, '小程序云开发管理', true],
  [51, '小程序即时配送', true],
  [52, '小程序直播管理', false],
  [54, '服务号对话管理', true],
  [65, '小程序广告管理', false],
  [66, '微信服务市场管理', false],
  [67, '微信服务市场管理', false],
  [70, '标准版交易组件商品管理', false],
  [71, '标准版交易组件订单物流与售后管理', false],
  [73, '标准版交易组件接入', true],
  [76, '小程序违规与交易投诉管理', true],
  [81, '试用小程序快速认证', true],
  [84, '标准版交易组件优惠券管理', false],
  [85, '自定义版交易组件管理', false],
  [89, '服务号订阅通知', false],
  [113, '就医助手', false],
  [143, '视频号留资组件管理', false],
  [160, '视频号留资服务的直播数据', false],
  [175, '微信小店罗盘数据', false],
  [176, '达人数据', false],
  [177, '视频号商品橱窗管理', false],
];

export const PERMISSION_SETS: ReadonlyMap<number, PermissionSet> = new Map(
  sets.map(([id, name, exclusive]) => [id, { id, name, exclusive }]),
);

/**
 * The message permission sets: 消息管理 for official accounts, 小程序客服管理 for mini-programs.
 * Custom send requires one of them; the 全网发布 test checks the messages of the kinds whose set is selected.
 */
export const MESSAGE_SET_OF: Record<'official_account' | 'mini_program', number> = { official_account: 1, mini_program: 19 };

export const KIND_LABELS: Record<AccountKind, string> = {
  official_account: '公众号',
  mini_program: '小程序',
  channels: '视频号',
  store: '微信小店',
  sales_assistant: '带货助手',
  promoter: '小程序推客',
};

/** A finer label for the page: service vs subscription account, mini-program vs mini-game. */
export function accountTypeLabel(account: TestAccount): string {
  if (account.kind === 'official_account') return account.serviceTypeId === 2 ? '服务号' : '订阅号';
  if (account.kind === 'mini_program') return account.serviceTypeId === 4 ? '小游戏' : '小程序';
  return KIND_LABELS[account.kind];
}

function network(requestDomains: string[]): MiniProgramNetwork {
  return {
    RequestDomain: requestDomains,
    WsRequestDomain: [],
    UploadDomain: requestDomains,
    DownloadDomain: requestDomains,
    BizDomain: [],
    UDPDomain: [],
    TCPDomain: [],
  };
}

const avatar = (seed: string): string => `http://wx.qlogo.cn/mmopen/${seed}/0`;
const qrcode = (seed: string): string => `http://mmbiz.qpic.cn/mmbiz_jpg/${seed}/0`;

const COMPANY = '杭州青禾网络科技有限公司';

export const DEFAULT_ACCOUNTS: TestAccount[] = [
  {
    appid: 'wx8c41f2a9e6d07b13',
    kind: 'official_account',
    userName: 'gh_5a2e9c7d41b8',
    nickName: '青禾生活服务中心',
    principalName: COMPANY,
    headImg: avatar('Q3auHgzwzM5r7kXbY2dJ1cVfTn8pLs0eWq4iGh6A'),
    qrcodeUrl: qrcode('Pz1nS7fK2hD4qW9tR3yB6vX0cM5gJ8aL'),
    alias: 'qinghe_life',
    signature: '青禾生活官方服务号，提供鲜花预订、会员积分与售后服务。',
    serviceTypeId: 2,
    verifyTypeId: 0,
    accountStatus: 1,
    grantableFuncIds: [1, 2, 3, 4, 7, 11, 15, 24, 54, 89],
  },
  {
    appid: 'wx2d7e90b5c3a18f64',
    kind: 'official_account',
    userName: 'gh_9f31c6a2e0d7',
    nickName: '青禾读书笔记',
    principalName: '个人',
    headImg: avatar('H8kd2Lq0Zr5Tn3Vx7Bc1Mf9Jw4Ys6Pg2Ea8Ru0'),
    qrcodeUrl: qrcode('Kf6wN1qR8tZ3yH5bV2mC9xL0jD7gS4aP'),
    alias: '',
    signature: '每周一本书的读书笔记。',
    serviceTypeId: 0,
    verifyTypeId: -1,
    accountStatus: 1,
    grantableFuncIds: [1, 2, 3, 7, 11, 15],
  },
  {
    appid: 'wx6b93d0f2a7c4e815',
    kind: 'mini_program',
    userName: 'gh_c2e84b1f6a93',
    nickName: '青禾鲜花预订',
    principalName: COMPANY,
    headImg: avatar('Vn4Rk8Yt2Wq6Zs0Xp3Lm7Jb1Hc5Gf9Dd2Sa6Ee'),
    qrcodeUrl: qrcode('Xb3mT9qL1wR6yF2hZ8nC5vK0jS4gD7aP'),
    alias: '',
    signature: '同城鲜花预订，两小时送达。',
    serviceTypeId: 0,
    verifyTypeId: 0,
    accountStatus: 1,
    grantableFuncIds: [17, 18, 19, 25, 30, 31, 40, 49, 52, 65, 70, 71],
    miniProgram: {
      network: network(['https://api.qinghe-flower.cn']),
      categories: [
        { first: '生活服务', second: '鲜花' },
        { first: '商家自营', second: '礼品' },
      ],
    },
  },
  {
    appid: 'wx0e5c8a7b2f9d3164',
    kind: 'mini_program',
    userName: 'gh_7d1a4e3c9b20',
    nickName: '青禾花园消消乐',
    principalName: '上海青禾互动娱乐有限公司',
    headImg: avatar('Gm7Tq1Zx5Wr9Yv3Bn6Lk0Jh2Fd8Sc4Pa1Ee7Rt'),
    qrcodeUrl: qrcode('Ld8pV2wQ5tR1yN7bZ4mH0xK3jC6gS9aF'),
    alias: '',
    signature: '轻松休闲的花园主题消除小游戏。',
    serviceTypeId: 4,
    verifyTypeId: 0,
    accountStatus: 1,
    grantableFuncIds: [17, 18, 19, 30, 31],
    miniProgram: {
      network: network(['https://game.qinghe-play.cn']),
      categories: [{ first: '游戏', second: '休闲游戏' }],
    },
  },
  {
    appid: 'wx4f1b7e2c9a6d8053',
    kind: 'channels',
    userName: 'gh_e6b0d3a85f12',
    nickName: '青禾花艺',
    principalName: COMPANY,
    headImg: avatar('Jw2Bx6Nv0Qm4Tr8Yk1Zl5Hp9Gd3Fc7Sa2Ee6Ru'),
    qrcodeUrl: qrcode('Mz5tC8qW2vR0yL6bX3nH9jK1gD4sF7aP'),
    alias: '',
    signature: '每天分享一束花的故事。',
    serviceTypeId: 0,
    verifyTypeId: 0,
    accountStatus: 1,
    grantableFuncIds: [143, 160, 176, 177],
  },
  {
    appid: 'wx9a2c5e8f1b4d7036',
    kind: 'store',
    userName: 'gh_3b8f2d6e0c19',
    nickName: '青禾花艺旗舰店',
    principalName: COMPANY,
    headImg: avatar('Rt5Yp9Wk3Zm7Xq1Bv4Nl8Jc2Hf6Gd0Sa3Ee9Ru'),
    qrcodeUrl: qrcode('Nq7wB1tR4yV8mZ2hX5cL0jK3gS6dF9aP'),
    alias: '',
    signature: '青禾花艺官方微信小店。',
    serviceTypeId: 0,
    verifyTypeId: 0,
    accountStatus: 1,
    grantableFuncIds: [70, 71, 84, 175],
  },
  {
    appid: 'wx1c6f9b3e8d2a5047',
    kind: 'sales_assistant',
    userName: 'gh_a40e7c2b9d61',
    nickName: '青禾好物带货助手',
    principalName: '个人',
    headImg: avatar('Yk8Tq2Wz6Xm0Bv3Nr7Lp1Jh5Gf9Dc4Sa8Ee2Ru'),
    qrcodeUrl: qrcode('Wr2tB6qN9yV1mZ5hL8cX3jK0gS7dF4aP'),
    alias: '',
    signature: '好物推荐。',
    serviceTypeId: 0,
    verifyTypeId: 0,
    accountStatus: 1,
    grantableFuncIds: [176, 177],
  },
];
