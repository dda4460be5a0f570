// noc dashboard: live updates over SSE, charts on <canvas>, the queue editor's inline checks
// and the Layer 7 test box. Router-supplied text is only ever set with textContent.
"use strict";

const csrf = () => document.body.dataset.csrf || "";

// The page's messages in its language (rendered by the server into #messages), each with
// its variables written {$name}.
let messages = null;
function T(key, args = {}) {
  if (messages === null) {
    const el = document.getElementById("messages");
    try { messages = el ? JSON.parse(el.textContent) : {}; } catch { messages = {}; }
  }
  const m = messages[key] ?? key;
  return m.replace(/\{\$(\w+)\}/g, (_, n) => String(args[n] ?? ""));
}
// Decimals the way the page's language writes them: 2.5 in English, 2,5 in Indonesian.
const indonesian = () => document.documentElement.lang === "id";
function dec1(x) { const s = x.toFixed(1); return indonesian() ? s.replace(".", ",") : s; }
// The router and device states the server sends (up, down, connecting), in the page's language.
function stateWord(s) {
  switch (s) {
    case "up": return T("js-state-up");
    case "down": return T("js-state-down");
    case "connecting": return T("js-state-connecting");
    default: return s;
  }
}

function rate(v) {
  if (v >= 1e9) return dec1(v / 1e9) + " Gbps";
  if (v >= 1e6) return dec1(v / 1e6) + " Mbps";
  if (v >= 1e3) return dec1(v / 1e3) + " kbps";
  return v + " bps";
}
function bytes(v) {
  if (v >= 1e9) return dec1(v / 1e9) + " GB";
  if (v >= 1e6) return dec1(v / 1e6) + " MB";
  if (v >= 1e3) return dec1(v / 1e3) + " kB";
  return v + " B";
}
function usage(r, m) { return m ? Math.floor(r * 100 / m) : 0; }
// A max-limit pair as the server renders it (0 is unlimited).
function limits(up, down) { return (up ? rate(up) : "∞") + " / " + (down ? rate(down) : "∞"); }

// A chart of points {t, up, down}: both lines, or the `lines` given as [[key, color], ...].
function draw(canvas, points, lines = [["up", "#d9822b"], ["down", "#2b6cd9"]]) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 40;
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px sans-serif";
  ctx.fillStyle = "#666";
  if (!points.length) { ctx.fillText(T("js-no-data"), w / 2 - 30, h / 2); return; }
  const t0 = points[0].t, t1 = points[points.length - 1].t || t0 + 1;
  let max = 1;
  for (const p of points) for (const [key] of lines) max = Math.max(max, p[key]);
  ctx.strokeStyle = "#ddd";
  ctx.beginPath(); ctx.moveTo(pad, 5); ctx.lineTo(pad, h - 15); ctx.lineTo(w - 5, h - 15); ctx.stroke();
  ctx.fillText(rate(max), 2, 12);
  ctx.fillText("0", 2, h - 15);
  const x = t => pad + (t1 === t0 ? 0 : (t - t0) / (t1 - t0)) * (w - pad - 5);
  const y = v => h - 15 - (v / max) * (h - 25);
  for (const [key, color] of lines) {
    ctx.strokeStyle = color; ctx.beginPath();
    points.forEach((p, i) => i ? ctx.lineTo(x(p.t), y(p[key])) : ctx.moveTo(x(p.t), y(p[key])));
    ctx.stroke();
  }
}

// A live stream that says when it is not live: "reconnecting" while the browser retries, and
// a way back in when the server refuses it (the session ended). The page's numbers are then
// the last ones received, marked as such.
function live(url) {
  const es = new EventSource(url);
  const banner = document.getElementById("live-state");
  const say = (text, login) => {
    if (!banner) return;
    banner.textContent = text;
    if (login) {
      const a = document.createElement("a");
      a.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      a.textContent = T("js-login-again");
      banner.append(" ", a);
    }
    banner.hidden = false;
    document.body.classList.add("not-live");
  };
  es.addEventListener("open", () => {
    if (banner) banner.hidden = true;
    document.body.classList.remove("not-live");
  });
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) {
      // Refused for good (401: the session is gone): check, then say so.
      fetch("/api/overview").then(r => {
        if (r.status === 401) say(T("js-live-logged-out"), true);
        else say(T("js-live-stopped"), false);
      }).catch(() => say(T("js-live-unreachable"), false));
    } else {
      say(T("js-live-reconnecting"), false);
    }
  });
  return es;
}

