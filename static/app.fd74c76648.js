// The file list and the uploader. Every name a user chose is inserted as text, never as HTML.

const listing = document.querySelector("#listing tbody");
const empty = document.querySelector("#empty");
const transfers = document.querySelector("#transfers");

/** Sizes in human units: 1.5 MiB. */
function humanSize(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A cell holding `text` as text. */
function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** The list's picture of a file: its thumbnail once made, else a label of its kind. */
function preview(file) {
  const td = document.createElement("td");
  td.className = "preview";
  const thumbnail = file.thumbnails && file.thumbnails.status === "ready" ? file.thumbnails.sizes["256"] : null;
  if (thumbnail) {
    const image = document.createElement("img");
    image.src = thumbnail;
    image.alt = "";
    td.append(image);
  } else {
    const kind = document.createElement("span");
    kind.className = "kind";
    const labels = { text: "TXT", image: "IMG", video: "VID", audio: "AUD", "application/pdf": "PDF", "application/zip": "ZIP" };
    const type = file.content_type.split(";")[0];
    kind.textContent = labels[type] || labels[type.split("/")[0]] || "FILE";
    td.append(kind);
  }
  return td;
}

/** Sends the browser to sign in, and then back to this page and the file it showed. */
function signIn() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`);
}

/** Fetches the API with the session cookie; a 401 goes to sign in and back. */
async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options, headers: { Accept: "application/json", ...(options.headers || {}) } });
  if (response.status === 401) {
    signIn();
    throw new Error("not signed in");
  }
  return response;
}

/** The detail of an error answer, as text. */
async function detail(response) {
  try {
    const body = await response.json();
    return typeof body.detail === "string" ? body.detail : body.detail.map((issue) => issue.msg).join("; ");
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

const pageSize = 50;
/** Tags shown in a row of the list. */
const tagsShown = 6;

/** "+3", read as "3 more tags": the tags a row of the list does not show. */
function moreTags(count) {
  const span = document.createElement("span");
  span.className = "more";
  span.textContent = `+${count}`;
  span.title = `${count} more tags`;
  span.setAttribute("aria-label", span.title);
  return span;
}

/** The listing's query from the filter form, for `rows` files; `cursor` for the page after. */
function listingQuery(cursor, rows) {
  const query = new URLSearchParams({ limit: String(rows), sort: document.querySelector("#sort").value });
  const text = document.querySelector("#q").value.trim();
  if (text) query.set("q", text);
  const tag = document.querySelector("#tag").value.trim();
  if (tag) query.set("tag", tag);
  const kind = document.querySelector("#kind").value;
  if (kind) query.set("content_type", kind);
  if (cursor) query.set("cursor", cursor);
  return query;
}

let nextCursor = null;
let listings = 0;

/** Draws the list's first `rows` files, or with `more` appends the page after them. */
async function list({ more = false, rows = pageSize } = {}) {
  const turn = ++listings;
  const response = await api(`/api/files?${listingQuery(more ? nextCursor : null, rows)}`);
  const page = response.ok ? await response.json() : null;
  // An earlier request answered after a later one would draw the older list over the newer.
  if (turn !== listings) return;
  if (!page) { alert(await detail(response)); return; }
  nextCursor = page.next_cursor;
  document.querySelector("#more").hidden = !nextCursor;
  const drawn = page.items.map((file) => {
    const row = document.createElement("tr");
    row.dataset.id = file.id;
    const name = document.createElement("td");
    const link = document.createElement("a");
    link.href = `#file/${file.id}`;
    link.textContent = file.name;
    name.append(link);
    // Each tag lists the files carrying it; past the first few, a count (the details show all).
    if (file.tags.length > 0) {
      const tags = document.createElement("span");
      tags.className = "tags";
      for (const tag of file.tags.slice(0, tagsShown)) {
        const chip = document.createElement("button");
        chip.type = "button";
        chip.className = "tag";
        chip.textContent = tag;
        chip.title = tag; // a long one is cut short
        chip.setAttribute("aria-label", `Show files tagged ${tag}`);
        chip.addEventListener("click", () => { document.querySelector("#tag").value = tag; refresh(); });
        tags.append(chip);
      }
      if (file.tags.length > tagsShown) tags.append(moreTags(file.tags.length - tagsShown));
      name.append(" ", tags);
    }
    const actions = document.createElement("td");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete ${file.name}`);
    remove.addEventListener("click", () => removeFile(file));
    actions.append(remove);
    row.append(preview(file), name, cell(file.content_type), cell(humanSize(file.size), "size"), cell(new Date(file.created_at).toLocaleString()), cell(file.owner, "owner"), actions);
    return row;
  });
  if (more) {
    listing.append(...drawn);
  } else {
    // The focus stays on the same link or button of a row drawn again.
    const focused = listing.contains(document.activeElement) ? document.activeElement : null;
    listing.replaceChildren(...drawn);
    if (focused) {
      const row = listing.querySelector(`tr[data-id="${focused.closest("tr").dataset.id}"]`);
      const same = (element) => element.getAttribute("aria-label") === focused.getAttribute("aria-label") && element.textContent === focused.textContent;
      [...(row?.querySelectorAll(focused.localName) ?? [])].find(same)?.focus();
    }
  }
  empty.hidden = listing.children.length > 0;
}

/** How many files the reader has asked to see: a page, and one more for each "Load more". */
let wantedRows = pageSize;

/** The first page of the list as the filters now ask. */
function refresh() {
  wantedRows = pageSize;
  return list();
}

/** The page after the rows shown. */
function loadMore() {
  wantedRows += pageSize;
  return list({ more: true });
}

/** The list again after files changed (here or elsewhere), with as many rows as the reader asked
 * for (the API's most at once): an event must not take away the pages they loaded. */
const redraw = () => Promise.all([list({ rows: Math.min(1000, wantedRows) }), showUsage()]);

let redrawing = null;
let changedMeanwhile = false;

/** One redraw at a time for a burst of events, and one more after it if any came meanwhile. */
function redrawSoon() {
  if (redrawing) { changedMeanwhile = true; return; }
  redrawing = redraw().finally(() => {
    redrawing = null;
    if (changedMeanwhile) { changedMeanwhile = false; redrawSoon(); }
  });
}

document.querySelector("#more").addEventListener("click", loadMore);
document.querySelector("#filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
document.querySelector("#filters").addEventListener("change", () => refresh());
let typing = null;
for (const field of ["#q", "#tag"]) {
  document.querySelector(field).addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => refresh(), 250); });
}

async function removeFile(file) {
  if (!confirm(`Delete ${file.name}?`)) return;
  const response = await api(`/api/files/${file.id}`, { method: "DELETE" });
  if (!response.ok) alert(await detail(response));
  await redraw();
}

/** What a transfer that got no answer at all says: the network or the server went away. */
const connectionFailed = "The connection failed; try again.";

/** A transfer's line in the list of uploads: the name, a progress bar, a status and Cancel. */
function transferItem(file) {
  const item = document.createElement("li");
  const label = document.createElement("span");
  label.textContent = `${file.name} `;
  const bar = document.createElement("progress");
  bar.max = file.size || 1;
  bar.value = 0;
  const status = document.createElement("span");
  status.className = "status";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.textContent = "Cancel";
  item.append(label, bar, " ", status, " ", cancel);
  transfers.append(item);
  return { item, bar, status, cancel };
}

/** A large file's transfer: its progress item, then the tus upload. */
async function uploadLarge(file, tags) {
  const { item, bar, status, cancel } = transferItem(file);
  const ui = {
    cancel,
    progress(sent, first, started) {
      bar.value = sent;
      const seconds = (performance.now() - started) / 1000;
      const speed = (sent - first) / Math.max(seconds, 0.001);
      status.textContent = `${humanSize(speed)}/s, ${speed > 0 ? Math.ceil((file.size - sent) / speed) : "?"} s left`;
    },
  };
  let outcome;
  try {
    outcome = await uploadResumable(file, ui, tags);
  } catch (error) {
    // fetch fails with a TypeError when no answer comes.
    outcome = { ok: false, message: error instanceof TypeError ? connectionFailed : error.message };
  }
  cancel.remove();
  if (outcome.ok) {
    bar.value = bar.max;
    status.textContent = "done";
    item.classList.add("done");
  } else {
    status.textContent = outcome.cancelled ? "cancelled" : outcome.message;
    if (!outcome.cancelled) item.classList.add("error");
  }
}

/** Uploads one file (with `tags`, a comma list) with its own progress bar, speed, time left and cancel. */
function upload(file, tags) {
  const { item, bar, status, cancel } = transferItem(file);

  const request = new XMLHttpRequest();
  const started = performance.now();
  request.upload.addEventListener("progress", (event) => {
    bar.value = event.loaded;
    const seconds = (performance.now() - started) / 1000;
    const speed = event.loaded / Math.max(seconds, 0.001);
    const left = speed > 0 ? (event.total - event.loaded) / speed : 0;
    status.textContent = `${humanSize(speed)}/s, ${Math.ceil(left)} s left`;
  });
  let cancelled = false;
  cancel.addEventListener("click", () => { cancelled = true; request.abort(); });
  return new Promise((resolve) => {
    request.addEventListener("loadend", async () => {
      cancel.remove();
      if (request.status === 401) {
        signIn();
        return resolve();
      }
      if (request.status === 201) {
        bar.value = bar.max;
        status.textContent = "done";
        item.classList.add("done");
      } else if (cancelled) {
        status.textContent = "cancelled";
      } else if (request.status === 0) {
        item.classList.add("error");
        status.textContent = connectionFailed;
      } else {
        item.classList.add("error");
        try {
          const body = JSON.parse(request.responseText);
          status.textContent = typeof body.detail === "string" ? body.detail : body.detail.map((issue) => issue.msg).join("; ");
        } catch {
          status.textContent = `${request.status} ${request.statusText}`;
        }
      }
      resolve();
    });
    const form = new FormData();
    if (tags) form.append("tags", tags);
    form.append("file", file, file.name);
    request.open("POST", "/api/files");
    request.setRequestHeader("Accept", "application/json");
    request.send(form);
  });
}

// MARK: Large files through tus (/api/uploads/): a dropped connection or a reload resumes.

/** Files from this size on go through tus (`localStorage["wharf.tusThreshold"]` changes it). */
const tusThreshold = Number(localStorage.getItem("wharf.tusThreshold")) || 64 * 1024 * 1024;
/** A piece starts at 8 MiB and doubles while each goes in under two seconds, up to 128 MiB: on a
 * fast connection far from the server, each piece's round trip would otherwise cost a large
 * share of its time. A server that takes less in one request (`--max-upload-size`) answers 413,
 * and the piece is halved for the rest of the upload. */
const tusPieces = { first: 8 * 1024 * 1024, most: 128 * 1024 * 1024, least: 1024 * 1024, quick: 2000 };
const tusHeaders = { "Tus-Resumable": "1.0.0" };

/** UTF-8 text as base64, for Upload-Metadata. */
function base64(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Where an upload of this file was begun before (this browser remembers it until it ends). */
function tusKey(file) {
  return `wharf.tus:${file.name}:${file.size}:${file.lastModified}`;
}

/** The upload to continue (its URL and offset), or a new one. */
async function tusStart(file, tags) {
  const known = localStorage.getItem(tusKey(file));
  if (known) {
    const head = await api(known, { method: "HEAD", headers: tusHeaders });
    if (head.ok && !head.headers.get("Wharf-File-URL")) return { url: known, offset: Number(head.headers.get("Upload-Offset")) };
    localStorage.removeItem(tusKey(file));
  }
  const created = await api("/api/uploads/", {
    method: "POST",
    headers: {
      ...tusHeaders,
      "Upload-Length": String(file.size),
      "Upload-Metadata": `filename ${base64(file.name)},filetype ${base64(file.type || "application/octet-stream")}${tags ? `,tags ${base64(tags)}` : ""}`,
    },
  });
  if (created.status !== 201) throw new Error(await detail(created));
  const url = created.headers.get("Location");
  localStorage.setItem(tusKey(file), url);
  return { url, offset: 0 };
}

/** Sends one piece with XHR (for its progress); resolves with the request once it ends. */
function tusPatch(url, offset, piece, onProgress, setCancel) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.upload.addEventListener("progress", (event) => onProgress(event.loaded));
    request.addEventListener("loadend", () => resolve(request));
    setCancel(() => request.abort());
    request.open("PATCH", url);
    request.setRequestHeader("Tus-Resumable", "1.0.0");
    request.setRequestHeader("Upload-Offset", String(offset));
    request.setRequestHeader("Content-Type", "application/offset+octet-stream");
    request.setRequestHeader("Accept", "application/json");
    request.send(piece);
  });
}

/** Uploads a large file through tus, resuming after failures; its progress in `ui`. */
async function uploadResumable(file, ui, tags) {
  let cancelled = false;
  let abort = () => {};
  ui.cancel.addEventListener("click", () => { cancelled = true; abort(); });
  const started = performance.now();
  let { url, offset } = await tusStart(file, tags);
  const first = offset;
  let failures = 0;
  let piece = tusPieces.first;
  let most = tusPieces.most;
  while (offset < file.size && !cancelled) {
    const sentAt = performance.now();
    const whole = offset + piece <= file.size;
    const request = await tusPatch(url, offset, file.slice(offset, offset + piece), (loaded) => ui.progress(offset + loaded, first, started), (cancel) => { abort = cancel; });
    if (request.status === 204) {
      offset = Number(request.getResponseHeader("Upload-Offset"));
      failures = 0;
      const fileURL = request.getResponseHeader("Wharf-File-URL");
      if (fileURL) { localStorage.removeItem(tusKey(file)); return { ok: true }; }
      if (whole && performance.now() - sentAt < tusPieces.quick) piece = Math.min(piece * 2, most);
    } else if (cancelled) {
      break;
    } else if (request.status === 0 || request.status === 409 || request.status === 423 || request.status === 460 || (request.status === 413 && piece > tusPieces.least)) {
      if (request.status === 413) {
        // One request may carry less than this piece: smaller ones from now on, sent at once.
        most = piece = Math.max(tusPieces.least, piece / 2);
      } else {
        // The connection broke or the server holds other bytes: ask where it stands and go on.
        failures += 1;
        if (failures > 5) return { ok: false, message: "The connection keeps failing; try again later to resume." };
        await new Promise((wait) => setTimeout(wait, 1000 * failures));
      }
      let head;
      try {
        head = await api(url, { method: "HEAD", headers: tusHeaders });
      } catch {
        continue; // Still offline: the next try waits longer.
      }
      if (head.status === 423) continue; // Another request still sends to it: the next try waits longer.
      if (!head.ok) { localStorage.removeItem(tusKey(file)); return { ok: false, message: `${head.status} ${head.statusText}` }; }
      offset = Number(head.headers.get("Upload-Offset"));
    } else {
      localStorage.removeItem(tusKey(file));
      try { return { ok: false, message: JSON.parse(request.responseText).detail }; } catch { return { ok: false, message: `${request.status}` }; }
    }
  }
  if (cancelled) {
    await api(url, { method: "DELETE", headers: tusHeaders });
    localStorage.removeItem(tusKey(file));
    return { ok: false, cancelled: true };
  }
  return { ok: true };
}

async function uploadAll(files) {
  const tags = document.querySelector("#upload-tags").value.trim();
  await Promise.all([...files].map((file) => (file.size >= tusThreshold ? uploadLarge(file, tags) : upload(file, tags))));
  // Offline, the transfers already say so: the list stays as it was until the event feed, back,
  // brings what changed.
  await redraw().catch(() => {});
}

document.querySelector("#upload").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.querySelector("#files");
  uploadAll(input.files);
  input.value = "";
});

/** What operating systems leave in folders, which nobody means to upload. */
const systemLitter = new Set([".DS_Store", "Thumbs.db", "desktop.ini"]);

/** The files of a dropped entry: itself, or everything in a folder and the folders in it (Wharf
 * has no folders: each file keeps its own name). */
async function entryFiles(entry) {
  if (entry.isFile) return systemLitter.has(entry.name) ? [] : [await new Promise((resolve, reject) => entry.file(resolve, reject))];
  const reader = entry.createReader();
  const children = [];
  // readEntries gives a folder's entries a batch at a time, then an empty batch.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    children.push(...batch);
  }
  return (await Promise.all(children.map(entryFiles))).flat();
}

/** A line in the list of uploads saying why a drop uploads nothing. */
function dropNotice(message) {
  const item = document.createElement("li");
  item.className = "error";
  item.textContent = message;
  transfers.append(item);
}

document.addEventListener("dragover", (event) => { event.preventDefault(); document.body.classList.add("dragging"); });
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", async (event) => {
  event.preventDefault();
  document.body.classList.remove("dragging");
  // The entries must be taken before the handler first waits: the drop's data is gone after.
  const entries = [...(event.dataTransfer?.items ?? [])].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.some((entry) => entry.isDirectory)) {
    if (event.dataTransfer?.files.length) uploadAll(event.dataTransfer.files);
    return;
  }
  let files;
  try {
    files = (await Promise.all(entries.map(entryFiles))).flat();
  } catch {
    return dropNotice("The dropped folder could not be read: upload its files instead.");
  }
  if (!files.length) return dropNotice("The dropped folder holds no files.");
  uploadAll(files);
});

// MARK: Details of one file (`#file/<id>`): metadata, preview, share links.

const details = document.querySelector("#details");
let shown = null;
/** The `ETag` of the record shown: a save changes that version only. */
let shownTag = null;

let detailsAsked = 0;

async function showDetails(id) {
  const turn = ++detailsAsked;
  const response = await api(`/api/files/${id}`);
  const file = response.ok ? await response.json() : null;
  const isText = file && file.content_type.startsWith("text/plain") && file.size <= 64 * 1024;
  const content = isText ? await (await api(file.download_url)).text() : null;
  // Another file opened meanwhile (a quicker answer) is the one to show.
  if (turn !== detailsAsked) return;
  if (!file) { details.hidden = true; return; }
  shown = file;
  shownTag = response.headers.get("ETag");
  document.querySelector("#details-title").textContent = file.name;
  document.querySelector("#download").href = file.download_url;
  document.querySelector("#details-type").textContent = file.content_type;
  document.querySelector("#details-size").textContent = humanSize(file.size);
  document.querySelector("#name").value = file.name;
  document.querySelector("#description").value = file.description;
  document.querySelector("#tags").value = file.tags.join(", ");
  document.querySelector("#saved").textContent = "";
  const preview = document.querySelector("#preview");
  const thumbnail = file.thumbnails && file.thumbnails.status === "ready" ? file.thumbnails.sizes["256"] : null;
  preview.hidden = !thumbnail;
  if (thumbnail) preview.src = thumbnail;
  // Text is shown as text (never parsed as HTML); a PDF in the browser's own viewer.
  const text = document.querySelector("#text-preview");
  text.hidden = !isText;
  text.textContent = content ?? "";
  const pdf = document.querySelector("#pdf-preview");
  pdf.hidden = file.content_type !== "application/pdf";
  pdf.src = pdf.hidden ? "about:blank" : `${file.download_url}?disposition=inline`;
  document.querySelector("#replaced").textContent = "";
  details.hidden = false;
  await showLinks(file);
}

/** Whether a share link still works, and how much of it was used. */
function linkState(link) {
  const expires = new Date(link.expires_at);
  const plural = (count) => `${count} download${count === 1 ? "" : "s"}`;
  const used = link.max_downloads === null ? plural(link.downloads) : `${link.downloads} of ${plural(link.max_downloads)}`;
  const state = document.createElement("span");
  if (expires <= new Date()) state.textContent = ` expired ${expires.toLocaleString()}, ${used} `;
  else if (link.max_downloads !== null && link.downloads >= link.max_downloads) state.textContent = ` used up: ${used} `;
  else state.textContent = ` until ${expires.toLocaleString()}, ${used} `;
  return state;
}

async function showLinks(file) {
  const links = await (await api(`/api/files/${file.id}/links`)).json();
  if (shown?.id !== file.id) return;
  const items = links.map((link) => {
    const item = document.createElement("li");
    const address = new URL(link.url, location.origin).href;
    const text = document.createElement("input");
    text.readOnly = true;
    text.value = address;
    text.setAttribute("aria-label", "Share link");
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy";
    copy.addEventListener("click", async () => {
      text.select();
      try {
        await navigator.clipboard.writeText(address);
      } catch {
        // Over plain HTTP to another machine the page has no clipboard API: copy the selection.
        if (!document.execCommand("copy")) { copy.textContent = "Press Ctrl+C"; return; }
      }
      copy.textContent = "Copied";
    });
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.textContent = "Revoke";
    revoke.addEventListener("click", async () => {
      await api(`/api/links/${link.token}`, { method: "DELETE" });
      await showLinks(file);
    });
    item.append(text, linkState(link), copy, " ", revoke);
    return item;
  });
  document.querySelector("#links").replaceChildren(...items);
}

/** Whether two records have the same name, description and tags: what the details form edits. */
function sameMetadata(one, other) {
  return one.name === other.name && one.description === other.description && one.tags.join("\n") === other.tags.join("\n");
}

/** Saves the form's metadata over the version shown, not over one saved elsewhere meanwhile. A
 * version that differs in nothing the form edits (a thumbnail made, new content) is saved over. */
async function saveMetadata(change) {
  const send = (tag) => api(`/api/files/${shown.id}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "If-Match": tag },
    body: JSON.stringify(change),
  });
  const response = await send(shownTag);
  if (response.status !== 412) return response;
  const now = await api(`/api/files/${shown.id}`);
  if (!now.ok) return now;
  const current = await now.json();
  if (sameMetadata(current, shown)) return send(now.headers.get("ETag"));
  // What is written here stays; saving again replaces what was saved elsewhere.
  takeMetadata(current, now.headers.get("ETag"));
  return response;
}

/** Takes the name, description and tags of `file`, the version `tag`, as the ones shown; the
 * content shown stays the one a replacement is checked against. */
function takeMetadata(file, tag) {
  shown = { ...shown, name: file.name, description: file.description, tags: file.tags };
  shownTag = tag;
}

document.querySelector("#metadata").addEventListener("submit", async (event) => {
  event.preventDefault();
  const tags = document.querySelector("#tags").value.split(",").map((tag) => tag.trim()).filter((tag) => tag);
  const response = await saveMetadata({ name: document.querySelector("#name").value, description: document.querySelector("#description").value, tags });
  const saved = document.querySelector("#saved");
  if (response.status === 412) {
    saved.textContent = `The details were changed elsewhere since they were shown here (the name is now “${shown.name}”). Save again to replace them with what is written here.`;
    return;
  }
  saved.textContent = response.ok ? "Saved." : await detail(response);
  if (response.ok) {
    // As stored: tags trimmed and each kept once.
    const file = await response.json();
    takeMetadata(file, response.headers.get("ETag"));
    document.querySelector("#details-title").textContent = file.name;
    document.querySelector("#tags").value = file.tags.join(", ");
    await redraw();
  }
});

document.querySelector("#share").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await api(`/api/files/${shown.id}/links`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      expires_in: Number(document.querySelector("#expiry").value),
      ...(document.querySelector("#limit").value ? { max_downloads: Number(document.querySelector("#limit").value) } : {}),
    }),
  });
  if (!response.ok) alert(await detail(response));
  await showLinks(shown);
});

document.querySelector("#replace").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.querySelector("#replacement");
  const file = input.files[0];
  // Only the content shown here is replaced: one replaced elsewhere meanwhile is not overwritten unseen.
  const headers = { "Content-Type": file.type || "application/octet-stream", "If-Match": `"${shown.sha256}"` };
  const response = await api(`/api/files/${shown.id}/content`, { method: "PUT", headers, body: file });
  input.value = "";
  if (response.status === 412) {
    await showDetails(shown.id);
    document.querySelector("#replaced").textContent = "The file was changed elsewhere since it was shown here; this is it now. Replace it again if you still want to.";
    return;
  }
  document.querySelector("#replaced").textContent = response.ok ? "Replaced." : await detail(response);
  if (response.ok) {
    await showDetails(shown.id);
    document.querySelector("#replaced").textContent = "Replaced.";
    await redraw();
  }
});

document.querySelector("#close-details").addEventListener("click", () => {
  const closed = shown;
  location.hash = "";
  // Back to the file's row, where the reader left the list.
  if (closed) document.querySelector(`#listing a[href="#file/${closed.id}"]`)?.focus();
});

async function route() {
  const match = /^#file\/([A-Za-z0-9_-]{22})$/.exec(location.hash);
  if (!match) {
    detailsAsked += 1; // a file's details still on their way are not shown
    details.hidden = true;
    shown = null;
    return;
  }
  await showDetails(match[1]);
  // The details lie below a list of up to a page of files: take the reader there, and a screen
  // reader's focus with them.
  if (details.hidden) return;
  details.scrollIntoView({ block: "start" });
  document.querySelector("#details-title").focus({ preventScroll: true });
}
window.addEventListener("hashchange", route);

let usageAsked = 0;

/** What the reader's files hold against their quota, as the server counts it (a content stored
 * twice counts once); the meter turns to a warning past 90%. Returns who is signed in. */
async function showUsage() {
  const turn = ++usageAsked;
  const response = await api("/api/me");
  if (!response.ok || turn !== usageAsked) return null;
  const me = await response.json();
  const meter = document.querySelector("#usage-meter");
  meter.hidden = me.quota === null;
  // Unfinished uploads hold their length against the quota too.
  if (me.quota !== null) {
    meter.max = Math.max(me.quota, 1);
    meter.high = meter.max * 0.9;
    meter.value = Math.min(me.used + me.pending, meter.max);
  }
  const pending = me.pending > 0 ? `, ${humanSize(me.pending)} held by unfinished uploads` : "";
  document.querySelector("#usage-text").textContent =
    (me.quota === null ? `${humanSize(me.used)} used` : `${humanSize(me.used)} of ${humanSize(me.quota)} used`) + pending;
  document.querySelector("#usage").hidden = false;
  return me;
}

// MARK: Users, for admins: what `wharf user` does on the machine.

const usersMessage = document.querySelector("#users-message");

/** Bytes from a size as people write it (`10 GiB`, `512MB`, `1000`); `null` for an empty text
 * (the server's default), `NaN` for anything else. */
function parseSize(text) {
  if (!text.trim()) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i.exec(text);
  if (!match) return NaN;
  const units = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  return Math.floor(Number(match[1]) * units[(match[2] || "b").toLowerCase()]);
}

/** A size as exactly as it was set (`10 GiB`, `500 MB`, or bytes), so that setting it again
 * changes nothing. */
function exactSize(bytes) {
  const units = [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10], ["TB", 1e12], ["GB", 1e9], ["MB", 1e6], ["KB", 1e3]];
  const unit = units.find(([, size]) => bytes > 0 && bytes % size === 0);
  return unit ? `${bytes / unit[1]} ${unit[0]}` : `${bytes} B`;
}

