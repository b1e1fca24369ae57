// The staff workspace: sign-in, My work, the counterparty page and the receivable page. Plain ES
// modules served by creditflow itself; every action calls the API and shows its answer.
import { ApiFailure, api, setCsrfToken } from './api.js';
import { formatMoney } from './format.js';
import { translator } from './i18n.js';

let session = null;
let lang = 'zh-CN';
let t = translator(lang);

/** An element: h('p', { class: 'x' }, 'text', child…). Text is always text, never HTML. */
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

const main = () => document.getElementById('main');
const money = (minor, currency) =>
  minor === null || minor === undefined ? '—' : formatMoney(minor, currency ?? 'CNY', lang);
const day = (iso) => (iso ? String(iso).slice(0, 10) : '—');
const status = (text) => {
  document.getElementById('status').textContent = text;
};
let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

function setLanguage(language) {
  lang = language === 'en' ? 'en' : 'zh-CN';
  t = translator(lang);
  document.documentElement.lang = lang;
}

function nav() {
  const n = document.getElementById('nav');
  n.replaceChildren();
  const langId = 'language-select';
  const select = h(
    'select',
    {
      id: langId,
      onchange: async (e) => {
        setLanguage(e.target.value);
        if (session) await api('PUT', '/v1/me/language', { language: lang }).catch(() => {});
        route();
      },
    },
    h('option', { value: 'zh-CN', selected: lang === 'zh-CN' }, '中文'),
    h('option', { value: 'en', selected: lang === 'en' }, 'English'),
  );
  n.append(h('label', { for: langId }, t('language')), select);
  if (session) {
    n.prepend(h('a', { href: '#/' }, t('myWork')));
    n.append(
      h('span', { class: 'who' }, `${session.principal.displayName} (${session.principal.role})`),
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: async () => {
            await api('POST', '/app/sign-out', {}).catch(() => {});
            session = null;
            setCsrfToken('');
            location.hash = '#/';
            route();
          },
        },
        t('signOut'),
      ),
    );
  }
}

function signInPage() {
  const answer = h('p', { id: 'sign-in-answer', role: 'alert' });
  const form = h(
    'form',
    {
      id: 'sign-in',
      onsubmit: async (e) => {
        e.preventDefault();
        const data = new FormData(form);
        try {
          const s = await api('POST', '/app/sign-in', {
            username: data.get('username'),
            password: data.get('password'),
          });
          session = s;
          setCsrfToken(s.csrfToken);
          if (s.language) setLanguage(s.language);
          route();
        } catch (err) {
          answer.textContent = err.status === 401 ? t('wrong') : err.message;
        }
      },
    },
    h('h1', {}, t('signIn')),
    h('label', { for: 'username' }, t('username')),
    h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true }),
    h('label', { for: 'password' }, t('password')),
    h('input', {
      id: 'password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    }),
    h('button', { type: 'submit' }, t('signIn')),
    answer,
  );
  main().replaceChildren(form);
}

/** A small form for one action: fields, buttons (each its own body), and the API's answer beside it. */
function actionForm(name, fields, buttons) {
  const out = h('output', { class: 'answer', 'aria-live': 'polite' });
  const form = h('form', { class: 'action', 'data-action': name, onsubmit: (e) => e.preventDefault() });
  const inputs = {};
  for (const f of fields) {
    const id = nextId(f.name);
    inputs[f.name] = h(f.multiline ? 'textarea' : 'input', {
      id,
      name: f.name,
      type: f.type ?? 'text',
      value: f.value,
      rows: f.multiline ? 2 : undefined,
    });
    if (f.value !== undefined && f.multiline) inputs[f.name].value = f.value;
    form.append(h('label', { for: id }, f.label), inputs[f.name]);
  }
  for (const b of buttons)
    form.append(
      h(
        'button',
        {
          type: 'button',
          'data-do': b.key,
          onclick: async () => {
            const values = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value]));
            out.textContent = '…';
            try {
              const answer = await b.call(values);
              out.textContent = `${t('answer')}: ${b.describe ? b.describe(answer) : 'OK'}`;
              out.dataset.ok = 'true';
            } catch (err) {
              out.textContent = `${t('answer')}: ${err instanceof ApiFailure ? err.message : String(err)}`;
              out.dataset.ok = 'false';
            }
          },
        },
        t(b.key),
      ),
    );
  form.append(out);
  return form;
}

