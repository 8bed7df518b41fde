// Nightshift's incident UI: plain ES modules, no build step, no CDN. Everything it shows comes from
// the REST API with the signed-in user's token (kept in sessionStorage: this tab only).

const main = document.getElementById('main');
const state = { token: sessionStorage.getItem('nightshift.token'), me: null, stop: [] };
const TERMINAL = ['SUCCEEDED', 'ESCALATED', 'FAILED', 'TIMED_OUT', 'CANCELLED'];

/** A DOM element; strings become text nodes, never HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const time = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const badge = (text, extra = '') => h('span', { class: `badge ${text} ${extra}`, 'data-status': text }, text);
const can = (role) => !!state.me && state.me.roles.includes(role);
const money = (n) => (n === null || n === undefined ? '—' : `$${Number(n).toFixed(4)}`);

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, { method = 'GET', body, accept = 'application/json' } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${state.token}`, Accept: accept,
      ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) {
    signIn('Your token is not valid any more.');
    throw new ApiError(401);
  }
  const text = await response.text();
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') && text ? JSON.parse(text) : text;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function signIn(message) {
  const dialog = document.getElementById('signin');
  const error = document.getElementById('signin-error');
  error.hidden = !message;
  error.textContent = message || '';
  if (!dialog.open) dialog.showModal();
}

document.getElementById('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  state.token = document.getElementById('token').value.trim();
  try {
    state.me = await api('/api/v1/me');
    sessionStorage.setItem('nightshift.token', state.token);
    document.getElementById('signin').close();
    route();
  } catch (e) {
    signIn(e.status === 401 ? 'That token was not accepted.' : e.message);
  }
});

function showError(e) {
  main.replaceChildren(h('div', { class: 'panel error', role: 'alert' }, `Something went wrong: ${e.message}`));
}

// --- the investigations list ---

async function listView() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.target)) {
      if (!v) continue;
      // Times are entered in the user's zone and sent as instants.
      q.set(k, k.startsWith('created') ? new Date(v).toISOString() : v);
    }
    location.hash = `#/?${q}`;
  } },
  h('label', { for: 'f-q', class: 'muted' }, 'Search'),
  h('input', { id: 'f-q', name: 'q', value: params.get('q') || '', placeholder: 'title or problem' }),
  select('status', ['', 'QUEUED', 'LAUNCHING', 'RUNNING', 'SUCCEEDED', 'ESCALATED', 'FAILED', 'TIMED_OUT', 'CANCELLED'], params),
  select('severity', ['', 'critical', 'warning', 'info'], params),
  select('trustPhase', ['', 'SHADOW', 'ASSIST', 'LIMITED_REMEDIATION', 'AUTONOMOUS'], params),
  select('domain', ['', 'application', 'kubernetes', 'database', 'network', 'storage', 'security'], params),
  select('source', ['', 'api', 'alertmanager'], params),
  h('input', { name: 'label', value: params.get('label') || '', placeholder: 'label key=value', 'aria-label': 'label' }),
  h('label', { for: 'f-from', class: 'muted' }, 'from'),
  h('input', { id: 'f-from', name: 'createdFrom', type: 'datetime-local', value: local(params.get('createdFrom')) }),
  h('label', { for: 'f-to', class: 'muted' }, 'to'),
  h('input', { id: 'f-to', name: 'createdTo', type: 'datetime-local', value: local(params.get('createdTo')) }),
  h('button', { type: 'submit' }, 'Filter'));
  const body = h('tbody');
  const more = h('button', { class: 'secondary', hidden: true }, 'More');
  main.replaceChildren(h('h1', {}, 'Investigations'), form,
    h('table', { 'aria-label': 'Investigations' },
      h('thead', {}, h('tr', {}, ['Created', 'Title', 'Status', 'Severity', 'Tier', 'Phase', 'Queue'].map((t) => h('th', {}, t)))),
      body), more);
  let cursor = null;
  async function load(append) {
    const q = new URLSearchParams(params);
    q.set('limit', '50');
    if (append && cursor) q.set('cursor', cursor);
    const page = await api(`/api/v1/investigations?${q}`);
    if (!append) body.replaceChildren();
    for (const i of page.items) {
      body.append(h('tr', { 'data-investigation': i.id },
        h('td', {}, time(i.createdAt)),
        h('td', {}, h('a', { href: `#/investigations/${i.id}` }, i.title)),
        h('td', {}, badge(i.status)),
        h('td', {}, i.severity), h('td', {}, i.tier),
        h('td', {}, i.trustPhase === 'SHADOW' ? badge('shadow') : i.trustPhase),
        h('td', {}, i.queuePosition ?? '')));
    }
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No investigations match.')));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  }
  more.onclick = () => load(true);
  await load(false);
  // Live status badges: the list refreshes while it is shown.
  const timer = setInterval(() => load(false).catch(() => {}), 3000);
  state.stop.push(() => clearInterval(timer));
}

/** An instant as the value of a datetime-local input, in the user's zone. */
function local(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function select(name, options, params) {
  return h('select', { name, 'aria-label': name },
    options.map((o) => h('option', { value: o, selected: params.get(name) === o }, o || `any ${name}`)));
}

// --- one investigation ---

async function investigationView(id) {
  const detail = await api(`/api/v1/investigations/${id}`);
  const header = h('div');
  const tree = h('ul', { class: 'tree', id: 'hypotheses', 'aria-live': 'polite' });
  const outcome = h('div', { id: 'outcome' });
  const live = h('p', { class: 'status-line', id: 'live', role: 'status' }, 'Connecting…');
  const alerts = h('ul', { id: 'alerts' });
  const log = h('pre', { class: 'log', id: 'log', tabindex: 0 }, 'Loading the log…');
  const followLog = h('input', { type: 'checkbox', id: 'follow-log', checked: true });
  const audit = h('ol', { id: 'audit' });
  const actions = h('div', { id: 'investigation-actions' });
  const feedback = h('div', { id: 'feedback' });
  main.replaceChildren(header, live,
    h('div', { class: 'grid' },
      h('div', {},
        h('section', { class: 'panel', 'aria-labelledby': 'h-hyp' }, h('h2', { id: 'h-hyp' }, 'Hypotheses'), tree),
        h('section', { class: 'panel', 'aria-labelledby': 'h-out' }, h('h2', { id: 'h-out' }, 'Conclusion'), outcome),
        h('section', { class: 'panel' }, h('h2', {}, 'Actions'), actions),
        h('section', { class: 'panel' }, h('h2', {}, 'Log'),
          h('label', { for: 'follow-log', class: 'muted' }, followLog, ' follow'), log)),
      h('div', {},
        h('section', { class: 'panel', id: 'cost' }),
        h('section', { class: 'panel' }, h('h2', {}, 'Alerts'), alerts),
        h('section', { class: 'panel' }, h('h2', {}, 'Feedback'), feedback),
        h('section', { class: 'panel' }, h('h2', {}, 'Audit'), audit))));

  function renderHeader(d) {
    header.replaceChildren(h('h1', {}, d.title, ' ', badge(d.status),
      d.trustPhase === 'SHADOW' ? [' ', badge('shadow', 'phase'), h('span', { class: 'muted' }, ' shadow-phase result: reviewed after the fact')] : ''),
      h('p', {}, d.problem),
      h('p', { class: 'muted' }, `Severity ${d.severity} · tier ${d.tier} · phase ${d.trustPhase} · domains ${d.domains.join(', ')}`,
        d.target ? ` · target ${Object.entries(d.target).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''),
      h('ol', { class: 'muted', 'aria-label': 'State changes' },
        d.transitions.map((t) => h('li', {}, `${time(t.at)} ${t.from || '∅'} → ${t.to}${t.reason ? `: ${t.reason}` : ''}`))));
    const c = d.cost || {};
    document.getElementById('cost').replaceChildren(h('h2', {}, 'Cost'),
      h('p', {}, `LLM ${money(c.llmCost)} (${c.llmCalls ?? 0} calls, ${c.inputTokens ?? 0} in / ${c.outputTokens ?? 0} out tokens)`),
      h('p', {}, `Compute ${money(c.computeCost)} · total ${money(c.total)} · ${c.reasoningCycles ?? 0} cycles`));
    renderFeedback(d);
  }

  async function renderTree() {
    const data = await api(`/api/v1/investigations/${id}/hypotheses`);
    const node = (hyp) => h('li', { 'data-hypothesis': hyp.id },
      badge(hyp.status), ' ', h('strong', {}, hyp.statement), h('span', { class: 'muted' }, ` ${hyp.domain || ''} · confidence ${Number(hyp.confidence).toFixed(2)}`),
      hyp.evidence.length ? h('details', {}, h('summary', {}, `${hyp.evidence.length} evidence`),
        h('ul', {}, hyp.evidence.map((e) => h('li', {}, badge(e.verdict || 'evidence'), ` ${e.tool || ''} `, h('code', {}, e.query || ''), ` — ${e.summary || ''}`)))) : '',
      hyp.children.length ? h('ul', { class: 'tree' }, hyp.children.map(node)) : '');
    tree.replaceChildren(...(data.hypotheses.length ? data.hypotheses.map(node) : [h('li', { class: 'empty' }, 'No hypotheses yet.')]));
  }

  function onEvent(event) {
    if (event.type === 'CONCLUDED' || event.type === 'ESCALATED') {
      const p = event.payload;
      outcome.replaceChildren(h('p', {}, badge(event.type), ' ', p.rootCause || p.reason || ''),
        p.rootCauseCategory ? h('p', { class: 'muted' }, `${p.rootCauseCategory} · ${p.remediationClass || ''} · confidence ${p.confidence ?? ''}`) : '',
        p.suggestedRemediation ? h('p', {}, p.suggestedRemediation) : '',
        h('ol', { 'aria-label': 'Evidence chain' }, (p.evidence || []).map((e) => h('li', {}, e))));
    } else if (event.type === 'ALERT_ATTACHED') {
      alerts.append(h('li', {}, `${event.payload.alertname || 'alert'} (${event.payload.status}) since ${time(event.payload.startsAt)}`));
    } else if (event.type.startsWith('ACTION_')) {
      const p = event.payload;
      actions.append(h('p', {}, badge(p.status || 'PROPOSED'), ` ${event.type.toLowerCase()}: ${p.kind || ''} ${p.name || ''} ${p.reason || ''}`));
    }
  }

  let refreshing = null;
  function refresh() {
    clearTimeout(refreshing);
    refreshing = setTimeout(async () => {
      renderTree().catch(() => {});
      renderHeader(await api(`/api/v1/investigations/${id}`));
    }, 150);
  }

  function renderFeedback(d) {
    if (!can('OPERATOR')) { feedback.replaceChildren(h('p', { class: 'muted' }, 'Operators record verdicts.')); return; }
    if (!TERMINAL.includes(d.status)) { feedback.replaceChildren(h('p', { class: 'muted' }, 'Feedback opens when the investigation has ended.')); return; }
    if (feedback.querySelector('form')) return;
    const saved = h('p', { id: 'feedback-saved', role: 'status' });
    feedback.replaceChildren(h('form', { id: 'feedback-form', onsubmit: async (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      const body = { verdict: f.get('verdict') };
      for (const k of ['rootCauseCategory', 'remediationClass', 'comment']) if (f.get(k)) body[k] = f.get(k);
      try {
        const r = await api(`/api/v1/investigations/${id}/feedback`, { method: 'POST', body });
        saved.textContent = `Saved: ${r.verdict} (revision ${r.revision}).`;
      } catch (err) { saved.textContent = err.message; saved.className = 'error'; }
    } },
    h('label', { for: 'verdict' }, 'Verdict '),
    h('select', { id: 'verdict', name: 'verdict' }, ['ACCEPTED', 'MODIFIED', 'REJECTED'].map((v) => h('option', { value: v }, v))),
    h('p', {}, h('label', { for: 'fb-cat' }, 'Root-cause category '), h('input', { id: 'fb-cat', name: 'rootCauseCategory', placeholder: 'e.g. resource-exhaustion/memory' })),
    h('p', {}, h('label', { for: 'fb-class' }, 'Remediation class '), h('input', { id: 'fb-class', name: 'remediationClass', placeholder: 'e.g. restart' })),
    h('p', {}, h('label', { for: 'fb-comment' }, 'Comment '), h('textarea', { id: 'fb-comment', name: 'comment', rows: 2 })),
    h('button', { type: 'submit', id: 'feedback-submit' }, 'Save feedback'), saved));
  }

  renderHeader(detail);
  await renderTree();
  const tail = () => api(`/api/v1/investigations/${id}/logs`, { accept: 'text/plain' }).then((t) => {
    log.textContent = t || '(empty)';
    if (followLog.checked) log.scrollTop = log.scrollHeight;
  }).catch((e) => { log.textContent = `No log: ${e.message}`; });
  tail();
  const logTimer = setInterval(() => { if (followLog.checked) tail(); }, 2000);
  state.stop.push(() => clearInterval(logTimer));
  if (can('OPERATOR')) {
    api(`/api/v1/audit?investigationId=${id}&limit=200`).then((page) => audit.replaceChildren(...page.items.map(
      (e) => h('li', {}, `${time(e.at)} ${e.actor}: ${e.action}`)))).catch(() => {});
  } else {
    audit.replaceChildren(h('li', { class: 'muted' }, 'Operators see the audit trail.'));
  }
  follow(id, onEvent, refresh, live);
}

/** The event stream through fetch (so the Authorization header goes with it), resumed with Last-Event-ID. */
function follow(id, onEvent, refresh, live) {
  let last = 0;
  let stopped = false;
  let retry = 500;
  const controller = { abort: null };
  state.stop.push(() => { stopped = true; controller.abort?.(); });
  async function connect() {
    const abort = new AbortController();
    controller.abort = () => abort.abort();
    try {
      const response = await fetch(`/api/v1/investigations/${id}/events`, {
        headers: { Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream', ...(last ? { 'Last-Event-ID': String(last) } : {}) },
        signal: abort.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      live.textContent = 'Live'; live.className = 'status-line';
      retry = 500;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let ended = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = { data: [] };
          for (const line of block.split('\n')) {
            const i = line.indexOf(':');
            if (i <= 0) continue;
            const k = line.slice(0, i);
            const v = line.slice(i + 1).replace(/^ /, '');
            if (k === 'data') fields.data.push(v); else fields[k] = v;
          }
          if (!fields.data.length) continue;
          const event = JSON.parse(fields.data.join('\n'));
          last = Number(fields.id || event.position || last);
          onEvent(event);
          refresh();
          if (event.type === 'STATE_CHANGED' && event.payload.terminal) ended = true;
        }
      }
      if (ended) { live.textContent = 'Ended'; return; }
    } catch (e) {
      if (stopped) return;
    }
    if (stopped) return;
    live.textContent = 'Reconnecting…'; live.className = 'status-line reconnecting';
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  }
  connect();
}

// --- approvals ---

async function approvalsView() {
  const body = h('tbody');
  main.replaceChildren(h('h1', {}, 'Approvals'),
    h('p', { class: 'muted' }, 'Actions and held kubectl calls waiting for a human. Approving runs them as the executor.'),
    h('table', { 'aria-label': 'Pending approvals' }, h('thead', {}, h('tr', {},
      ['Proposed', 'Action', 'Resource', 'Namespace', 'Risk', 'Investigation', 'Expires in', 'Status', ''].map((t) => h('th', {}, t)))), body));
  async function load() {
    const page = await api('/api/v1/actions?status=PENDING_APPROVAL');
    body.replaceChildren();
    for (const a of page.items) body.append(row(a));
    if (!page.items.length) body.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'Nothing waits for approval.')));
  }
  function row(a) {
    const status = h('td', { 'data-action-status': a.id }, badge(a.status));
    const reason = h('input', { 'data-reason': a.id, 'aria-label': `Reason for ${a.kind} ${a.name || ''}`, placeholder: 'reason (required)' });
    async function decide(verb) {
      if (!reason.value.trim()) { reason.focus(); reason.setAttribute('aria-invalid', 'true'); return; }
      try {
        const r = await api(`/api/v1/actions/${a.id}/${verb}`, { method: 'POST', body: { reason: reason.value.trim() } });
        status.replaceChildren(badge(r.status));
      } catch (e) { status.replaceChildren(h('span', { class: 'error' }, e.message)); }
    }
    const expires = a.expiresAt ? Math.max(0, Math.round((new Date(a.expiresAt) - Date.now()) / 60000)) : null;
    const payload = a.source === 'PROXY' ? `${a.parameters.method} ${a.parameters.path}` : JSON.stringify(a.parameters);
    return h('tr', { 'data-action': a.id },
      h('td', {}, time(a.proposedAt)),
      h('td', {}, `${a.verb} (${a.kind})`, h('div', { class: 'muted' }, payload), a.rationale ? h('div', { class: 'muted' }, a.rationale) : ''),
      h('td', {}, `${a.resource}${a.name ? `/${a.name}` : ''}`), h('td', {}, a.namespace || '—'),
      h('td', {}, badge(a.risk)), h('td', {}, h('a', { href: `#/investigations/${a.investigationId}` }, 'open')),
      h('td', {}, expires === null ? '—' : `${expires} min`), status,
      h('td', {}, can('OPERATOR') ? [reason, ' ',
        h('button', { 'data-approve': a.id, onclick: () => decide('approve') }, 'Approve'), ' ',
        h('button', { class: 'danger', 'data-reject': a.id, onclick: () => decide('reject') }, 'Reject')] : h('span', { class: 'muted' }, 'operators decide')));
  }
  await load();
}

// --- trust ---

async function trustView() {
  const t = await api('/api/v1/trust');
  const gate = t.nextGate;
  main.replaceChildren(h('h1', {}, 'Trust'),
    h('p', {}, `Environment ${t.environment}: configured ${t.configured}, in force `, badge(t.effective),
      t.ceiling ? h('span', { class: 'error' }, ` — demoted, ceiling ${t.ceiling}`) : ''),
    t.demotion ? h('div', { class: 'panel' }, h('h2', {}, 'Demotion'),
      h('p', {}, `${time(t.demotion.at)}: ${t.demotion.from} → ${t.demotion.ceiling}. ${t.demotion.reason}`),
      h('p', { class: 'muted' }, t.demotion.acknowledgedBy ? `Acknowledged by ${t.demotion.acknowledgedBy}` : 'Not acknowledged')) : '',
    gate ? h('div', { class: 'panel' }, h('h2', {}, `Gate ${gate.from} → ${gate.to}: ${gate.ready ? 'met' : 'not met'}`),
      h('table', {}, h('tbody', {}, gate.criteria.map((c) => h('tr', {},
        h('td', {}, c.name), h('td', {}, `${c.comparison} ${c.threshold}`),
        h('td', { style: 'width:40%' }, bar(c)), h('td', {}, c.value ?? '—'), h('td', {}, badge(c.status))))))) :
      h('p', { class: 'muted' }, 'Autonomous: no further gate.'));
}

function bar(c) {
  if (c.value === null || c.value === undefined) return h('span', { class: 'muted' }, 'no data');
  const max = Math.max(c.threshold || 1, c.value, 1e-9) * (c.threshold > 1 ? 1.2 : 1);
  return h('div', { class: 'bar', role: 'img', 'aria-label': `${c.value} of ${c.threshold}` },
    h('span', { style: `width:${Math.min(100, (c.value / max) * 100)}%` }),
    h('i', { style: `left:${Math.min(100, (c.threshold / max) * 100)}%` }));
}

// --- routing ---

async function route() {
  state.stop.splice(0).forEach((f) => f());
  if (!state.token) { signIn(); return; }
  if (!state.me) {
    try { state.me = await api('/api/v1/me'); } catch (e) { return; }
  }
  document.getElementById('whoami').textContent = `${state.me.name} · ${state.me.roles.join(', ')}`;
  const hash = location.hash || '#/';
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', hash.startsWith(a.getAttribute('href')) && a.getAttribute('href') !== '#/' || (hash.startsWith('#/?') || hash === '#/') && a.getAttribute('href') === '#/'));
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const m = hash.match(/^#\/investigations\/([0-9a-f-]{36})/);
    if (m) await investigationView(m[1]);
    else if (hash.startsWith('#/approvals')) await approvalsView();
    else if (hash.startsWith('#/trust')) await trustView();
    else await listView();
    main.focus({ preventScroll: true });
  } catch (e) {
    if (e.status === 404) main.replaceChildren(h('p', { class: 'empty' }, 'Not found, or not visible to you.'));
    else if (e.status !== 401) showError(e);
  }
}

window.addEventListener('hashchange', route);
route();
