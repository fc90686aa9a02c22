// StreamTrain dashboard: a snapshot then live deltas over Server-Sent Events, drawn with uPlot.
'use strict';
(function () {
  const MARKER_COLOURS = { alert: '#d33', lr: '#a3c', checkpoint: '#9ab', rollback: '#f80', early_stop: '#222',
    finished: '#222', promotion: '#2a2', serving_rollback: '#c72' };
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  const params = new URLSearchParams(location.search);
  const viewToken = params.get('access_token'); // kept in memory only: taken out of the address bar and history
  if (viewToken) { history.replaceState(null, '', location.pathname); }
  const run = { summary: {}, model: null, train: [], validation: [], ingest: [], marker: [], alert: [],
    checkpoint: [], points: 2000 };
  const charts = {};
  let drawPending = false;

  const $ = id => document.getElementById(id);
  const xOf = p => ($('x-axis').value === 't' ? p.t / 1000 : p.u);
  const fmt = v => (v === null || v === undefined ? '–' : typeof v === 'number' ? +v.toPrecision(4) : v);
  const duration = s => (s === null || s === undefined ? '–' : s < 120 ? s.toFixed(0) + ' s'
    : s < 7200 ? (s / 60).toFixed(1) + ' min' : (s / 3600).toFixed(1) + ' h');

  if (viewToken) { $('token').value = viewToken; }

  function ema(values, alpha) { // debiased like TensorBoard's smoothing; gaps stay gaps
    let last = 0, weight = 0;
    return values.map(v => {
      if (v === null) { return null; }
      last = last * alpha + (1 - alpha) * v; weight = weight * alpha + (1 - alpha);
      return last / weight;
    });
  }

  // One chart: a definition gives its tables ([xs, ys] per series) and labels; rebuilt when the labels change.
  function chart(id, build, options = {}) {
    const el = $(id);
    const def = build();
    const tables = def.series.map(s => ordered(s.points, s.y));
    const data = tables.length ? uPlot.join(tables) : [[]];
    const signature = def.series.map(s => s.label).join('|') + '|' + $('x-axis').value + '|' + (options.log ? options.log() : '');
    let c = charts[id];
    if (!c || c.signature !== signature) {
      if (c) { c.plot.destroy(); }
      const plot = new uPlot({
        width: Math.max(300, el.clientWidth - 20), height: 220,
        scales: { x: { time: $('x-axis').value === 't' }, y: options.log && options.log() ? { distr: 3 } : {},
          y2: {} },
        axes: [{}, { scale: 'y', size: 64 }].concat(def.series.some(s => s.scale === 'y2') ? [{ scale: 'y2', side: 1, size: 50 }] : []),
        series: [{ label: $('x-axis').value === 't' ? 'time' : 'update' }].concat(def.series.map((s, i) => ({
          label: s.label, stroke: s.colour || PALETTE[i % PALETTE.length], width: s.width || 1.5,
          scale: s.scale || 'y', spanGaps: true, points: { show: s.dots || false } }))),
        plugins: [markerPlugin(el)],
      }, data, el);
      c = charts[id] = { plot, signature };
    } else {
      c.plot.setData(data);
    }
    el.dataset.points = String(data[0].length);
    el.classList.toggle('empty', def.series.length === 0);
  }

  // One series as [xs, ys], ascending in x. After a trainer rollback updates repeat: on the update axis the newest
  // point of an update wins (the time axis shows both runs).
  function ordered(points, y) {
    const byX = new Map();
    points.forEach(p => byX.set(xOf(p), y(p)));
    const xs = [...byX.keys()].sort((a, b) => a - b);
    return [xs, xs.map(x => byX.get(x))];
  }

  // Vertical lines on the time axis for alerts, LR changes, checkpoints, rollbacks, early stop and promotions.
  function markerPlugin(el) {
    return { hooks: { draw: [u => {
      const ctx = u.ctx, [min, max] = [u.scales.x.min, u.scales.x.max], drawn = new Set();
      ctx.save();
      for (const m of run.marker) {
        const x = xOf(m);
        if (x < min || x > max) { continue; }
        const px = u.valToPos(x, 'x', true);
        ctx.strokeStyle = MARKER_COLOURS[m.kind] || '#888'; ctx.lineWidth = m.kind === 'checkpoint' ? 1 : 2;
        ctx.setLineDash(m.kind === 'checkpoint' ? [2, 4] : []);
        ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
        drawn.add(m.kind === 'checkpoint' ? m.kind : m.kind + ':' + m.label);
      }
      ctx.restore();
      el.dataset.markers = [...drawn].sort().join('|');
    }] } };
  }

  function bySource() {
    const groups = {};
    run.validation.forEach(v => (groups[v.source] = groups[v.source] || []).push(v));
    return groups;
  }

  function keyed(field) { // one series per key of an ingest map (partitions, reasons)
    const keys = [...new Set(run.ingest.flatMap(p => Object.keys(p[field] || {})))].sort();
    return keys.map(k => ({ label: k, points: run.ingest, y: p => (p[field] && k in p[field] ? p[field][k] : null) }));
  }

  function draw() {
    drawPending = false;
    const alpha = +$('smoothing').value;
    const smoothed = ema(run.train.map(p => p.loss), alpha);
    const withSmooth = run.train.map((p, i) => Object.assign({}, p, { smooth: smoothed[i] }));
    const groups = bySource();
    chart('chart-loss', () => ({ series: [
      { label: 'train (raw)', points: run.train, y: p => p.loss, colour: '#9cc3e6', width: 1 },
      { label: 'train (EMA ' + alpha.toFixed(2) + ')', points: withSmooth, y: p => p.smooth, colour: '#1f77b4' },
    ].concat(Object.keys(groups).map((s, i) => ({ label: 'validation ' + s, points: groups[s], y: p => p.loss,
      colour: PALETTE[(i + 1) % PALETTE.length], dots: true }))) }));
    chart('chart-accuracy', () => ({ series: Object.keys(groups).map(s => ({ label: s, points: groups[s],
      y: p => p.accuracy, dots: true })) }));
    const positive = v => (v > 0 ? v : null); // a log axis has no place for 0 (a schedule's end)
    chart('chart-lr', () => ({ series: [{ label: 'learning rate', points: run.train,
      y: p => ($('lr-log').checked ? positive(p.lr) : p.lr) },
      { label: 'momentum / beta1', points: run.train, y: p => p.momentum, scale: 'y2' }] }),
      { log: () => $('lr-log').checked });
    chart('chart-grad', () => ({ series: [{ label: 'gradient norm', points: run.train, y: p => p.grad_norm }] }));
    chart('chart-throughput', () => ({ series: [{ label: 'examples/s', points: run.train, y: p => p.samples_per_s }] }));
    chart('chart-lag', () => ({ series: keyed('lag') }));
    chart('chart-queue', () => ({ series: [{ label: 'queue depth', points: run.ingest, y: p => p.queue }] }));
    chart('chart-dead', () => ({ series: keyed('dead_lettered') }));
    panels();
  }

  function panels() {
    const s = run.summary;
    $('job').textContent = s.job || '';
    const rows = [['job', s.job], ['model', s.model], ['optimizer', s.optimizer], ['schedule', s.schedule],
      ['update', s.expected_updates ? fmt(s.update) + ' / ' + s.expected_updates : fmt(s.update)],
      ['examples', fmt(s.samples)], ['elapsed', duration(s.elapsed_s)], ['ETA', s.expected_updates ? duration(s.eta_s) : 'endless run'],
      ['state', s.state]];
    $('summary').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', k), el('dd', v === undefined ? '–' : String(v))]));
    if (run.model) {
      const m = run.model;
      $('model').replaceChildren(...[['version', m.version], ['trained updates', m.updates],
        ['ONNX parity (max |diff|)', fmt(m.parity_max_abs_diff)], ['predict', m.url + '/v1/predict']]
        .flatMap(([k, v]) => [el('dt', k), el('dd', String(v))]));
    }
    $('alerts').replaceChildren(...run.alert.slice().reverse().map(a => {
      const li = el('li', '');
      li.className = 'alert ' + a.severity; li.dataset.kind = a.kind;
      li.append(el('b', a.severity + ' ' + a.kind), ' at update ' + a.u + ' (' + new Date(a.t).toLocaleTimeString()
        + (a.repeats > 1 ? ', ×' + a.repeats : '') + '): ', el('span', a.message));
      return li;
    }));
    $('checkpoints').replaceChildren(...run.checkpoint.slice().reverse().map(c => el('li', 'update ' + c.u + ' · '
      + new Date(c.t).toLocaleTimeString() + (c.write_ms === null ? '' : ' · written in ' + c.write_ms + ' ms')
      + ' · ' + c.path)));
  }

  function el(tag, text) { const e = document.createElement(tag); e.textContent = text; return e; }

  function schedule() { if (!drawPending) { drawPending = true; requestAnimationFrame(draw); } }

  function apply(delta) {
    if (delta.kind === 'summary') { run.summary = delta.item; return; }
    if (delta.kind === 'model') { run.model = delta.item; return; }
    const list = run[delta.kind];
    list.push(delta.item);
    const limit = ['train', 'validation', 'ingest'].includes(delta.kind) ? run.points : 500;
    if (list.length > limit) { list.splice(0, list.length - limit); }
  }

  let retryMillis = 1000;
  function connect() {
    const source = new EventSource('/api/events' + (viewToken ? '?access_token=' + encodeURIComponent(viewToken) : ''));
    source.addEventListener('snapshot', e => {
      Object.assign(run, JSON.parse(e.data));
      $('connection').textContent = 'live';
      retryMillis = 1000;
      schedule();
    });
    source.addEventListener('delta', e => { JSON.parse(e.data).forEach(apply); schedule(); });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) { // refused (401) or the server is gone: retry, backing off
        $('connection').textContent = 'disconnected; retrying in ' + retryMillis / 1000 + ' s';
        setTimeout(connect, retryMillis);
        retryMillis = Math.min(30000, retryMillis * 2);
      } else {
        $('connection').textContent = 'reconnecting…'; // the browser retries by itself
      }
    };
  }

  async function control(action) {
    const body = { reason: 'dashboard' };
    if (action === 'scale-lr') { body.factor = +$('lr-factor').value; }
    const result = $('control-result');
    result.textContent = action + '…';
    try {
      const response = await fetch('/v1/trainer/' + action, { method: 'POST', body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + $('token').value.trim() } });
      const reply = await response.json();
      result.textContent = response.ok ? action + ' accepted at update ' + reply.update + ': ' + reply.detail
        : action + ' not done: ' + reply.error;
      result.dataset.status = String(response.status);
    } catch (e) {
      result.textContent = action + ': the server did not answer';
    }
  }

  document.querySelectorAll('button[data-action]').forEach(b => b.addEventListener('click', () => control(b.dataset.action)));
  $('smoothing').addEventListener('input', () => { $('smoothing-value').textContent = (+$('smoothing').value).toFixed(2); schedule(); });
  $('x-axis').addEventListener('change', schedule);
  $('lr-log').addEventListener('change', schedule);
  window.addEventListener('resize', () => { Object.values(charts).forEach(c => c.plot.destroy()); Object.keys(charts).forEach(k => delete charts[k]); schedule(); });
  window.streamtrain = run; // for the browser test and the curious
  connect();
})();
