// The portal's one stylesheet, served same-origin under a content-hashed URL so browsers may keep
// it forever. System fonts only: nothing is fetched from anywhere else. Colours keep a contrast of
// at least 4.5:1 against their backgrounds (WCAG AA), and every focusable element shows its focus.
import { createHash } from 'node:crypto';
import { PORTAL_PREFIX } from './paths.js';

export const STYLESHEET = `
:root { --ink: #1b1f24; --muted: #4b5563; --line: #d0d5dd; --page: #f4f5f7; --card: #ffffff;
  --accent: #0a56c2; --accent-ink: #ffffff; --danger: #a4161a; --focus: #0a56c2;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: var(--ink); background: var(--page); }
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -10000px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: .5rem; top: .5rem; z-index: 10; }
header.top { background: #14213d; color: #ffffff; }
header.top .bar { max-width: 1200px; margin: 0 auto; padding: .6rem 1.25rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; }
header.top a { color: #ffffff; }
.brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
header.top nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
.who form { margin: 0; }
header.top button.link { background: none; border: 1px solid #ffffff; color: #ffffff; border-radius: 6px; padding: .25rem .7rem; font: inherit; cursor: pointer; }
.clock { background: #fff4ce; border-bottom: 1px solid #e3c65a; }
.clock .bar { max-width: 1200px; margin: 0 auto; padding: .45rem 1.25rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.clock-now { margin: 0; }
.on-dark { color: #e8eaed; font-size: .85rem; }
.clock form { display: flex; gap: .5rem; align-items: center; margin: 0; flex-wrap: wrap; }
.clock input { width: 6rem; }
main { max-width: 1200px; margin: 0 auto; padding: 1.25rem; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
h1 .mono { font-size: 1.3rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
caption { text-align: left; font-weight: 600; padding: 0 0 .5rem; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:hover { background: #f0f4fb; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 10px; background: var(--card); }
.table-wrap table { border: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; border: 1px solid; white-space: nowrap; }
.badge.AUTHORIZED { color: #0b4f9c; background: #e7f0fd; }
.badge.PART_CAPTURED { color: #6b4500; background: #fff3d6; }
.badge.CAPTURED { color: #17612b; background: #e4f6e8; }
.badge.CANCELLED, .badge.EXPIRED { color: #474d57; background: #eef0f3; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
.field { display: flex; flex-direction: column; gap: .25rem; }
label { font-weight: 600; font-size: .9rem; }
.hint { color: var(--muted); font-size: .85rem; }
input, select { font: inherit; padding: .4rem .55rem; border: 1px solid #7b8494; border-radius: 6px; background: #ffffff; color: var(--ink); }
input[aria-invalid="true"] { border-color: var(--danger); border-width: 2px; }
button, .button { font: inherit; font-weight: 600; padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #ffffff; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
button:disabled, input:disabled { background: #eef0f3; border-color: #c4c9d2; color: #474d57; cursor: not-allowed; }
.actions { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 1rem; }
.actions form { display: flex; flex-direction: column; justify-content: space-between; gap: .5rem; align-items: flex-start; margin: 0; }
.notice { border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; border: 1px solid; }
.notice.error { background: #fdecea; border-color: #a4161a; color: #6e0f12; }
.notice.ok { background: #e4f6e8; border-color: #17612b; color: #0f4a20; }
.error-text { color: var(--danger); font-size: .9rem; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
.timeline { list-style: none; margin: 0; padding: 0; }
.timeline li { border-left: 3px solid var(--line); padding: .1rem 0 .9rem 1rem; position: relative; }
.timeline .what { font-weight: 600; }
.timeline .meta { color: var(--muted); font-size: .85rem; }
.login { max-width: 380px; margin: 8vh auto; }
.login form { display: flex; flex-direction: column; gap: .9rem; }
.confirm { max-width: 560px; }
.confirm .buttons { display: flex; gap: 1rem; align-items: center; margin-top: 1rem; }
.empty { color: var(--muted); padding: 1rem 0; }
.badge.delivery-delivered { color: #17612b; background: #e4f6e8; }
.badge.delivery-pending { color: #6b4500; background: #fff3d6; }
.badge.delivery-failed { color: #8a1116; background: #fdecea; }
.badge.delivery-cancelled { color: #474d57; background: #eef0f3; }
h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
.endpoint-url { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 1rem; overflow-wrap: anywhere; }
.endpoint-head { display: flex; flex-wrap: wrap; gap: 1rem; justify-content: space-between; align-items: flex-start; }
.endpoint-head form { margin: 0; }
.attempts { list-style: none; margin: 0; padding: 0; }
.attempts li { margin-bottom: .3rem; }
.attempts .hint { display: block; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.ok-text { color: #17612b; font-size: .9rem; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: .5rem 1rem .75rem; }
legend { font-weight: 600; font-size: .9rem; padding: 0 .25rem; }
.checks { display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; }
.checks label { font-weight: 400; display: inline-flex; gap: .35rem; align-items: center; }
.add-endpoint { display: flex; flex-direction: column; gap: .9rem; align-items: flex-start; }
.add-endpoint input[type="url"] { max-width: 100%; }
code.secret { font-size: 1rem; overflow-wrap: anywhere; user-select: all; }
`;

/** Changes whenever the stylesheet does, so the URL can be cached for good. */
export const STYLESHEET_PATH = `${PORTAL_PREFIX}/assets/portal-${createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12)}.css`;
