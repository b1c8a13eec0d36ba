/** A stand-in avatar for the gallery: WeChat's avatar host (wx.qlogo.cn) is out of reach here. */
export const AVATAR_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#f2c94c"/>' +
  '<circle cx="48" cy="38" r="18" fill="#fff"/><rect x="18" y="62" width="60" height="34" rx="17" fill="#fff"/></svg>';

export const AVATAR_DATA_URL = `data:image/svg+xml,${encodeURIComponent(AVATAR_SVG)}`;