const stageOf = (r) => `${t('stage')}: ${r.stage}`;
const linkTo = (kind, id, text) => h('a', { href: `#/${kind}/${encodeURIComponent(id)}` }, text ?? id);

function workItem(kind, item, role) {
  const readOnly = role === 'auditor' || role === 'admin';
  const li = h('li', {
    class: 'work-item',
    'data-kind': kind,
    'data-id': item.receivableId ?? item.id ?? item.key,
  });
  const state = item.state ?? {};
  const checks = state.checks ?? null;
  if (kind === 'vote' || kind === 'manager-review') {
    li.append(
      h(
        'h3',
        {},
        linkTo('receivable', item.receivableId),
        ' — ',
        linkTo('counterparty', item.counterpartyId, item.counterpartyName),
      ),
      h(
        'dl',
        {},
        h('dt', {}, t('amount')),
        h('dd', {}, money(item.amountMinor, item.currency)),
        h('dt', {}, t('recommendation')),
        h('dd', {}, checks?.recommendation ?? '—'),
        h('dt', {}, t('findings')),
        h('dd', {}, checks?.findings?.length ? checks.findings.join('; ') : '—'),
        h('dt', {}, t('available')),
        h('dd', {}, money(checks?.availableMinor, item.currency)),
        h('dt', {}, t('exposure')),
        h('dd', {}, money(checks?.exposureMinor, item.currency)),
        h('dt', {}, t('since')),
        h('dd', {}, day(item.since)),
      ),
    );
    if (!readOnly) {
      const department = kind === 'manager-review' ? 'manager' : role;
      const terms = department === 'finance' || department === 'manager';
      const fields = [
        ...(terms
          ? [
              {
                name: 'approvedAmountMinor',
                label: t('approvedAmount'),
                type: 'number',
                value: item.amountMinor,
              },
              {
                name: 'approvedTermDays',
                label: t('approvedTerm'),
                type: 'number',
                value: state.application?.requestedTermDays ?? 30,
              },
            ]
          : []),
        { name: 'reason', label: t('reason') },
      ];
      const decide = (approve) => (v) =>
        api('POST', `/v1/receivables/${encodeURIComponent(item.receivableId)}/decisions`, {
          department,
          approve,
          ...(v.reason ? { reason: v.reason } : {}),
          ...(approve && terms
            ? {
                approvedAmountMinor: Number(v.approvedAmountMinor),
                approvedTermDays: Number(v.approvedTermDays),
              }
            : {}),
        });
      li.append(
        actionForm('decide', fields, [
          { key: 'approve', call: decide(true), describe: stageOf },
          { key: 'reject', call: decide(false), describe: stageOf },
        ]),
      );
    }
  } else if (
    kind === 'late-reason' ||
    kind === 'legal' ||
    kind === 'debtor-payment' ||
    kind === 'debtor-dispute'
  ) {
    const d = item.detail ?? {};
    li.append(
      h(
        'h3',
        {},
        item.receivableId ? linkTo('receivable', item.receivableId) : '',
        ' — ',
        item.counterpartyId ? linkTo('counterparty', item.counterpartyId, item.counterpartyName) : '',
      ),
      h(
        'dl',
        {},
        kind === 'legal' ? [h('dt', {}, t('outstanding')), h('dd', {}, money(d.outstandingMinor))] : [],
        kind === 'legal'
          ? [
              h('dt', {}, t('deadline')),
              h(
                'dd',
                {},
                d.confirmBy ? `${d.confirmBy.slice(0, 16).replace('T', ' ')} UTC` : (item.dueOn ?? '—'),
              ),
            ]
          : [],
        kind === 'legal'
          ? [
              h('dt', {}, t('otherwise')),
              h(
                'dd',
                {},
                `${t(item.onDeadline === 'hold' ? 'otherwiseHeld' : 'otherwiseLegal')}${d.terminateCooperation ? ' · terminate cooperation' : ''}${d.litigation ? ' · litigation' : ''}`,
              ),
            ]
          : [],
        kind === 'late-reason' ? [h('dt', {}, t('due')), h('dd', {}, day(d.dueDate))] : [],
        kind === 'debtor-payment'
          ? [
              h('dt', {}, t('paidOn')),
              h('dd', {}, d.paidOn ?? '—'),
              h('dt', {}, t('amount')),
              h('dd', {}, money(d.amountMinor, d.currency)),
              h('dt', {}, t('reference')),
              h('dd', {}, d.reference ?? '—'),
            ]
          : [],
        kind === 'debtor-dispute' ? [h('dt', {}, t('reason')), h('dd', {}, d.reason ?? '—')] : [],
        h('dt', {}, t('since')),
        h('dd', {}, day(item.since)),
      ),
    );
    if (!readOnly) {
      const id = encodeURIComponent(item.receivableId ?? '');
      if (kind === 'late-reason')
        li.append(
          actionForm(
            'late-reason',
            [{ name: 'reason', label: t('reason'), multiline: true }],
            [
              {
                key: 'record',
                call: (v) => api('POST', `/v1/receivables/${id}/late-reasons`, { reason: v.reason }),
                describe: stageOf,
              },
            ],
          ),
        );
      else if (kind === 'legal')
        li.append(
          actionForm(
            'legal',
            [{ name: 'note', label: t('note'), multiline: true }],
            [
              {
                key: 'confirm',
                call: (v) =>
                  api('POST', `/v1/receivables/${id}/legal-confirmation`, { proceed: true, note: v.note }),
                describe: stageOf,
              },
              {
                key: 'hold',
                call: (v) =>
                  api('POST', `/v1/receivables/${id}/legal-confirmation`, { proceed: false, note: v.note }),
                describe: stageOf,
              },
            ],
          ),
        );
      else if (kind === 'debtor-payment')
        li.append(
          actionForm(
            'debtor-payment',
            [{ name: 'note', label: t('note'), multiline: true }],
            [
              {
                // Found in the bank: the payment is recorded as claimed (its id the claim's), then the task is done.
                key: 'recordPayment',
                call: async (v) => {
                  const paid = await api('POST', `/v1/receivables/${id}/payments`, {
                    paymentId: `claim-${d.claimId}`,
                    amountMinor: d.amountMinor,
                    paidOn: d.paidOn,
                  });
                  await api('POST', '/v1/debtor-tasks/done', {
                    key: item.key,
                    note: v.note || 'payment found in the bank and recorded',
                  });
                  return paid;
                },
                describe: (a) => `${t('outstanding')} ${money(a.outstandingMinor, d.currency)}`,
              },
              {
                key: 'done',
                call: (v) => api('POST', '/v1/debtor-tasks/done', { key: item.key, note: v.note }),
              },
            ],
          ),
        );
      else
        li.append(
          actionForm(
            'debtor-dispute',
            [{ name: 'note', label: t('note'), multiline: true }],
            [
              {
                // Resolved: escalation resumes where it stood, and the task is done.
                key: 'resolve',
                call: async (v) => {
                  const r = await api('POST', `/v1/receivables/${id}/valid-reasons/end`, { note: v.note });
                  await api('POST', '/v1/debtor-tasks/done', { key: item.key, note: v.note });
                  return r;
                },
                describe: stageOf,
              },
              {
                key: 'done',
                call: (v) => api('POST', '/v1/debtor-tasks/done', { key: item.key, note: v.note }),
              },
            ],
          ),
        );
    }
  } else if (kind === 'score-warning') {
    // A customer's worsening score (docs/scores.md): before and after, and why.
    const d = item.detail ?? {};
    const shown = (x) => `${x?.customerClass ?? '—'} (${x?.score ?? '—'})`;
    li.append(
      h(
        'h3',
        {},
        item.counterpartyId ? linkTo('counterparty', item.counterpartyId, item.counterpartyName) : '',
      ),
      h(
        'dl',
        {},
        h('dt', {}, t('scoreBefore')),
        h('dd', {}, shown(d.before)),
        h('dt', {}, t('scoreAfter')),
        h('dd', {}, shown(d.after)),
        h('dt', {}, t('reason')),
        h('dd', {}, (d.reasons ?? []).join('; ') || '—'),
        h('dt', {}, t('since')),
        h('dd', {}, day(item.since)),
      ),
    );
    // The credit desk closes it once looked into; a salesperson sees it.
    if (role === 'credit-desk')
      li.append(
        actionForm(
          'score-warning',
          [{ name: 'note', label: t('note'), multiline: true }],
          [
            {
              key: 'done',
              call: (v) => api('POST', '/v1/score-warnings/done', { key: item.key, note: v.note }),
            },
          ],
        ),
      );
  } else if (kind === 'dealer-continuation') {
    const d = item.detail ?? {};
    li.append(
      h(
        'h3',
        {},
        linkTo('counterparty', d.dealerId, item.counterpartyName ?? d.dealerId),
        ` — ${d.quarter} · ${d.previousGrade ?? ''} → ${d.grade}`,
      ),
      h('p', {}, `${t('deadline')}: ${item.dueOn ?? '—'}`),
    );
    if (!readOnly) {
      const call = (decision) => (v) =>
        api(
          'POST',
          `/v1/dealers/${encodeURIComponent(d.dealerId)}/continuation-decision/${encodeURIComponent(d.quarter)}`,
          { decision, reason: v.reason },
        );
      li.append(
        actionForm(
          'continuation',
          [{ name: 'reason', label: t('reason'), multiline: true }],
          [
            { key: 'continue', call: call('continue'), describe: (a) => a.decision },
            { key: 'stop-supply', call: call('stop-supply'), describe: (a) => a.decision },
            { key: 'end-contract', call: call('end-contract'), describe: (a) => a.decision },
          ],
        ),
      );
    }
  } else if (kind === 'limit-proposal') {
    li.append(
      h('h3', {}, `${item.salespersonName} (${item.salespersonId})`),
      h(
        'p',
        {},
        `${money(item.previousLimitMinor)} → ${money(item.proposedLimitMinor)} · ${item.evaluation} · ${item.proposedBy}`,
      ),
    );
    if (!readOnly) {
      const call = (approve) => (v) =>
        api(
          'POST',
          `/v1/salespeople/${encodeURIComponent(item.salespersonId)}/limit-proposals/${encodeURIComponent(item.id)}/decision`,
          { approve, reason: v.reason },
        );
      li.append(
        actionForm(
          'limit',
          [{ name: 'reason', label: t('reason'), multiline: true }],
          [
            { key: 'approve', call: call(true), describe: (a) => a.status },
            { key: 'reject', call: call(false), describe: (a) => a.status },
          ],
        ),
      );
    }
  } else if (kind === 'review') {
    li.append(
      h('h3', {}, `${item.salespersonName} (${item.salespersonId}) — ${item.quarter}`),
      h('p', {}, `${JSON.stringify(item.proposedActions)} · ${money(item.proposedLimitMinor)}`),
    );
    if (!readOnly)
      li.append(
        actionForm(
          'review',
          [{ name: 'note', label: t('note'), multiline: true }],
          [
            {
              key: 'accept',
              call: (v) =>
                api(
                  'POST',
                  `/v1/salesperson-reviews/${encodeURIComponent(item.quarter)}/${encodeURIComponent(item.salespersonId)}/decision`,
                  { accept: true, note: v.note },
                ),
              describe: (a) => a.status,
            },
          ],
        ),
      );
  }
  return li;
}