/** A user's role: a choice for another user's, text for one's own (the server refuses to change
 * that, so that an admin cannot lock themselves out). */
function roleCell(user) {
  if (user.name === document.querySelector("#password-username").value) return cell(user.role);
  const role = document.createElement("select");
  role.setAttribute("aria-label", `Role of ${user.name}`);
  for (const name of ["user", "admin"]) role.append(new Option(name, name, false, name === user.role));
  role.addEventListener("change", () => changeRole(user, role));
  const td = document.createElement("td");
  td.append(role);
  return td;
}

/** Draws the users, each with their role and quota to change, a new password and a Delete. */
async function showUsers() {
  const response = await api("/api/users");
  if (!response.ok) { usersMessage.textContent = await detail(response); return; }
  const rows = (await response.json()).map((user) => {
    const row = document.createElement("tr");
    const quota = document.createElement("input");
    quota.value = user.quota === null ? "" : exactSize(user.quota);
    quota.placeholder = "default";
    quota.size = 10;
    quota.setAttribute("aria-label", `Quota of ${user.name}`);
    const setQuota = document.createElement("button");
    setQuota.type = "button";
    setQuota.textContent = "Set";
    setQuota.setAttribute("aria-label", `Set the quota of ${user.name}`);
    setQuota.addEventListener("click", () => changeQuota(user, quota.value));
    const quotaCell = document.createElement("td");
    quotaCell.append(quota, " ", setQuota);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete the user ${user.name}`);
    remove.addEventListener("click", () => removeUser(user));
    const reset = document.createElement("button");
    reset.type = "button";
    reset.textContent = "New password";
    reset.setAttribute("aria-label", `Set a new password for ${user.name}`);
    reset.addEventListener("click", () => askNewPassword(user));
    const actions = document.createElement("td");
    // An admin's own account is not deleted from here (the server refuses it too); their own
    // password is changed in the header, with the current one.
    if (user.name !== document.querySelector("#password-username").value) actions.append(reset, " ", remove);
    row.append(cell(user.name), roleCell(user), cell(humanSize(user.used), "size"), quotaCell, actions);
    return row;
  });
  document.querySelector("#user-list tbody").replaceChildren(...rows);
}

async function changeQuota(user, text) {
  const quota = parseSize(text);
  if (Number.isNaN(quota)) { usersMessage.textContent = `'${text}' is not a size: write 10 GiB, 500 MB or bytes.`; return; }
  const response = await api(`/api/users/${encodeURIComponent(user.name)}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ quota }),
  });
  usersMessage.textContent = response.ok ? `The quota of ${user.name} is ${quota === null ? "the default" : exactSize(quota)}.` : await detail(response);
  await showUsers();
}

