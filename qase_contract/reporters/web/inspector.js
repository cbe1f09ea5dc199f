// The inspector's page: the list of deliveries, filled live from server-sent events, and the
// chosen delivery in detail. Plain JavaScript, no library. Everything that comes from a
// delivery is put in the page as text (text nodes, textContent), never as markup.
"use strict";

(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const ROW = 46; // px: the height of .row in inspector.css
  const OVERSCAN = 8;
  const VERDICTS = ["conforming", "drift", "violation", "rejected", "error"];

  const state = {
    byId: new Map(), // id -> summary
    order: [], // ids, oldest first
    shown: [], // ids passing the filters, newest first
    selected: null,
    last: 0,
    capacity: 10000,
    capture: null,
    replayTo: null,
    events: new Set(),
    textIds: null, // ids whose body or summary holds the text (from the server)
    textComplete: true,
    stream: null,
    detailId: null,
    replayStatus: null,
  };

  const $ = (id) => document.getElementById(id);
  const list = $("list");
  const spacer = $("spacer");
  const detail = $("detail");
  const filterEvent = $("filter-event");
  const filterVerdict = $("filter-verdict");
  const filterText = $("filter-text");

  // -- small helpers ------------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function api(path, options = {}) {
    const headers = { Authorization: "Bearer " + token };
    return fetch(path, { ...options, headers, cache: "no-store" }).then(async (response) => {
      let body = null;
      try {
        body = await response.json();
      } catch (_) {
        body = null;
      }
      if (!response.ok) throw new Error((body && body.error) || response.status + " " + response.statusText);
      return body;
    });
  }

  function badge(verdict) {
    return el("span", { class: "badge " + verdict }, verdict);
  }

  function clock(at) {
    return typeof at === "string" && at.length >= 23 ? at.slice(11, 23) : String(at || "");
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function eventName(summary) {
    return summary.event === null ? "(no event)" : summary.event;
  }

  function firstLine(summary) {
    if (summary.first) {
      const more = summary.findings > 1 ? "  (+" + (summary.findings - 1) + " more)" : "";
      return summary.first.code + " " + (summary.first.path || "/") + ": " + summary.first.message + more;
    }
    if (summary.reason) return summary.reason;
    if (summary.verdict === "conforming") return "no finding";
    return summary.method + " " + summary.path;
  }

  function answerText(answer) {
    if (answer.status === null) return answer.error || "no answer";
    let text = answer.status + " in " + answer.latency_ms + " ms";
    if (!answer.ok && answer.excerpt) text += ": " + answer.excerpt;
    return text;
  }

  // -- the list ------------------------------------------------------------------------------

  function summaryText(summary) {
    const first = summary.first || {};
    return [eventName(summary), summary.verdict, summary.status, summary.path, summary.reason, summary.at,
      first.code, first.path, first.message].join("\n").toLowerCase();
  }

  function matches(summary) {
    const event = filterEvent.value;
    if (event && eventName(summary) !== event) return false;
    const verdict = filterVerdict.value;
    if (verdict && summary.verdict !== verdict) return false;
    const text = filterText.value.trim().toLowerCase();
    if (!text) return true;
    if (state.textIds && state.textIds.has(summary.id)) return true;
    return summaryText(summary).includes(text);
  }

  function refilter() {
    state.shown = [];
    for (let index = state.order.length - 1; index >= 0; index -= 1) {
      const summary = state.byId.get(state.order[index]);
      if (matches(summary)) state.shown.push(summary.id);
    }
    scheduleRender();
  }

  function remember(summary) {
    state.byId.set(summary.id, summary);
    state.order.push(summary.id);
    const name = eventName(summary);
    if (!state.events.has(name)) {
      state.events.add(name);
      const options = [...state.events].sort();
      const at = options.indexOf(name);
      const option = el("option", { value: name }, name);
      filterEvent.insertBefore(option, filterEvent.options[at + 1] || null);
    }
  }

  function forgetOldest() {
    while (state.order.length > state.capacity) {
      const gone = state.order.shift();
      state.byId.delete(gone);
      if (state.shown.length && state.shown[state.shown.length - 1] === gone) state.shown.pop();
    }
  }

  function arrived(summary) {
    if (state.byId.has(summary.id)) return;
    remember(summary);
    forgetOldest();
    if (matches(summary)) {
      state.shown.unshift(summary.id);
      // Keep what the reader looks at in place when a row arrives above it.
      if (list.scrollTop > 0) list.scrollTop += ROW;
    }
    if (filterText.value.trim()) searchSoon(1000);
    scheduleRender();
  }

  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  const pool = [];
  function render() {
    const count = state.shown.length;
    spacer.style.height = count * ROW + "px";
    const first = Math.max(0, Math.floor(list.scrollTop / ROW) - OVERSCAN);
    const visible = Math.ceil((list.clientHeight || 600) / ROW) + 2 * OVERSCAN;
    const last = Math.min(count, first + visible);
    while (pool.length < last - first) {
      const row = el("div", { class: "row", role: "option" });
      row.addEventListener("click", () => select(Number(row.dataset.id), false));
      list.append(row);
      pool.push(row);
    }
    pool.forEach((row, slot) => {
      const position = first + slot;
      if (position >= last) {
        row.hidden = true;
        row.removeAttribute("id");
        return;
      }
      const summary = state.byId.get(state.shown[position]);
      row.hidden = false;
      row.id = "row-" + summary.id;
      row.dataset.id = summary.id;
      row.dataset.verdict = summary.verdict;
      row.style.transform = "translateY(" + position * ROW + "px)";
      row.setAttribute("aria-selected", String(summary.id === state.selected));
      row.setAttribute("aria-setsize", String(count));
      row.setAttribute("aria-posinset", String(position + 1));
      const answer = summary.answer;
      const forwarded = answer ? (answer.status === null ? "none" : String(answer.status)) : "";
      row.replaceChildren(
        el("div", { class: "row-main" },
          el("span", { class: "time", title: summary.at }, clock(summary.at)),
          el("span", { class: "event", title: eventName(summary) }, eventName(summary)),
          el("span", {}, badge(summary.verdict)),
          el("span", { class: "number status" }, summary.status),
          el("span", { class: "number forwarded", title: answer ? answerText(answer) : "not forwarded" }, forwarded),
          el("span", { class: "number size" }, size(summary.size)),
        ),
        el("div", { class: "first" }, firstLine(summary)),
      );
    });
    if (state.selected !== null && document.getElementById("row-" + state.selected)) {
      list.setAttribute("aria-activedescendant", "row-" + state.selected);
    } else {
      list.removeAttribute("aria-activedescendant");
    }
    $("empty").hidden = state.order.length > 0;
    renderCounts();
  }

  function renderCounts() {
    const counts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0]));
    for (const summary of state.byId.values()) counts[summary.verdict] = (counts[summary.verdict] || 0) + 1;
    const parts = VERDICTS.filter((verdict) => counts[verdict] || verdict !== "error")
      .map((verdict) => counts[verdict] + " " + verdict);
    $("counts").textContent = state.order.length + " deliveries: " + parts.join(", ");
    let shown = "Showing " + state.shown.length + " of " + state.order.length + ", newest first";
    if (state.order.length >= state.capacity) shown += " (the latest " + state.capacity + " are kept)";
    if (filterText.value.trim() && !state.textComplete) shown += "; older bodies not searched";
    $("shown").textContent = shown;
  }

  // -- moving through the list ---------------------------------------------------------------

  function select(id, keepFocus) {
    state.selected = id;
    const position = state.shown.indexOf(id);
    if (position >= 0) {
      const top = position * ROW;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (top + ROW > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW - list.clientHeight;
    }
    render();
    if (!keepFocus) list.focus();
    showDetail(id);
  }

  function move(step) {
    if (!state.shown.length) return;
    const position = state.shown.indexOf(state.selected); // -1: none yet, so one step down is the first
    const next = Math.max(0, Math.min(state.shown.length - 1, position + step));
    select(state.shown[next], true);
  }

  list.addEventListener("scroll", scheduleRender);
  window.addEventListener("resize", scheduleRender);
  list.addEventListener("keydown", (event) => {
    const page = Math.max(1, Math.floor(list.clientHeight / ROW) - 1);
    const steps = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: page, PageUp: -page };
    if (event.key in steps) move(steps[event.key]);
    else if (event.key === "Home") move(-Infinity);
    else if (event.key === "End") move(Infinity);
    else if (event.key === "Enter" && state.selected !== null) detail.focus();
    else return;
    event.preventDefault();
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if (event.key === "/" && !typing) {
      event.preventDefault();
      filterText.focus();
      filterText.select();
    } else if (event.key === "Escape") {
      if (event.target === filterText && filterText.value) {
        filterText.value = "";
        textChanged();
      }
      list.focus();
    }
  });

  // -- filters -------------------------------------------------------------------------------

  let searchTimer = null;
  let searchNumber = 0;
  function searchSoon(delay) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, delay);
  }

  function search() {
    const text = filterText.value.trim();
    const number = (searchNumber += 1);
    if (!text) {
      state.textIds = null;
      state.textComplete = true;
      refilter();
      return;
    }
    api("/api/search?q=" + encodeURIComponent(text))
      .then((found) => {
        if (number !== searchNumber) return; // a later search is under way
        state.textIds = new Set(found.ids);
        state.textComplete = found.complete;
        refilter();
      })
      .catch(() => {});
  }

  function textChanged() {
    state.textIds = null;
    refilter();
    searchSoon(200);
  }

  filterEvent.addEventListener("change", refilter);
  filterVerdict.addEventListener("change", refilter);
  filterText.addEventListener("input", textChanged);
  $("filters").addEventListener("submit", (event) => event.preventDefault());

  // -- the chosen delivery -------------------------------------------------------------------

  let detailNumber = 0;
  function showDetail(id) {
    const number = (detailNumber += 1);
    api("/api/deliveries/" + id)
      .then((data) => {
        if (number !== detailNumber) return;
        const top = id === state.detailId ? detail.scrollTop : 0; // an update keeps the reader's place
        state.detailId = id;
        detail.replaceChildren(...renderDetail(data));
        detail.scrollTop = top;
      })
      .catch((error) => {
        if (number === detailNumber) detail.replaceChildren(el("p", { class: "placeholder" }, error.message));
      });
  }

  function renderDetail(data) {
    const nodes = [];
    const title = data.event === null ? (data.verdict === "rejected" ? "Refused request" : "(no event)") : data.event;
    nodes.push(el("h2", {}, title, " ", badge(data.verdict)));
    const from = data.remote_addr ? " from " + data.remote_addr : "";
    const source = data.history ? " (read back from the capture file)" : "";
    nodes.push(el("p", { class: "facts" }, "Received " + data.at + from + ": " + data.method + " " + data.path +
      (data.query ? "?" + data.query : "") + source));
    if (data.reason) nodes.push(el("p", { class: "facts" }, data.reason));
    if (data.note) nodes.push(el("p", { class: "facts" }, "Note: " + data.note));
    nodes.push(renderActions(data));
    if (data.gone) {
      nodes.push(el("p", { class: "placeholder" },
        "Its body is no longer kept: the inspector keeps the latest bodies in memory; " +
        "listen --record FILE keeps them all."));
      nodes.push(...renderAnswers(data));
      return nodes;
    }
    nodes.push(...renderFindings(data));
    nodes.push(...renderBody(data));
    nodes.push(el("h3", {}, "Answer"));
    const answer = data.answer;
    const by = answer.by ? " (" + answer.by + ")" : "";
    const delay = answer.delay ? ", after " + answer.delay + " s" : "";
    nodes.push(el("p", { class: "facts" }, "Status " + answer.status + by + delay));
    if (answer.text !== null) nodes.push(el("pre", { class: "raw body" }, answer.text));
    else nodes.push(el("p", { class: "muted" }, "The capture file keeps the status answered, not the answer's body."));
    nodes.push(...renderAnswers(data));
    nodes.push(el("h3", {}, "Headers"), renderHeaders(data.headers));
    return nodes;
  }

  function renderActions(data) {
    const actions = el("div", { class: "actions" });
    const said = state.replayStatus && state.replayStatus.id === data.id ? state.replayStatus.text : "";
    const status = el("span", { id: "replay-status", role: "status", "aria-live": "polite" }, said);
    const say = (text) => {
      state.replayStatus = { id: data.id, text };
      const shown = document.getElementById("replay-status");
      if (shown) shown.textContent = text;
    };
    const canReplay = state.replayTo !== null && data.verdict !== "rejected" && !data.gone;
    const label = state.replayTo ? "Replay to " + state.replayTo : "Replay (needs listen --forward-to URL)";
    const button = el("button", { type: "button", id: "replay", disabled: !canReplay }, label);
    button.addEventListener("click", () => {
      button.disabled = true;
      say("Replaying…");
      api("/api/deliveries/" + data.id + "/replay", { method: "POST" })
        .then((answer) => say("Your consumer answered " + answerText(answer)))
        .catch((error) => say("Not replayed: " + error.message))
        .finally(() => {
          const shown = document.getElementById("replay");
          if (shown) shown.disabled = false;
        });
    });
    actions.append(button, status);
    return actions;
  }

  function renderAnswers(data) {
    const items = (data.forwarded || []).map((answer) =>
      el("li", { class: answer.ok ? "" : "failed" },
        (answer.replay ? "Replayed" : "Forwarded") + " " + clock(answer.at) + " to " + answer.target + ": ",
        el("strong", {}, answerText(answer))));
    const heading = el("h3", {}, "Your consumer's answers");
    if (!items.length) {
      const none = state.replayTo ? "None yet." : "Not forwarded: listen has no --forward-to.";
      return [heading, el("p", { class: "muted", id: "answers" }, none)];
    }
    return [heading, el("ul", { class: "answers", id: "answers" }, ...items)];
  }

  function renderFindings(data) {
    if (!data.findings.length) return [el("h3", {}, "Findings"), el("p", { class: "muted" }, "None: the delivery conforms.")];
    const items = data.findings.map((finding, index) =>
      el("li", { class: "finding-item " + finding.kind },
        badge(finding.kind), " ", el("code", {}, finding.code), " ",
        el("a", { href: "#finding-" + index, class: "mono" }, finding.path || "/"), ": ", finding.message));
    return [el("h3", {}, "Findings (" + data.findings.length + ")"), el("ol", { class: "findings" }, ...items)];
  }

  // The line a finding points at: its own, or the nearest enclosing one (a missing field).
  function lineFor(pointers, path) {
    let pointer = path;
    for (;;) {
      if (pointers.has(pointer)) return pointers.get(pointer);
      if (pointer === "") return 0;
      pointer = pointer.slice(0, pointer.lastIndexOf("/"));
    }
  }

  function renderBody(data) {
    const body = data.body;
    const heading = el("h3", {}, "Body (" + size(body.size) + ")");
    if (!body.lines) {
      const why = body.encoding === "base64" ? "Not UTF-8: shown as base64." : body.complete ? "" : "Shown in part.";
      return [heading, why ? el("p", { class: "muted" }, why) : null, el("pre", { class: "raw body" }, body.text)];
    }
    const pointers = new Map();
    body.lines.forEach(([, pointer], index) => {
      if (pointer !== null && !pointers.has(pointer)) pointers.set(pointer, index);
    });
    const notes = new Map();
    data.findings.forEach((finding, index) => {
      const at = lineFor(pointers, finding.path);
      if (!notes.has(at)) notes.set(at, []);
      notes.get(at).push([finding, index]);
    });
    const box = el("div", { class: "body", role: "region", "aria-label": "Body, with the findings marked" });
    body.lines.forEach(([depth, pointer, text], index) => {
      const marked = notes.get(index);
      const kind = marked ? (marked.some(([finding]) => finding.kind === "violation") ? "violation" : "drift") : "";
      const line = el("div", { class: "line" + (marked ? " marked " + kind : ""), "data-pointer": pointer }, text);
      line.style.paddingLeft = 12 + depth * 16 + "px";
      box.append(line);
      for (const [finding, number] of marked || []) {
        const note = el("div", { class: "note " + finding.kind, id: "finding-" + number },
          "▲ " + finding.kind + " " + finding.code + ": " + finding.message);
        note.style.marginLeft = 12 + depth * 16 + "px";
        box.append(note);
      }
    });
    return [heading, box];
  }

  function renderHeaders(headers) {
    const rows = Object.entries(headers).map(([name, value]) => el("tr", {}, el("td", {}, name), el("td", {}, value)));
    return el("table", { class: "headers" }, el("tbody", {}, ...rows));
  }

  function answered(change) {
    const summary = state.byId.get(change.id);
    if (summary) {
      summary.answer = change.answer;
      scheduleRender();
    }
    if (change.id === state.selected) showDetail(change.id);
  }

  // -- loading and following -----------------------------------------------------------------

  function setConnection(text, kind) {
    const node = $("connection");
    node.textContent = text;
    node.className = "connection " + kind;
  }

  function load() {
    if (state.stream) state.stream.close();
    return api("/api/deliveries")
      .then((data) => {
        state.byId.clear();
        state.order = [];
        state.capacity = data.capacity;
        state.capture = data.capture;
        state.replayTo = data.replay_to;
        data.deliveries.slice().reverse().forEach(remember);
        state.last = data.last;
        const download = $("download");
        download.hidden = !data.capture;
        if (data.capture) {
          download.href = "/capture.jsonl?token=" + encodeURIComponent(token);
          download.setAttribute("download", data.capture);
        }
        refilter();
        follow();
      })
      .catch((error) => {
        setConnection("Not connected: " + error.message, "down");
        setTimeout(load, 3000);
      });
  }

  function follow() {
    const stream = new EventSource("/api/stream?token=" + encodeURIComponent(token) + "&after=" + state.last);
    state.stream = stream;
    stream.onopen = () => setConnection("Live", "live");
    stream.addEventListener("delivery", (message) => arrived(JSON.parse(message.data)));
    stream.addEventListener("answer", (message) => answered(JSON.parse(message.data)));
    stream.addEventListener("reset", () => load());
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED) {
        setConnection("Disconnected: retrying", "down");
        setTimeout(load, 3000);
      } else {
        setConnection("Reconnecting…", "down");
      }
    };
  }

  if (!token) {
    setConnection("No token: open the address listen printed", "down");
  } else {
    load();
  }
})();