async function myWorkPage() {
  const work = await api('GET', '/v1/my-work');
  const root = h('div', { id: 'my-work' }, h('h1', {}, t('myWork')));
  if (work.role === 'auditor' || work.role === 'admin') root.append(h('p', { class: 'note' }, t('readOnly')));
  const total = Object.values(work.counts).reduce((a, b) => a + b, 0);
  if (total === 0) root.append(h('p', {}, t('nothing')));
  for (const section of work.sections) {
    const headingId = `section-${section.kind}`;
    root.append(
      h(
        'section',
        { 'aria-labelledby': headingId, 'data-section': section.kind },
        h(
          'h2',
          { id: headingId },
          `${t(section.kind)} `,
          h('span', { class: 'count', 'data-count': section.items.length }, `(${section.items.length})`),
        ),
        section.items.length
          ? h(
              'ol',
              {},
              section.items.map((i) => workItem(section.kind, i, work.role)),
            )
          : h('p', {}, t('none')),
      ),
    );
  }
  main().replaceChildren(root);
}

function timelineTable(tl) {
  return h(
    'div',
    { class: 'timeline', 'data-receivable': tl.receivableId },
    h(
      'table',
      {},
      h('caption', {}, `${t('timeline')} — ${tl.receivableId}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('step')),
          h('th', { scope: 'col' }, t('planned')),
          h('th', { scope: 'col' }, t('taken')),
        ),
      ),
      h(
        'tbody',
        {},
        tl.steps.map((s) =>
          h(
            'tr',
            { 'data-step': s.step },
            h('td', {}, s.step),
            h('td', {}, s.plannedOn ?? '—'),
            h('td', {}, s.takenAt ? day(s.takenAt) : '—'),
          ),
        ),
      ),
    ),
    h('p', { class: 'next' }, `${t('next')}: ${tl.next ? `${tl.next.step} ${tl.next.on ?? ''}` : t('none')}`),
    h(
      'p',
      { class: 'pause', 'data-pause': tl.pause?.kind ?? '' },
      `${t('pause')}: ${tl.pause ? `${tl.pause.kind}${tl.pause.promisedBy ? ` → ${tl.pause.promisedBy}` : ''} · ${tl.pause.reason} · ${tl.pause.by} · ${tl.pause.since}` : t('none')}`,
    ),
  );
}

function recordList(events) {
  return h(
    'ol',
    { class: 'record' },
    events.map((e) =>
      h(
        'li',
        { 'data-event': e.eventType },
        h('time', { datetime: e.recordedAt }, day(e.recordedAt)),
        ` ${e.eventType} · ${e.source}`,
      ),
    ),
  );
}

async function counterpartyPage(id) {
  const [cp, list] = await Promise.all([
    api('GET', `/v1/counterparties/${encodeURIComponent(id)}`),
    api('GET', `/v1/receivables?counterpartyId=${encodeURIComponent(id)}&limit=100`),
  ]);
  const open = list.items.filter((r) => !['paid', 'rejected', 'written-off'].includes(r.stage));
  const timelines = await Promise.all(
    open
      .filter((r) => r.dueDate)
      .map((r) => api('GET', `/v1/receivables/${encodeURIComponent(r.id)}/timeline`)),
  );
  const root = h(
    'div',
    { id: 'counterparty', 'data-id': cp.id },
    h('h1', {}, `${t('counterparty')}: ${cp.name}`),
    h(
      'dl',
      {},
      h('dt', {}, t('grade')),
      h('dd', {}, cp.creditGrade ?? cp.customerClass ?? '—'),
      h('dt', {}, t('limit')),
      h('dd', {}, money(cp.creditLimitMinor)),
      h('dt', {}, t('exposure')),
      h('dd', {}, money(cp.exposureMinor)),
      h('dt', {}, t('available')),
      h('dd', {}, money(cp.availableMinor)),
      h('dt', {}, t('term')),
      h('dd', {}, cp.maxTermDays ?? cp.termDays ?? '—'),
      h('dt', {}, t('supply')),
      h(
        'dd',
        {},
        cp.supplyStopped
          ? `${t('supplyStopped')} ${(cp.supplyBlocks ?? []).map((b) => b.reason ?? b.source ?? '').join('; ')}`
          : t('supplyOn'),
      ),
    ),
    h('h2', {}, t('openReceivables')),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [t('receivable'), t('stage'), t('due'), t('outstanding')].map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        open.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, linkTo('receivable', r.id)),
            h('td', {}, r.stage),
            h('td', {}, day(r.dueDate)),
            h('td', {}, money(r.outstandingMinor, r.currency)),
          ),
        ),
      ),
    ),
    timelines.map(timelineTable),
    h('h2', {}, t('record_')),
    recordList(cp.history ?? []),
  );
  main().replaceChildren(root);
}

async function receivablePage(id) {
  const e = encodeURIComponent(id);
  const [r, rec, tl] = await Promise.all([
    api('GET', `/v1/receivables/${e}`),
    api('GET', `/v1/receivables/${e}/record`),
    api('GET', `/v1/receivables/${e}/timeline`),
  ]);
  const reasons = [
    ...(r.validReason
      ? [
          `${r.validReason.kind}: ${r.validReason.reason}${r.validReason.promisedBy ? ` → ${r.validReason.promisedBy}` : ''}`,
        ]
      : []),
    ...(r.lateReasons ?? []).map((l) => `${l.on}: ${l.reason}`),
  ];
  const payments = Object.entries(r.paymentResults ?? {});
  const root = h(
    'div',
    { id: 'receivable', 'data-id': r.receivableId },
    h('h1', {}, `${t('receivable')}: ${r.receivableId}`),
    h(
      'dl',
      {},
      h('dt', {}, t('stage')),
      h('dd', { 'data-stage': r.stage }, r.stage),
      h('dt', {}, t('counterparty')),
      h('dd', {}, linkTo('counterparty', r.application?.counterpartyId)),
      h('dt', {}, t('amount')),
      h('dd', {}, money(r.approvedMinor ?? r.application?.amountMinor, r.application?.currency)),
      h('dt', {}, t('outstanding')),
      h('dd', {}, money(r.outstandingMinor, r.application?.currency)),
      h('dt', {}, t('due')),
      h('dd', {}, day(r.dueDate)),
    ),
    h(
      'p',
      {},
      h(
        'a',
        { href: tl.temporalUrl, id: 'temporal-link', rel: 'noopener' },
        `${t('history')} (${tl.temporalWorkflowId})`,
      ),
    ),
    timelineTable(tl),
    h('h2', {}, t('payments')),
    payments.length
      ? h(
          'ul',
          {},
          payments.map(([pid, p]) =>
            h('li', {}, `${pid}: ${money(p.amountMinor, r.application?.currency)} · ${p.paidOn}`),
          ),
        )
      : h('p', {}, t('none')),
    h('h2', {}, t('reasons')),
    reasons.length
      ? h(
          'ul',
          { id: 'reasons' },
          reasons.map((x) => h('li', {}, x)),
        )
      : h('p', {}, t('none')),
    h('h2', {}, t('record_')),
    recordList(rec.events),
  );
  main().replaceChildren(root);
}

async function route() {
  nav();
  if (!session) return signInPage();
  const [, kind, id] = /^#\/(counterparty|receivable)\/(.+)$/.exec(location.hash) ?? [];
  try {
    if (kind === 'counterparty') await counterpartyPage(decodeURIComponent(id));
    else if (kind === 'receivable') await receivablePage(decodeURIComponent(id));
    else await myWorkPage();
    status('');
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      session = null;
      return route();
    }
    main().replaceChildren(
      h('p', { role: 'alert', class: 'error' }, err.status === 404 ? t('notFound') : err.message),
    );
  }
  main().focus();
}

async function start() {
  const s = await api('GET', '/app/session');
  setLanguage(
    s.language ??
      localStorage.getItem('cf-language') ??
      (navigator.language?.startsWith('en') ? 'en' : 'zh-CN'),
  );
  if (s.signedIn) {
    session = s;
    setCsrfToken(s.csrfToken);
  }
  window.addEventListener('hashchange', route);
  await route();
}

start();