async function changeRole(user, select) {
  const role = select.value;
  if (!confirm(`Make ${user.name} ${role === "admin" ? "an admin" : "a user"}? They are signed out everywhere.`)) {
    select.value = user.role;
    return;
  }
  const response = await api(`/api/users/${encodeURIComponent(user.name)}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role }),
  });
  usersMessage.textContent = response.ok ? `${user.name} is ${role === "admin" ? "an admin" : "a user"} now.` : await detail(response);
  await showUsers();
}

/** A dialog (`#<id>-dialog`, its `-form`, `-cancel` and `-message`) that takes a new password in
 * its two `autocomplete=new-password` fields, which must match: `change(chosen)` makes the change
 * and answers its response, whose refusal the dialog shows; after a change it closes and runs
 * `done()`. Answers the function that opens it empty. */
function newPasswordDialog(id, change, done) {
  const dialog = document.querySelector(`#${id}-dialog`);
  const form = document.querySelector(`#${id}-form`);
  const message = document.querySelector(`#${id}-message`);
  document.querySelector(`#${id}-cancel`).addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [chosen, repeated] = [...form.querySelectorAll("input[autocomplete=new-password]")].map((input) => input.value);
    if (chosen !== repeated) {
      message.textContent = "The two new passwords differ.";
      return;
    }
    const response = await change(chosen);
    if (!response.ok) {
      message.textContent = await detail(response);
      return;
    }
    dialog.close();
    done();
  });
  return () => {
    form.reset();
    message.textContent = "";
    dialog.showModal();
  };
}