function overview() {
  const series = new Map();
  const es = live("/events/overview");
  es.onmessage = ev => {
    const data = JSON.parse(ev.data);
    for (const r of data.routers) {
      const card = document.querySelector(`section.router[data-router="${r.id}"]`);
      if (!card) continue;
      const set = (f, v) => { const el = card.querySelector(`[data-field="${f}"]`); if (el) el.textContent = v; };
      const st = card.querySelector('[data-field="status"]');
      st.textContent = stateWord(r.status); st.className = "status st-" + r.status;
      set("reason", r.reason);
      // A router that does not answer keeps its last values, greyed, with since when.
      card.classList.toggle("stale", r.stale);
      const note = card.querySelector('[data-field="stale-note"]');
      if (note) { note.hidden = !r.stale; note.textContent = r.stale_note; }
      const res = r.resource || {};
      set("cpu", res.cpu_load ?? "–"); set("mem", r.mem_pct); set("hdd", r.hdd_pct);
      set("uptime", res.uptime || "–"); set("queues", r.queues);
      set("polls", T("js-polls", { ok: r.polls_ok, failed: r.polls_failed })); set("poll-ms", r.last_poll_ms);
      for (const [f, v] of [["cpu-meter", res.cpu_load || 0], ["mem-meter", r.mem_pct], ["hdd-meter", r.hdd_pct]]) {
        const m = card.querySelector(`[data-field="${f}"]`); if (m) m.value = v;
      }
      for (const i of r.interfaces) {
        for (const row of card.querySelectorAll("tr[data-iface]")) {
          if (row.dataset.iface !== i.name) continue;
          row.querySelector('[data-field="rx"]').textContent = rate(i.rx_bps);
          row.querySelector('[data-field="tx"]').textContent = rate(i.tx_bps);
          const run = row.querySelector('[data-field="running"]');
          run.textContent = stateWord(i.running ? "up" : "down"); run.className = i.running ? "up" : "down";
        }
        const key = r.id + "/" + i.name;
        const s = series.get(key) || [];
        s.push({ t: data.t, up: i.tx_bps, down: i.rx_bps });
        if (s.length > 300) s.shift();
        series.set(key, s);
      }
      const pick = card.querySelector(".iface-pick");
      const canvas = card.querySelector("canvas.live-iface");
      if (pick && canvas) draw(canvas, series.get(r.id + "/" + pick.value) || []);
    }
  };
}

function queues() {
  const table = document.getElementById("queue-table");
  if (!table) return;
  const rows = new Map();
  for (const tr of table.querySelectorAll("tbody tr")) rows.set(tr.dataset.name, tr);
  const params = new URLSearchParams(location.search);
  params.set("router", table.dataset.router);
  const es = live("/events/queues?" + params.toString());
  es.onmessage = ev => {
    const data = JSON.parse(ev.data);
    const st = document.getElementById("router-status");
    if (st) { st.textContent = stateWord(data.status); st.className = "status st-" + data.status; }
    document.getElementById("total").textContent = data.page.total;
    // Queues added or removed on the router appear and disappear without a reload.
    const body = table.tBodies[0];
    const seen = new Set();
    const order = data.page.rows.map(q => {
      seen.add(q.name);
      let tr = rows.get(q.name);
      if (!tr) { tr = newRow(table, q); rows.set(q.name, tr); }
      fill(tr, q);
      return tr;
    });
    for (const [name, tr] of rows) if (!seen.has(name)) { tr.remove(); rows.delete(name); }
    order.forEach((tr, i) => { if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null); });
  };
}

function fill(tr, q) {
  tr.querySelector('[data-field="rate"]').textContent = rate(q.rate_up) + " / " + rate(q.rate_down);
  tr.querySelector('[data-field="bytes"]').textContent = bytes(q.bytes_up) + " / " + bytes(q.bytes_down);
  tr.querySelector('[data-field="dropped"]').textContent = q.dropped_up + q.dropped_down;
  // The limit can change on the router (Winbox, another admin): keep it beside the meter
  // computed from it, or a full meter stands next to a stale, much larger limit.
  tr.querySelector('[data-field="max"]').textContent = limits(q.max_up, q.max_down);
  tr.querySelector('[data-field="usage"]').value = Math.max(usage(q.rate_up, q.max_up), usage(q.rate_down, q.max_down));
  tr.classList.toggle("disabled", !!q.disabled);
}

