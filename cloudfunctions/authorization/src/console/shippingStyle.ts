/** 发布到商家's styles (shippingScreen.ts), kept apart so the stylesheet (assets.ts) imports no page module. */
// No inline style on the pages: the CSP forbids it.
export const SHIPPING_CSS = `
.ship-section{margin:24px 0}.ship-section h3{font-size:16px;margin:0 0 10px}.ship-section h3 small{color:#86909c;font-weight:400;font-size:13px;margin-left:8px}
.ship-state{display:inline-block;padding:1px 10px;border-radius:10px;font-size:13px;font-weight:400;white-space:nowrap}
.console-ship-job .console-facts{display:grid;grid-template-columns:88px 1fr;gap:4px 12px;margin:0 0 16px}.console-ship-job .console-facts dd{margin:0}
.ship-merchants button,.ship-command button,.ship-merchants td.ship-stage{white-space:nowrap}.ship-fixer{color:#86909c}
.ship-running{background:#e8f3ff;color:#0e4e9b}.ship-paused{background:#fff3e8;color:#b35900}.ship-done{background:#e8f8ef;color:#0a7a3e}
.ship-jobs td p{margin:4px 0}.ship-todo{margin:0;padding-left:18px;color:#b35900}.ship-calm{margin:0;color:#0a7a3e}.ship-quota{color:#4e5969}
.ship-templates tr.ship-in-use td:first-child{font-weight:600}.ship-missing td{color:#a1151e}
.summary ul{margin:6px 0 0;padding-left:20px;font-size:14px}
.ship-notes{color:#4e5969;margin:0 0 16px}
.ship-panels{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.ship-commands{display:flex;flex-wrap:wrap;gap:12px}
.ship-command{display:flex;gap:8px;align-items:center;background:#fff;border-radius:8px;padding:10px 14px}
.ship-command input{font:inherit;height:36px;border:1px solid #c9cdd4;border-radius:6px;padding:0 8px;width:180px}
.ship-command input[type=number]{width:110px}
.ship-filters{display:flex;gap:16px;margin:0 0 10px}.ship-filters a[aria-current]{font-weight:600;color:#1f2329}
.ship-row-actions{display:flex;gap:6px}.ship-row-actions form{margin:0}button.small{padding:2px 12px}
.console-shipping a{display:inline-flex;align-items:center;min-height:44px;min-width:44px}
.ship-command label{display:inline-flex;align-items:center;gap:6px;min-height:44px}
.ship-tone-success{color:#0a7a3e}.ship-tone-danger{color:#d91f2a}.ship-tone-warning{color:#b35900}.ship-tone-primary{color:#0e4e9b}
progress{width:160px;vertical-align:middle}
`;