const resetUsername = document.querySelector("#reset-username");
const openReset = newPasswordDialog(
  "reset",
  (chosen) => api(`/api/users/${encodeURIComponent(resetUsername.value)}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ password: chosen }),
  }),
  () => { usersMessage.textContent = `${resetUsername.value} has a new password and is signed out everywhere.`; },
);

function askNewPassword(user) {
  openReset();
  document.querySelector("#reset-title").textContent = `New password for ${user.name}`;
  resetUsername.value = user.name;
}

async function removeUser(user) {
  if (!confirm(`Delete the user ${user.name}?`)) return;
  const path = `/api/users/${encodeURIComponent(user.name)}`;
  let response = await api(path, { method: "DELETE" });
  if (response.status === 409) {
    // They own files: those go to another user, so that a later user of the name inherits nothing.
    const heir = prompt(`${user.name} owns files. Give them to which user?`, document.querySelector("#password-username").value);
    if (!heir) return;
    response = await api(`${path}?transfer_to=${encodeURIComponent(heir)}`, { method: "DELETE" });
  }
  usersMessage.textContent = response.ok ? `Deleted ${user.name}.` : await detail(response);
  await Promise.all([showUsers(), redraw()]);
}

document.querySelector("#add-user").addEventListener("submit", async (event) => {
  event.preventDefault();
  const quota = parseSize(document.querySelector("#new-user-quota").value);
  if (Number.isNaN(quota)) { usersMessage.textContent = "The quota is not a size: write 10 GiB, 500 MB or bytes."; return; }
  const name = document.querySelector("#new-user").value;
  const response = await api("/api/users", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      name,
      password: document.querySelector("#new-user-password").value,
      role: document.querySelector("#new-user-admin").checked ? "admin" : "user",
      quota,
    }),
  });
  usersMessage.textContent = response.ok ? `Added ${name}.` : await detail(response);
  if (response.ok) event.target.reset();
  await showUsers();
});

const openPasswordChange = newPasswordDialog(
  "password",
  (chosen) => api("/api/me/password", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ current_password: document.querySelector("#current-password").value, new_password: chosen }),
  }),
  () => {
    const name = document.querySelector("#password-username").value;
    document.querySelector("#who").textContent = `Signed in as ${name}. Password changed; every other session was signed out.`;
  },
);
document.querySelector("#change-password").addEventListener("click", openPasswordChange);

async function start() {
  const me = await showUsage();
  if (!me) return;
  document.querySelector("#who").textContent = `Signed in as ${me.name}`;
  // Its default, so that opening the password dialog (which resets its form) keeps it.
  document.querySelector("#password-username").defaultValue = me.name;
  // An admin sees everyone's files, so the list says whose each is.
  document.querySelector("#listing").classList.toggle("everyone", me.role === "admin");
  const admin = me.role === "admin";
  document.querySelector("#users").hidden = !admin;
  await Promise.all([refresh(), admin ? showUsers() : null]);
  route();
  // A file uploaded elsewhere (another tab, curl) appears here too.
  const events = new EventSource("/api/events");
  for (const type of ["file.created", "file.updated", "file.deleted", "thumbnail.ready"]) events.addEventListener(type, redrawSoon);
  // The details of a file deleted (here or elsewhere) close with it.
  events.addEventListener("file.deleted", (event) => {
    if (shown && JSON.parse(event.data).file?.id === shown.id) location.hash = "";
  });
  // The feed ends with the sign-in it was opened with, and is then refused (a sign-out in another
  // tab, a password changed elsewhere): asking who is signed in goes to the sign-in page then.
  events.addEventListener("error", () => {
    if (events.readyState === EventSource.CLOSED) showUsage().catch(() => {});
  });
}

start();
