/**
 * The console's two static files, served by the function itself (no CDN): one small script (the
 * sign-in page's polling, confirmations before changes) and one stylesheet. Their names carry a
 * hash of their content, so browsers keep them for a year and a new deployment is a new name; the
 * pages' CSP allows scripts and styles from our own origin only, and no inline script or style.
 */
import { createHash } from 'node:crypto';
import { AUTHORIZERS_CSS } from './authorizersScreen';
import { SHIPPING_CSS } from './shippingStyle';

const SCRIPT = `(function () {
  'use strict';
  var signin = document.getElementById('signin');
  if (signin) poll(signin);
  // Buttons that change something ask first, in the words of their data-confirm.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function show(id) {
    var states = signin.querySelectorAll('[data-state]');
    for (var i = 0; i < states.length; i++) states[i].hidden = states[i].getAttribute('data-state') !== id;
  }

  function poll(box) {
    var url = box.getAttribute('data-poll');
    var stopped = false;
    function again(ms) { if (!stopped) setTimeout(ask, ms); }
    function ask() {
      fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'x-console-poll': '1' } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.state === 'approved') { stopped = true; show('approved'); window.location.assign(answer.next); return; }
          if (answer.state === 'expired' || answer.state === 'denied') { stopped = true; show(answer.state); return; }
          show(answer.state);
          again(1500);
        })
        .catch(function () { show('offline'); again(4000); });
    }
    again(1000);
  }
})();
`;

const STYLE = `${AUTHORIZERS_CSS}${SHIPPING_CSS}*{box-sizing:border-box}
body{margin:0;min-width:1280px;background:#f2f3f5;color:#1f2329;font:14px/1.6 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif}
a{color:#1677ff;text-decoration:none}a:hover{text-decoration:underline}
.shell{display:grid;grid-template-columns:208px 1fr;min-height:100vh}
.side{background:#1f2329;color:#c9cdd4;padding:20px 0}
.side h1{font-size:16px;color:#fff;margin:0 20px 20px}
.side nav a{display:block;padding:11px 20px;color:#c9cdd4}
.side nav a[aria-current=page]{background:#07c160;color:#fff}
.side nav a:hover{text-decoration:none;background:#2f3540}
.main{padding:0 32px 40px}
.top{display:flex;justify-content:space-between;align-items:center;height:64px;border-bottom:1px solid #e5e6eb;margin-bottom:24px}
.top h2{margin:0;font-size:20px}
.who{display:flex;gap:12px;align-items:center;color:#646a73}
.who form{margin:0}
button,.button{font:inherit;min-height:44px;border:1px solid #c9cdd4;background:#fff;color:#1f2329;border-radius:6px;padding:6px 16px;cursor:pointer}
.pager a,.login a{display:inline-flex;align-items:center;min-height:44px}
button.primary{background:#07c160;border-color:#07c160;color:#fff}
.summary{padding:16px 20px;border-radius:8px;margin-bottom:20px;font-size:16px;background:#e8f8ef;color:#0a7a3e}
.summary.attention{background:#fff3e8;color:#b35900}
.notice{padding:12px 16px;border-radius:8px;margin-bottom:16px;background:#e8f3ff;color:#0e4e9b}
.notice.failed{background:#ffece8;color:#a1151e}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}
.card{background:#fff;border-radius:8px;padding:16px 20px;border-top:4px solid #07c160}
.card.warn{border-top-color:#ff8f1f}.card.bad{border-top-color:#f53f3f}
.card h3{margin:0 0 4px;font-size:15px;display:flex;justify-content:space-between}
.card .state{font-size:13px;color:#07c160}.card.warn .state{color:#ff8f1f}.card.bad .state{color:#f53f3f}
.card p{margin:6px 0;color:#4e5969}.card .fix{color:#1f2329}.card code{background:#f2f3f5;padding:1px 6px;border-radius:4px}
.card form{margin-top:8px}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:10px 14px;border-bottom:1px solid #f2f3f5}th{background:#fafafa;color:#646a73;font-weight:500}
td.failed{color:#f53f3f}td.started{color:#ff8f1f}
.pager{display:flex;gap:16px;align-items:center;margin-top:16px;color:#646a73}
.problems{list-style:none;margin:-12px 0 20px;padding:0;background:#fff;border-radius:0 0 8px 8px}
.problems li{padding:12px 20px;border-top:1px solid #f2f3f5}.problems p{margin:2px 0;color:#4e5969}.problems .fix{color:#1f2329}
h3.section{font-size:16px;margin:28px 0 12px}.hint{color:#86909c;font-size:13px}
.tone-ok{color:#07c160}.tone-warn{color:#ff8f1f}.tone-bad{color:#f53f3f}.tone-muted{color:#86909c}
td code,li code{background:#f2f3f5;padding:1px 6px;border-radius:4px;font-size:13px}
.time,table.usage th,.refusals th,.refusals td:first-child{white-space:nowrap}.refusals td:last-child{min-width:360px}
table.usage{table-layout:fixed}table.usage th{width:8%}table.usage th:first-child{width:32%}table.usage th:nth-child(5){width:26%}table.usage th:last-child{width:18%}
.caller-usage h3{font-size:14px;margin:16px 0 8px}.caller-usage small{color:#86909c;font-weight:400}
.placeholder{background:#fff;border-radius:8px;padding:40px;text-align:center;color:#646a73}
.login{max-width:420px;margin:10vh auto;background:#fff;border-radius:12px;padding:32px;text-align:center;box-shadow:0 2px 12px rgba(0,0,0,.06)}
.login h1{font-size:20px;margin:0 0 8px}.login p{color:#646a73;margin:8px 0}
.qr{width:240px;height:240px;margin:16px auto}.qr svg{width:240px;height:240px}
.status{min-height:48px}.status .ok{color:#07c160}.status .bad{color:#f53f3f}
.local{margin-top:16px;padding-top:12px;border-top:1px dashed #e5e6eb;font-size:13px}
`;

export interface Asset {
  /** The file name, with the content's hash. */
  name: string;
  contentType: string;
  body: string;
}

function asset(base: string, ext: string, contentType: string, body: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { name: `${base}.${hash}.${ext}`, contentType, body };
}

export const CONSOLE_SCRIPT = asset('console', 'js', 'text/javascript; charset=utf-8', SCRIPT);
export const CONSOLE_STYLE = asset('console', 'css', 'text/css; charset=utf-8', STYLE);

const ASSETS = new Map([CONSOLE_SCRIPT, CONSOLE_STYLE].map((a) => [a.name, a]));

export const assetNamed = (name: string): Asset | undefined => ASSETS.get(name);