function newRow(table, q) {
  const router = table.dataset.router;
  const tr = document.createElement("tr");
  tr.dataset.name = q.name;
  const cell = (field) => { const td = document.createElement("td"); if (field) td.dataset.field = field; tr.appendChild(td); return td; };
  const link = document.createElement("a");
  link.href = "/queue?router=" + router + "&name=" + encodeURIComponent(q.name);
  link.textContent = q.name;
  cell().appendChild(link);
  const target = cell(); target.className = "secondary"; target.textContent = q.target;
  cell("rate"); cell("max");
  const meter = document.createElement("meter");
  Object.assign(meter, { min: 0, max: 100, low: 70, high: 90, optimum: 0 });
  meter.dataset.field = "usage";
  cell().appendChild(meter);
  cell("bytes").className = "secondary"; cell("dropped").className = "secondary";
  const comment = cell(); comment.className = "comment secondary"; comment.textContent = q.comment;
  if (table.dataset.admin === "true") {
    const td = cell(); td.className = "actions";
    const edit = document.createElement("a");
    edit.href = "/queues/edit?router=" + router + "&name=" + encodeURIComponent(q.name);
    edit.textContent = T("js-edit");
    td.appendChild(edit);
  }
  return tr;
}

function queueDetail() {
  const box = document.getElementById("queue-detail");
  if (!box) return;
  const router = box.dataset.router, name = box.dataset.name;
  const live = [];
  const liveCanvas = document.getElementById("live-chart");
  const q = new URLSearchParams({ router, name });
  fetch("/api/history?" + new URLSearchParams({ router, name, range: "minute" })).then(r => r.json()).then(d => {
    live.unshift(...d.points); draw(liveCanvas, live);
  });
  const es = live("/events/queue?" + q.toString());
  es.onmessage = ev => {
    const d = JSON.parse(ev.data);
    if (!d) return;
    document.getElementById("rate-now").textContent = rate(d.queue.rate_up) + " / " + rate(d.queue.rate_down);
    document.getElementById("bytes-now").textContent = bytes(d.queue.bytes_up) + " / " + bytes(d.queue.bytes_down);
    document.getElementById("max-now").textContent = limits(d.queue.max_up, d.queue.max_down);
    document.getElementById("usage").value = d.usage;
    live.push({ t: d.t, up: d.queue.rate_up, down: d.queue.rate_down });
    while (live.length > 300) live.shift();
    draw(liveCanvas, live);
  };
  historyChart(document.getElementById("history-chart"), { router, name });
}

function editor() {
  const form = document.getElementById("queue-editor");
  if (!form) return;
  let timer = null;
  const check = () => {
    const body = {};
    for (const [k, v] of new FormData(form).entries()) if (k !== "csrf") body[k] = v;
    body.router = Number(body.router);
    fetch("/api/queues/preview", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    }).then(r => r.ok ? r.json() : r.text().then(t => { throw new Error(t); })).then(p => {
      for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = p.field_errors[el.dataset.errorFor] || "";
      const list = document.getElementById("diagnostics");
      list.replaceChildren(...p.diagnostics.map(d => {
        const li = document.createElement("li"); li.className = "sev-" + d.severity;
        li.textContent = `${d.severity}[${d.code}]: ${d.message}`; return li;
      }));
      document.getElementById("plan").textContent = p.commands.join("\n");
      document.getElementById("apply").disabled = !p.ok;
    }).catch(e => { document.getElementById("plan").textContent = T("js-cannot-check", { error: e.message }); });
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 50); });
  check();
}

