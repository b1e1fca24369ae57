/*
 * creditflow reports dashboard: fetches the /v1/reports/* JSON with the reader's API token and draws
 * each report with Chart.js (served from this API, no CDN). Every chart also has a table of its exact
 * figures: cells carry data-key and data-value (money in minor units, usage in bp) for people using
 * screen readers and for tests. Money is shown by domain/format.js, the formatter the server's mails and
 * reports use, which the API serves beside this script (an ES module).
 */
import { chartUnits, formatMoney } from './format.js';

(() => {
  const TOKEN_KEY = 'creditflow.dashboard.token';
  const FILTERS = ['asOf', 'by', 'from', 'to'];
  const BUCKET_COLORS = ['#4c8bf5', '#f5c04c', '#f59a4c', '#e5673e', '#b3261e'];
  const SERIES_COLORS = ['#4c8bf5', '#2e9d6a', '#e5673e', '#8b5cf6', '#f5c04c', '#0ea5b7'];
  const TOP = 20;
  const Chart = globalThis.Chart;
  const charts = new Map();
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ token and filters

  /** Reads `#token=…&asOf=…` once: the token is remembered and removed from the address. */
  function readHash() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const token = hash.get('token');
    if (token) {
      localStorage.setItem(TOKEN_KEY, token);
      hash.delete('token');
      writeHash(hash);
    }
    for (const f of FILTERS) {
      const value = hash.get(f);
      if (value) $(inputId(f)).value = value;
    }
  }

  const inputId = (f) => (f === 'asOf' ? 'as-of' : f);
  const token = () => localStorage.getItem(TOKEN_KEY);

  function writeHash(hash) {
    const h = hash.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${h ? `#${h}` : ''}`);
  }

  function filters() {
    const out = {};
    for (const f of FILTERS) {
      const value = $(inputId(f)).value.trim();
      if (value) out[f] = value;
    }
    return out;
  }

  const query = (values) => {
    const q = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
    return q.size ? `?${q}` : '';
  };

  function status(text, isError = false) {
    const el = $('status');
    el.textContent = text;
    el.classList.toggle('error', isError);
  }

  async function api(path) {
    const res = await fetch(path, {
      headers: { authorization: `Bearer ${token()}`, accept: 'application/json' },
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
    return body;
  }

  // ------------------------------------------------------------------ money and numbers

  /** Text for people from the one formatter the mails and reports use; a chart's axis takes major units. */
  function money(minor, currency) {
    if (minor === null || minor === undefined) return '—';
    try {
      return formatMoney(minor, currency, 'en');
    } catch {
      return `${minor} (${currency} minor units)`;
    }
  }
  const major = chartUnits;
  const percent = (bp) => (bp === null || bp === undefined ? '—' : `${(bp / 100).toFixed(2)} %`);

  // ------------------------------------------------------------------ tables and charts

  /**
   * Fills `table` (keeping its caption): one header row, one row per item. A column is
   * { key, label, value(row) → raw figure, text?(row) → what people read, num? }.
   */
  function fillTable(table, columns, rows, rowKey, rowClass) {
    const caption = table.querySelector('caption');
    table.replaceChildren();
    if (caption) table.append(caption);
    const thead = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c.label;
      if (c.num) th.className = 'num';
      thead.append(th);
    }
    const tbody = table.createTBody();
    for (const row of rows) {
      const tr = tbody.insertRow();
      tr.dataset.key = rowKey(row);
      if (row.currency) tr.dataset.currency = row.currency;
      const cls = rowClass?.(row);
      if (cls) tr.className = cls;
      for (const c of columns) {
        const td = tr.insertCell();
        const raw = c.value(row);
        td.dataset.key = c.key;
        td.dataset.value = raw === null || raw === undefined ? '' : String(raw);
        td.textContent = c.text ? c.text(row) : td.dataset.value;
        if (c.num) td.className = 'num';
      }
    }
    table.dataset.rows = String(rows.length);
  }

  function draw(id, config) {
    charts.get(id)?.destroy();
    const canvas = $(id);
    const chart = new Chart(canvas, {
      ...config,
      options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
    });
    charts.set(id, chart);
    canvas.dataset.rendered = 'true';
    canvas.dataset.labels = JSON.stringify(chart.data.labels);
  }

  /** A column showing the field as it is, headed by its name. */
  const textColumn = (key) => ({ key, label: key, value: (r) => r[key] });
  const moneyColumn = (key, label) => ({
    key,
    label,
    num: true,
    value: (r) => r[key],
    text: (r) => money(r[key], r.currency),
  });

  // ------------------------------------------------------------------ the five reports

  async function aging(f) {
    const data = await api(`/v1/reports/aging${query({ by: f.by, asOf: f.asOf })}`);
    const currencies = [...new Set(data.rows.map((r) => r.currency))];
    const label = (r) => (currencies.length > 1 ? `${r.name} (${r.currency})` : r.name);
    const top = [...data.rows].sort((a, b) => b.totalMinor - a.totalMinor).slice(0, TOP);
    draw('aging-chart', {
      type: 'bar',
      data: {
        labels: top.map(label),
        datasets: data.buckets.map((b, i) => ({
          label: b.label,
          data: top.map((r) => major(r[b.key], r.currency)),
          backgroundColor: BUCKET_COLORS[i],
        })),
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, title: { display: true, text: currencies.join(' / ') || 'amount' } },
        },
      },
    });
    $('aging-note').textContent =
      `As of ${data.asOf}, by ${data.by}; the chart shows the ${top.length} largest of ${data.rows.length}.`;
    fillTable(
      $('aging-table'),
      [
        { key: 'key', label: data.by, value: (r) => r.key },
        textColumn('name'),
        textColumn('currency'),
        ...data.buckets.map((b) => moneyColumn(b.key, b.label)),
        moneyColumn('totalMinor', 'total'),
      ],
      [...data.rows, ...data.totals],
      (r) => r.key,
      (r) => (r.key === 'total' && r.name === 'total' ? 'total' : ''),
    );
  }

  async function dso(f) {
    const data = await api(`/v1/reports/dso${query({ from: f.from, to: f.to })}`);
    const months = [...new Set(data.rows.map((r) => r.month))];
    const currencies = [...new Set(data.rows.map((r) => r.currency))];
    draw('dso-chart', {
      type: 'line',
      data: {
        labels: months,
        datasets: currencies.map((cur, i) => ({
          label: `DSO (${cur}), days`,
          data: months.map(
            (m) => data.rows.find((r) => r.month === m && r.currency === cur)?.dsoDays ?? null,
          ),
          borderColor: SERIES_COLORS[i % SERIES_COLORS.length],
          backgroundColor: SERIES_COLORS[i % SERIES_COLORS.length],
        })),
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'days' } } } },
    });
    $('dso-note').textContent = data.formula;
    fillTable(
      $('dso-table'),
      [
        textColumn('month'),
        textColumn('currency'),
        moneyColumn('receivablesMinor', 'receivables at period end'),
        moneyColumn('creditSalesMinor', 'credit sales'),
        { key: 'days', label: 'days', num: true, value: (r) => r.days },
        {
          key: 'dsoDays',
          label: 'DSO (days)',
          num: true,
          value: (r) => r.dsoDays,
          text: (r) => (r.dsoDays === null ? '—' : r.dsoDays.toFixed(1)),
        },
      ],
      data.rows,
      (r) => `${r.month}:${r.currency}`,
    );
  }

  async function grades() {
    const data = await api('/v1/reports/grades');
    const name = (r, none) => r.grade ?? none;
    draw('grades-dealers-chart', {
      type: 'bar',
      data: {
        labels: data.dealers.map((r) => name(r, 'not rated')),
        datasets: [{ label: 'dealers', data: data.dealers.map((r) => r.count), backgroundColor: '#4c8bf5' }],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    draw('grades-customers-chart', {
      type: 'doughnut',
      data: {
        labels: data.customers.map((r) => name(r, 'not classified')),
        datasets: [
          { label: 'customers', data: data.customers.map((r) => r.count), backgroundColor: SERIES_COLORS },
        ],
      },
    });
    const columns = (what) => [
      { key: 'grade', label: what, value: (r) => r.grade, text: (r) => name(r, '—') },
      { key: 'count', label: 'count', num: true, value: (r) => r.count },
    ];
    fillTable($('grades-dealers-table'), columns('grade'), data.dealers, (r) => r.grade ?? 'none');
    fillTable($('grades-customers-table'), columns('class'), data.customers, (r) => r.grade ?? 'none');
  }

  async function limitUsage() {
    const data = await api('/v1/reports/limit-usage');
    const withCurrency = (rows) => rows.map((r) => ({ ...r, currency: data.currency }));
    const cps = withCurrency(data.counterparties);
    const sps = withCurrency(data.salespeople);
    const usageChart = (id, rows, label) => {
      const top = rows
        .filter((r) => r.usageBp !== null)
        .sort((a, b) => b.usageBp - a.usageBp)
        .slice(0, TOP);
      draw(id, {
        type: 'bar',
        data: {
          labels: top.map((r) => r.name),
          datasets: [
            {
              label,
              data: top.map((r) => r.usageBp / 100),
              backgroundColor: top.map((r) =>
                r.usageBp >= 10000 ? '#b3261e' : r.usageBp >= data.warningBp ? '#f59a4c' : '#2e9d6a',
              ),
            },
          ],
        },
        options: {
          indexAxis: 'y',
          scales: { x: { beginAtZero: true, title: { display: true, text: '% of limit' } } },
        },
      });
    };
    usageChart('limit-counterparties-chart', cps, 'counterparty usage %');
    usageChart('limit-salespeople-chart', sps, 'salesperson usage %');
    const usage = {
      key: 'usageBp',
      label: 'usage',
      num: true,
      value: (r) => r.usageBp,
      text: (r) => percent(r.usageBp),
    };
    fillTable(
      $('limit-counterparties-table'),
      [
        textColumn('id'),
        textColumn('name'),
        textColumn('region'),
        moneyColumn('limitMinor', 'limit'),
        moneyColumn('exposureMinor', 'exposure'),
        moneyColumn('availableMinor', 'available'),
        usage,
      ],
      cps,
      (r) => r.id,
    );
    fillTable(
      $('limit-salespeople-table'),
      [
        textColumn('id'),
        textColumn('name'),
        moneyColumn('limitMinor', 'limit'),
        moneyColumn('outstandingMinor', 'outstanding'),
        moneyColumn('availableMinor', 'available'),
        usage,
        textColumn('status'),
      ],
      sps,
      (r) => r.id,
    );
  }

  async function collections(f) {
    const data = await api(`/v1/reports/collections${query({ from: f.from, to: f.to })}`);
    const currencies = [...new Set(data.rows.map((r) => r.currency))];
    const label = (r) => (currencies.length > 1 ? `${r.month} ${r.currency}` : r.month);
    const amount = (key, name, stack, color) => ({
      type: 'bar',
      label: name,
      stack,
      yAxisID: 'y',
      backgroundColor: color,
      data: data.rows.map((r) => major(r[key], r.currency)),
    });
    const steps = [
      ['dueCheck', 'escalated: due+1 check'],
      ['secondNotice', 'escalated: +7 second notice'],
      ['warning', 'escalated: +15 warning'],
      ['legal', 'escalated: +30 legal'],
    ];
    draw('collections-chart', {
      type: 'bar',
      data: {
        labels: data.rows.map(label),
        datasets: [
          amount('onTimeMinor', 'collected on time', 'collected', '#2e9d6a'),
          amount('lateMinor', 'collected late', 'collected', '#f5c04c'),
          amount('discountMinor', 'discount taken', 'discount', '#4c8bf5'),
          amount('writtenOffMinor', 'written off', 'written-off', '#b3261e'),
          ...steps.map(([step, name], i) => ({
            type: 'line',
            label: name,
            yAxisID: 'receivables',
            borderColor: SERIES_COLORS[(i + 2) % SERIES_COLORS.length],
            backgroundColor: SERIES_COLORS[(i + 2) % SERIES_COLORS.length],
            data: data.rows.map((r) => r.escalations[step]),
          })),
        ],
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, title: { display: true, text: currencies.join(' / ') } },
          receivables: {
            position: 'right',
            beginAtZero: true,
            ticks: { precision: 0 },
            grid: { drawOnChartArea: false },
            title: { display: true, text: 'receivables escalated' },
          },
        },
      },
    });
    fillTable(
      $('collections-table'),
      [
        textColumn('month'),
        textColumn('currency'),
        moneyColumn('collectedMinor', 'collected'),
        moneyColumn('onTimeMinor', 'on time'),
        moneyColumn('lateMinor', 'late'),
        moneyColumn('discountMinor', 'discount'),
        moneyColumn('writtenOffMinor', 'written off'),
        ...steps.map(([step, name]) => ({
          key: step,
          label: name.replace('escalated: ', ''),
          num: true,
          value: (r) => r.escalations[step],
        })),
      ],
      data.rows,
      (r) => `${r.month}:${r.currency}`,
    );
  }

  /**
   * The collections forecast (docs/scores.md §3): expected collections per week and currency as bars,
   * the 25th–75th percentile range as a band of two lines; the backtest's error in the note.
   */
  async function forecast() {
    const data = await api('/v1/reports/collections-forecast');
    const labels = (data.currencies[0]?.weeks ?? []).map((w) => w.from);
    const datasets = [];
    data.currencies.forEach((c, i) => {
      const color = SERIES_COLORS[i % SERIES_COLORS.length];
      datasets.push(
        {
          type: 'bar',
          label: `expected (${c.currency})`,
          backgroundColor: color,
          data: c.weeks.map((w) => major(w.expectedMinor, c.currency)),
        },
        {
          type: 'line',
          label: `25th percentile (${c.currency})`,
          borderColor: color,
          borderDash: [4, 4],
          pointRadius: 0,
          fill: false,
          data: c.weeks.map((w) => major(w.lowMinor, c.currency)),
        },
        {
          type: 'line',
          label: `75th percentile (${c.currency})`,
          borderColor: color,
          borderDash: [4, 4],
          pointRadius: 0,
          fill: '-1',
          backgroundColor: 'rgba(76, 139, 245, 0.12)',
          data: c.weeks.map((w) => major(w.highMinor, c.currency)),
        },
      );
    });
    draw('forecast-chart', {
      type: 'bar',
      data: { labels, datasets },
      options: {
        scales: {
          x: { title: { display: true, text: 'week starting' } },
          y: {
            beginAtZero: true,
            title: { display: true, text: data.currencies.map((c) => c.currency).join(' / ') || 'amount' },
          },
        },
      },
    });
    const errors = data.metadata.backtest.byCurrency
      .map(
        (e) =>
          `${e.currency}: weekly MAE ${money(e.maeMinor, e.currency)}, MAPE ${percent(e.mapeBp)} over ${e.weeks} weeks`,
      )
      .join('; ');
    $('forecast-note').textContent =
      `As of ${data.asOf}. Backtest of the last ${data.metadata.backtest.months} months, one week ahead: ${errors || 'no history yet'}. ${data.method}`;
    fillTable(
      $('forecast-table'),
      [
        textColumn('from'),
        textColumn('to'),
        textColumn('currency'),
        moneyColumn('expectedMinor', 'expected'),
        moneyColumn('lowMinor', '25th percentile'),
        moneyColumn('highMinor', '75th percentile'),
      ],
      data.currencies.flatMap((c) => c.weeks.map((w) => ({ ...w, currency: c.currency }))),
      (r) => `${r.from}:${r.currency}`,
    );
  }

  const REPORTS = [
    ['aging', aging],
    ['dso', dso],
    ['grades', grades],
    ['limit-usage', limitUsage],
    ['collections', collections],
    ['forecast', forecast],
  ];

  async function loadAll() {
    if (!token()) {
      document.body.dataset.state = 'needs-token';
      status('Enter an API token (npm run credentials, or .data/dev-credentials.json) to see the reports.');
      return;
    }
    document.body.dataset.state = 'loading';
    status('Loading…');
    const f = filters();
    const results = await Promise.allSettled(
      REPORTS.map(async ([id, load]) => {
        const section = $(id);
        section.dataset.state = 'loading';
        try {
          await load(f);
          section.dataset.state = 'ready';
        } catch (err) {
          section.dataset.state = 'error';
          throw new Error(`${id}: ${err.message}`);
        }
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
    document.body.dataset.state = failed.length ? 'error' : 'ready';
    status(
      failed.length ? failed.join('; ') : `Updated ${new Date().toLocaleTimeString()}.`,
      failed.length > 0,
    );
  }

  /**
   * Each report view the page names (`data-view`, `data-label`, `data-caption`) becomes its chart —
   * a labelled canvas `<view>-chart` — and the table of its exact figures, `<view>-table`.
   */
  function buildViews() {
    for (const view of document.querySelectorAll('[data-view]')) {
      const { view: id, label, caption } = view.dataset;
      const chart = document.createElement('div');
      chart.className = 'chart';
      const canvas = document.createElement('canvas');
      canvas.id = `${id}-chart`;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', label);
      chart.append(canvas);
      const table = document.createElement('table');
      table.id = `${id}-table`;
      table.createCaption().textContent = caption;
      view.append(chart, table);
    }
  }

  function start() {
    buildViews();
    if (!Chart) {
      status('Chart.js did not load.', true);
      return;
    }
    readHash();
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('token').value.trim();
      if (value) localStorage.setItem(TOKEN_KEY, value);
      $('token').value = '';
      void loadAll();
    });
    $('forget-token').addEventListener('click', () => {
      localStorage.removeItem(TOKEN_KEY);
      void loadAll();
    });
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      writeHash(new URLSearchParams(filters()));
      void loadAll();
    });
    void loadAll();
  }

  start();
})();
