// oncodrop console: live sample updates (server-sent events), drag-and-drop upload.
// Served by oncodrop itself; no framework, no CDN.
"use strict";

const NAME_OK = /^[A-Za-z0-9_.\-]+-[0-9A-Fa-f]{6}-(somatic|normal|germline)\.tar\.gz$/;
const csrf = () => document.body.dataset.csrf || "";

function cell(text, cls) {
  const td = document.createElement("td");
  if (cls) td.className = cls;
  td.textContent = text;
  return td;
}

function badge(state) {
  const span = document.createElement("span");
  span.className = "badge";
  span.textContent = state;
  return span;
}

function when(iso) {
  const t = document.createElement("time");
  t.dateTime = iso;
  t.textContent = iso.replace("T", " ").slice(0, 19);
  return t;
}

function newRow(s) {
  const tr = document.createElement("tr");
  tr.dataset.id = s.id;
  tr.appendChild(cell(String(s.id)));
  const key = cell("");
  const a = document.createElement("a");
  a.href = "/samples/" + s.id;
  a.textContent = s.key;
  key.appendChild(a);
  tr.appendChild(key);
  tr.appendChild(cell(s.kind));
  tr.appendChild(cell("", "state"));
  tr.appendChild(cell(String(s.run)));
  tr.appendChild(cell("", "reason"));
  tr.appendChild(cell("", "updated"));
  return tr;
}

function fillRow(tr, s) {
  tr.className = "state-" + s.state;
  const state = tr.querySelector("td.state");
  state.replaceChildren(badge(s.state));
  tr.children[4].textContent = String(s.run);
  tr.querySelector("td.reason").textContent = s.reason_code || "";
  tr.querySelector("td.updated").replaceChildren(when(s.updated_at));
}

function liveTable(table) {
  const status = document.getElementById("live");
  const source = new EventSource("/api/v1/events");
  source.addEventListener("open", () => { if (status) status.textContent = "live"; });
  source.addEventListener("error", () => { if (status) status.textContent = "reconnecting…"; });
  source.addEventListener("sample", (ev) => {
    const s = JSON.parse(ev.data);
    let tr = table.querySelector('tr[data-id="' + s.id + '"]');
    if (!tr) {
      if (table.dataset.live !== "all") return;
      tr = newRow(s);
      table.tBodies[0].prepend(tr);
      const empty = document.getElementById("empty");
      if (empty) empty.remove();
    }
    fillRow(tr, s);
  });
}

function liveSample(facts) {
  const source = new EventSource("/api/v1/events");
  source.addEventListener("sample", (ev) => {
    const s = JSON.parse(ev.data);
    if (String(s.id) === facts.dataset.id && s.state !== facts.dataset.state) {
      source.close();
      window.location.reload();
    }
  });
}

function uploadOne(form, file, list) {
  const li = document.createElement("li");
  const label = document.createElement("span");
  label.textContent = file.name + " ";
  li.appendChild(label);
  list.appendChild(li);
  const note = (text, cls) => {
    const span = document.createElement("span");
    span.className = cls || "";
    span.textContent = text;
    li.appendChild(span);
  };
  if (!NAME_OK.test(file.name)) {
    note("not sent: name it {sample_batch}-{id6}-{somatic|normal}.tar.gz", "rejected");
    return;
  }
  if (file.size > Number(form.dataset.max)) {
    note("not sent: larger than the intake cap", "rejected");
    return;
  }
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  li.appendChild(bar);
  const prefix = form.querySelector("#prefix").value;
  if (form.dataset.presign) { uploadDirect(form, file, prefix, bar, note); return; }
  const data = new FormData();
  data.append("file", file);
  data.append("prefix", prefix);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("X-CSRF-Token", csrf());
  track(xhr, bar, note, 201, (body) => " uploaded as " + body.key);
  xhr.send(data);
}

function track(xhr, bar, note, okStatus, okText) {
  xhr.upload.addEventListener("progress", (ev) => { if (ev.lengthComputable) bar.value = 100 * ev.loaded / ev.total; });
  xhr.addEventListener("load", () => {
    bar.value = 100;
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
    if (xhr.status === okStatus) note(okText(body), "uploaded");
    else note(" refused: " + (body.message || body.detail || xhr.status), "rejected");
  });
  xhr.addEventListener("error", () => note(" network error", "rejected"));
}

// S3 store: ask the console for a form signed for this one key, then post the file to the bucket.
function uploadDirect(form, file, prefix, bar, note) {
  fetch(form.dataset.presign, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: JSON.stringify({ filename: file.name, size: file.size, prefix: prefix }),
  }).then((r) => r.json().then((body) => ({ ok: r.ok, body: body }))).then(({ ok, body }) => {
    if (!ok) { note(" refused: " + (body.message || body.detail), "rejected"); return; }
    const data = new FormData();
    Object.entries(body.fields).forEach(([k, v]) => data.append(k, v));
    data.append("file", file);  // S3 wants the file last
    const xhr = new XMLHttpRequest();
    xhr.open("POST", body.url);
    track(xhr, bar, note, 204, () => " uploaded as " + body.key + " (checked by the service on arrival)");
    xhr.send(data);
  }, () => note(" network error", "rejected"));
}

function uploader(form) {
  const drop = document.getElementById("drop");
  const input = document.getElementById("file");
  const list = document.getElementById("uploads");
  const send = (files) => Array.from(files).forEach((f) => uploadOne(form, f, list));
  input.addEventListener("change", () => { send(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (ev) => { ev.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (ev) => { ev.preventDefault(); send(ev.dataTransfer.files); });
  form.addEventListener("submit", (ev) => ev.preventDefault());
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("samples");
  if (table) liveTable(table);
  const facts = document.getElementById("sample");
  if (facts && !["SUCCEEDED", "DEAD", "REJECTED"].includes(facts.dataset.state)) liveSample(facts);
  const form = document.getElementById("upload-form");
  if (form) uploader(form);
});