function l7() {
  const box = document.getElementById("l7-test");
  if (!box) return;
  const router = Number(box.dataset.router);
  const out = document.getElementById("l7-results");
  const show = results => {
    out.replaceChildren(...results.map(r => {
      const p = document.createElement("p");
      p.className = r.matched ? "match" : "nomatch";
      const verdict = r.error ? T("js-l7-error", { error: r.error }) : (r.matched ? T("js-l7-matches") : T("js-l7-no-match"));
      p.textContent = `${r.name}: ${verdict}`;
      for (const d of r.lint || []) {
        const pre = document.createElement("pre"); pre.textContent = d.rendered; p.appendChild(pre);
      }
      return p;
    }));
  };
  document.getElementById("l7-run").addEventListener("click", () => {
    fetch("/api/l7/test", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ router, pattern: document.getElementById("l7-pattern").value, text: document.getElementById("l7-text").value.replace(/\r?\n/g, "\r\n") }),
    }).then(r => r.json()).then(d => show(d.results));
  });
  document.getElementById("l7-pcap").addEventListener("change", ev => {
    const file = ev.target.files[0];
    if (!file) return;
    fetch("/api/l7/pcap?router=" + router, { method: "POST", headers: { "X-CSRF-Token": csrf() }, body: file })
      .then(r => r.ok ? r.json() : r.text().then(t => { throw new Error(t); }))
      .then(d => show(d.flows.map(f => ({ name: T("js-l7-flow", { flow: f.flow, packets: f.packets }), matched: f.matched.length > 0, error: null, lint: [] , extra: f.matched }))
        .map(x => ({ ...x, name: x.name + (x.extra.length ? " → " + x.extra.join(", ") : "") }))))
      .catch(e => { out.textContent = e.message; });
  });
  const table = document.getElementById("l7-activity");
  setInterval(() => {
    fetch("/api/l7/activity?router=" + table.dataset.router).then(r => r.json()).then(d => {
      table.tBodies[0].replaceChildren(...d.events.map(e => {
        const tr = document.createElement("tr");
        for (const v of [e.time, e.host, e.app, e.rule]) { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); }
        return tr;
      }));
    });
  }, 5000);
}

function hotspot() {
  const form = document.getElementById("generate-form");
  if (!form) return;
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    delete data.csrf;
    const bar = document.getElementById("gen-progress");
    const msg = document.getElementById("gen-status");
    bar.hidden = false; bar.max = Number(data.count) || 1; bar.value = 0;
    msg.textContent = T("js-vouchers-adding");
    fetch("/api/hotspot/generate", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(data),
    }).then(r => r.ok ? r.json() : r.text().then(t => { throw new Error(t); })).then(({ job }) => {
      const poll = () => fetch("/api/hotspot/jobs/" + job).then(r => r.json()).then(j => {
        bar.max = j.total; bar.value = j.added;
        msg.textContent = T("js-vouchers-progress", { added: j.added, total: j.total });
        if (!j.done) { setTimeout(poll, 300); return; }
        if (j.error) { msg.textContent = T("js-vouchers-stopped", { added: j.added, error: j.error }); }
        if (j.batch) { location.href = `/hotspot/batch?router=${data.router}&batch=${encodeURIComponent(j.batch)}`; }
      });
      poll();
    }).catch(e => { msg.textContent = e.message; bar.hidden = true; });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  switch (document.body.dataset.page) {
    case "overview": overview(); break;
    case "queues": queues(); queueDetail(); editor(); break;
    case "l7": l7(); break;
    case "hotspot": hotspot(); break;
    case "alerts": alerts(); ruleForm(); break;
  }
  // Confirmations name the thing and the router (the form's data-confirm).
  for (const f of document.querySelectorAll("form[data-confirm]")) {
    f.addEventListener("submit", ev => { if (!confirm(f.dataset.confirm)) ev.preventDefault(); });
  }
  for (const b of document.querySelectorAll("button[data-print]")) {
    b.addEventListener("click", () => window.print());
  }
  // "Back" on error pages (inline script is forbidden by the Content-Security-Policy).
  for (const a of document.querySelectorAll("a[data-back]")) {
    a.addEventListener("click", ev => { if (history.length > 1) { ev.preventDefault(); history.back(); } });
  }
  // A success message after a change (`?done=...`), then the URL is cleaned.
  const done = new URLSearchParams(location.search).get("done");
  const flash = document.getElementById("flash");
  if (done && flash) {
    flash.textContent = done; flash.hidden = false;
    const u = new URL(location.href); u.searchParams.delete("done"); history.replaceState(null, "", u);
  }
});

