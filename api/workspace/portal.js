// The debtor portal page: open items, a statement download, and three acts per item (promise to
// pay, dispute, "we have paid"), each posted to /portal/<token>/… and answered on the spot.
import { formatMoney } from './format.js';
import { translator } from './i18n.js';

const token = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const base = `/portal/${encodeURIComponent(token)}`;
const lang = document.documentElement.lang === 'en' ? 'en' : 'zh-CN';
const t = translator(lang);
let uid = 0;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function post(path, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
  return json;
}

function act(item, name, fields, body) {
  const out = h('output', { class: 'answer', 'aria-live': 'polite' });
  const inputs = {};
  const form = h('form', {
    class: 'action',
    'data-action': name,
    onsubmit: async (e) => {
      e.preventDefault();
      const v = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value]));
      out.textContent = '…';
      try {
        await post(`/receivables/${encodeURIComponent(item.receivableId)}/${name}`, body(v));
        out.textContent = t('thanks');
        out.dataset.ok = 'true';
      } catch (err) {
        out.textContent = err.message;
        out.dataset.ok = 'false';
      }
    },
  });
  const legend = { promise: 'promise', dispute: 'dispute', 'payment-claims': 'paidClaim' }[name];
  const fieldset = h('fieldset', {}, h('legend', {}, t(legend)));
  for (const f of fields) {
    const id = `${f.name}-${++uid}`;
    inputs[f.name] = h('input', {
      id,
      name: f.name,
      type: f.type ?? 'text',
      required: true,
      value: f.value,
      min: f.min,
      max: f.max,
    });
    fieldset.append(h('label', { for: id }, f.label), inputs[f.name]);
  }
  fieldset.append(h('button', { type: 'submit' }, t('send')), out);
  form.append(fieldset);
  return form;
}

const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function start() {
  const main = document.getElementById('main');
  const res = await fetch(`${base}/data`, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    const json = await res.json().catch(() => null);
    main.replaceChildren(h('h1', {}, json?.error?.message ?? `HTTP ${res.status}`));
    return;
  }
  const data = await res.json();
  const money = (m, c) => formatMoney(m, c, lang);
  const last = addDays(data.today, data.rules.promiseMaxDaysAhead);
  main.replaceChildren(
    h('h1', {}, `${data.counterparty.name} — ${t('openItems')}`),
    h('p', {}, `${t('linkExpires')} ${data.expiresAt.slice(0, 10)}`),
    h(
      'p',
      {},
      data.totals.map((x) => `${t('total')}: ${money(x.outstandingMinor, x.currency)}`).join(' · ') ||
        t('none'),
    ),
    h(
      'p',
      {},
      h('a', { href: data.statement.pdf, download: true, id: 'statement-pdf' }, t('statementPdf')),
      ' · ',
      h('a', { href: data.statement.csv, download: true, id: 'statement-csv' }, t('statementCsv')),
    ),
    h(
      'table',
      {},
      h('caption', {}, t('openItems')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [t('invoice'), t('issued'), t('due'), t('amount'), t('outstanding'), t('pause')].map((x) =>
            h('th', { scope: 'col' }, x),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        data.items.map((i) =>
          h(
            'tr',
            { 'data-id': i.receivableId },
            h('td', {}, i.receivableId),
            h('td', {}, i.issueDate ?? '—'),
            h('td', {}, i.dueDate ?? '—'),
            h('td', {}, money(i.amountMinor, i.currency)),
            h('td', {}, money(i.outstandingMinor, i.currency)),
            h('td', {}, i.pausedBy ?? '—'),
          ),
        ),
      ),
    ),
    ...data.items.map((i) =>
      h(
        'section',
        { class: 'item', 'data-id': i.receivableId, 'aria-label': `${t('invoice')} ${i.receivableId}` },
        h('h2', {}, `${t('invoice')} ${i.receivableId}`),
        act(
          i,
          'promise',
          [
            {
              name: 'promisedBy',
              label: `${t('promiseBy')} (${t('atMost')} ${data.rules.promiseMaxDaysAhead} ${t('daysAhead')})`,
              type: 'date',
              min: data.today,
              max: last,
              value: addDays(data.today, 7),
            },
          ],
          (v) => ({
            promisedBy: v.promisedBy,
          }),
        ),
        act(i, 'dispute', [{ name: 'reason', label: t('reason') }], (v) => ({ reason: v.reason })),
        act(
          i,
          'payment-claims',
          [
            { name: 'paidOn', label: t('paidOn'), type: 'date', value: data.today, max: data.today },
            {
              name: 'amountMinor',
              label: t('amountMinor'),
              type: 'number',
              value: i.outstandingMinor,
              min: 1,
            },
            { name: 'reference', label: t('reference') },
          ],
          (v) => ({ paidOn: v.paidOn, amountMinor: Number(v.amountMinor), reference: v.reference }),
        ),
      ),
    ),
  );
}

start();