// The queue tree page: rates, usage and counters of each entry after every poll; entries
// added or removed on the router appear and disappear without a reload, in tree order.
function trees() {
  const table = document.getElementById("tree-table");
  if (!table) return;
  const router = table.dataset.router;
  const admin = table.dataset.admin === "true";
  const body = table.tBodies[0];
  const rows = new Map();
  for (const tr of body.rows) if (tr.dataset.name !== undefined) rows.set(tr.dataset.name, tr);
  const link = (href, text) => { const a = document.createElement("a"); a.href = href; a.textContent = text; return a; };
  const q = name => "router=" + router + "&name=" + encodeURIComponent(name);
  const newTreeRow = t => {
    const tr = document.createElement("tr");
    tr.dataset.name = t.name;
    const cell = field => { const td = document.createElement("td"); if (field) td.dataset.field = field; tr.appendChild(td); return td; };
    cell("name");
    for (const f of ["parent", "marks", "queue", "rate", "max"]) cell(f);
    const meter = document.createElement("meter");
    Object.assign(meter, { min: 0, max: 100, low: 70, high: 90, optimum: 0 });
    meter.dataset.field = "usage";
    cell().appendChild(meter);
    cell("bytes"); cell("dropped");
    cell("comment").className = "comment";
    if (admin) { const td = cell(); td.className = "actions"; td.appendChild(link("/trees/edit?" + q(t.name), T("js-edit"))); }
    return tr;
  };
  const fillTree = (tr, t) => {
    const name = tr.querySelector('[data-field="name"]');
    name.className = "depth-" + Math.min(t.depth, 8);
    const parts = [];
    if (t.depth) parts.push(document.createTextNode("└ "));
    parts.push(link("/tree?" + q(t.name), t.name));
    if (t.disabled) { const s = document.createElement("small"); s.textContent = " " + T("js-disabled"); parts.push(s); }
    name.replaceChildren(...parts);
    tr.querySelector('[data-field="parent"]').textContent = t.parent;
    tr.querySelector('[data-field="marks"]').textContent = t.packet_marks;
    tr.querySelector('[data-field="queue"]').textContent = t.queue;
    tr.querySelector('[data-field="rate"]').textContent = rate(t.rate);
    tr.querySelector('[data-field="max"]').textContent = t.max_limit ? rate(t.max_limit) : "∞";
    tr.querySelector('[data-field="usage"]').value = usage(t.rate, t.max_limit);
    tr.querySelector('[data-field="bytes"]').textContent = bytes(t.bytes);
    tr.querySelector('[data-field="dropped"]').textContent = t.dropped;
    tr.querySelector('[data-field="comment"]').textContent = t.comment;
    tr.classList.toggle("disabled", !!t.disabled);
  };
  const es = live("/events/trees?router=" + router);
  es.onmessage = ev => {
    const data = JSON.parse(ev.data);
    if (!data) return;
    const st = document.getElementById("router-status");
    if (st) { st.textContent = stateWord(data.status); st.className = "status st-" + data.status; }
    document.getElementById("tree-count").textContent = data.trees.length;
    const seen = new Set();
    const order = data.trees.map(t => {
      seen.add(t.name);
      let tr = rows.get(t.name);
      if (!tr) { tr = newTreeRow(t); rows.set(t.name, tr); }
      fillTree(tr, t);
      return tr;
    });
    for (const [name, tr] of rows) if (!seen.has(name)) { tr.remove(); rows.delete(name); }
    order.forEach((tr, i) => { if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null); });
    const empty = body.querySelector("tr.empty");
    if (empty) empty.hidden = data.trees.length > 0;
  };
}

// A history chart with Hour/Day/Week/Year buttons, from /api/history (`kind` is queue or tree;
// a tree's one rate is the series' `down`).
function historyChart(canvas, params, lines) {
  const load = range => fetch("/api/history?" + new URLSearchParams({ ...params, range }))
    .then(r => r.json()).then(d => draw(canvas, d.points, lines));
  for (const b of document.querySelectorAll("button.range")) {
    b.addEventListener("click", () => {
      for (const o of document.querySelectorAll("button.range")) o.classList.remove("on");
      b.classList.add("on"); load(b.dataset.range);
    });
  }
  load("hour");
}

function treeDetail() {
  const box = document.getElementById("tree-detail");
  if (!box) return;
  historyChart(document.getElementById("history-chart"),
    { router: box.dataset.router, name: box.dataset.name, kind: "tree" }, [["down", "#2b6cd9"]]);
}

// The tree editor: every change is checked on the server (the whole configuration with the
// edit applied); checks are shown beside the fields they are about, with the plan.
function treeEditor() {
  const form = document.getElementById("tree-editor");
  if (!form || form.querySelector('input[name="remove"]')) return;
  let timer = null;
  const check = () => {
    const body = {};
    for (const [k, v] of new FormData(form).entries()) if (k !== "csrf") body[k] = v;
    body.router = Number(body.router);
    fetch("/api/trees/preview", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    }).then(r => r.ok ? r.json() : r.text().then(t => { throw new Error(t); })).then(p => {
      for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = p.field_errors[el.dataset.errorFor] || "";
      const item = d => {
        const li = document.createElement("li"); li.className = "sev-" + d.severity;
        li.textContent = `${d.severity}[${d.code}]: ${d.message}` + (d.fix ? ` (${d.fix})` : ""); return li;
      };
      for (const ul of form.querySelectorAll("[data-checks-for]")) ul.replaceChildren(...(p.field_checks[ul.dataset.checksFor] || []).map(item));
      document.getElementById("diagnostics").replaceChildren(...p.diagnostics.map(item));
      document.getElementById("plan").textContent = p.commands.length ? p.commands.join("\n") : T("js-nothing-to-do");
      document.getElementById("apply").disabled = !p.ok;
    }).catch(e => { document.getElementById("plan").textContent = T("js-cannot-check", { error: e.message }); });
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 50); });
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.body.dataset.page === "trees") { trees(); treeDetail(); treeEditor(); }
});

// The Alerts page: an open alert's count, last-seen time and state as they change, and what
// "acknowledge all" would acknowledge now (its count, and the newest alert it covers).
function alerts() {
  const table = document.getElementById("alerts");
  if (!table || table.dataset.live === undefined) return;
  const es = new EventSource("/events/alerts?" + table.dataset.live);
  es.onmessage = ev => {
    const d = JSON.parse(ev.data);
    if (!d) return;
    document.getElementById("alert-total").textContent = d.total;
    for (const a of d.alerts) {
      const tr = table.querySelector(`tr[data-alert="${Number(a.id)}"]`);
      if (!tr) continue;
      for (const [f, v] of [["last", a.last_seen], ["count", a.count], ["state", a.state]]) {
        const el = tr.querySelector(`[data-field="${f}"]`);
        if (el) el.textContent = v;
      }
    }
    const form = document.getElementById("ack-all");
    if (form) {
      form.hidden = !d.ackable;
      document.getElementById("ack-count").textContent = d.ackable;
      form.querySelector('input[name="up_to"]').value = d.up_to;
      form.dataset.confirm = T("js-ack-all-confirm", { count: d.ackable });
    }
  };
}

// The rule form shows the fields of the chosen kind only; the others are disabled so they
// are not sent. Without this script every field shows, labelled with its kinds.
function ruleForm() {
  const form = document.getElementById("rule-form");
  if (!form) return;
  const kind = form.querySelector('select[name="kind"]');
  const show = () => {
    for (const g of form.querySelectorAll("[data-kinds]")) {
      const on = g.dataset.kinds.split(" ").includes(kind.value);
      g.hidden = !on;
      for (const el of g.querySelectorAll("input, select, textarea")) el.disabled = !on;
    }
  };
  kind.addEventListener("change", show);
  show();
}
// Devices: states and latency refreshed every 3 s.
function devices() {
  const table = document.getElementById("device-list");
  if (!table) return;
  const refresh = () => fetch("/api/devices").then(r => r.ok ? r.json() : null).then(d => {
    if (!d) return;
    let down = 0;
    for (const dev of d.devices) {
      if (dev.status === "down") down++;
      const tr = [...table.querySelectorAll("tr[data-device]")].find(t => t.dataset.device === dev.name);
      if (!tr) continue;
      const st = tr.querySelector("[data-field=status]");
      st.textContent = stateWord(dev.status); st.className = "st-" + dev.status;
      tr.querySelector("[data-field=ms]").textContent = dev.ms == null ? "–" : dev.ms;
    }
    const sum = document.getElementById("devices-summary");
    if (sum) sum.textContent = T("js-devices-summary", { count: d.devices.length, down });
  }).catch(() => {});
  setInterval(refresh, 3000);
}
document.addEventListener("DOMContentLoaded", devices);
