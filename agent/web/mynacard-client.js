// mynacard-client.js: a dependency-free client of the mynacard agent's API
// (version v1; the OpenAPI document is at /v1/openapi.json). An ES module:
//
//   import { Client, AgentError, pairFromPage } from "http://127.0.0.1:8765/mynacard-client.js";
//   const c = new Client({ base: "http://127.0.0.1:8765", token, repair: async () => readTokenFromHost() });
//   const stream = c.events({ onEvent(kind, e) { ... }, onState(s) { ... } });
//   try { const r = await c.qualify({ reader, pin }); } catch (e) { if (e instanceof AgentError) e.code; }
//
// It wraps the session token header, the event stream (Server-Sent Events
// read through fetch, because EventSource cannot send a header), typed
// errors, a deadline on every operation, and reconnection. When the agent
// answers 401 (it restarted with a new token), the client asks repair() for
// the current token once and retries; without a new token it reports the
// state "unauthorized".
"use strict";

export const API_VERSION = "v1";
export const DEFAULT_HEADER = "X-Mynacard-Token";

// Codes the client itself gives (the agent's own codes are in its OpenAPI
// document): the agent could not be reached, or did not answer in time.
export const CODE_UNREACHABLE = "agent_unreachable";
export const CODE_PAGE_TIMEOUT = "page_timeout";

// AgentError is a failed call: status is the HTTP status (0 when the agent
// did not answer), code the API's error code, remaining the tries left
// after a wrong PIN.
export class AgentError extends Error {
  constructor(status, code, message, body) {
    super(message || code);
    this.name = "AgentError";
    this.status = status;
    this.code = code;
    this.body = body || null;
    this.remaining = body && typeof body.remaining === "number" ? body.remaining : undefined;
    // key names the PIN a PIN error is about ("sign", "auth", "text",
    // "pin_b", "birth_date"), where the agent knows it.
    this.key = body && typeof body.key === "string" ? body.key : undefined;
  }
}

// pairFromPage reads the session token from the agent's own page. It works
// only from the agent's own origin (the page is never served to another).
export async function pairFromPage(base = "") {
  const res = await fetch(base + "/", { cache: "no-store" });
  if (!res.ok) return null;
  const html = await res.text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  const m = doc.querySelector('meta[name="mynacard-token"]');
  return m ? m.content : null;
}

export class Client {
  // base: the agent's origin ("" for the agent's own page); token: the
  // session token; header: the token header; repair: an async function
  // returning the current token after a 401 (or null).
  constructor({ base = "", token, header = DEFAULT_HEADER, repair = null } = {}) {
    this.base = base;
    this.token = token;
    this.header = header;
    this.repair = repair;
  }

  async _repair() {
    if (!this.repair) return false;
    let t = null;
    try { t = await this.repair(); } catch (_) { t = null; }
    if (!t || t === this.token) return false;
    this.token = t;
    return true;
  }

  async _fetch(path, init = {}, retried = false) {
    const headers = Object.assign({}, init.headers, { [this.header]: this.token });
    let res;
    try {
      res = await fetch(this.base + path, Object.assign({}, init, { headers, cache: "no-store" }));
    } catch (err) {
      if (init.signal && init.signal.aborted) {
        throw new AgentError(0, CODE_PAGE_TIMEOUT, "no answer before the deadline");
      }
      throw new AgentError(0, CODE_UNREACHABLE, String(err));
    }
    if (res.status === 401 && !retried && await this._repair()) return this._fetch(path, init, true);
    return res;
  }

  async _json(path, init = {}, deadlineMs = 0) {
    let timer = null;
    if (deadlineMs > 0) {
      const ctl = new AbortController();
      init = Object.assign({}, init, { signal: ctl.signal });
      timer = setTimeout(() => ctl.abort(), deadlineMs);
    }
    try {
      const res = await this._fetch(path, init);
      let body = null;
      try { body = await res.json(); } catch (_) { body = null; }
      if (!res.ok) {
        const code = (body && body.error) || "internal";
        throw new AgentError(res.status, code, body && body.message, body);
      }
      return body;
    } catch (err) {
      if (err instanceof AgentError) throw err;
      if (init.signal && init.signal.aborted) throw new AgentError(0, CODE_PAGE_TIMEOUT, "no answer before the deadline");
      throw new AgentError(0, CODE_UNREACHABLE, String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  _post(path, body, deadlineMs) {
    return this._json(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, deadlineMs);
  }

  status() { return this._json("/v1/status", {}, 10000); }
  readers() { return this._json("/v1/readers", {}, 10000); }
  pinStatus(reader, key) {
    const q = new URLSearchParams({ key });
    if (reader) q.set("reader", reader);
    return this._json("/v1/pin-status?" + q, {}, 15000);
  }
  // The operations take a deadline in milliseconds (0: none): the page's
  // own, a little longer than the agent's operation timeout
  // (status().page_deadline_ms). The request body holds the PIN: the
  // caller wipes its own copy.
  identify(req, deadlineMs = 0) { return this._post("/v1/identify", req, deadlineMs); }
  qualify(req, deadlineMs = 0) { return this._post("/v1/qualify", req, deadlineMs); }
  changes(req, deadlineMs = 0) { return this._post("/v1/changes", req, deadlineMs); }
  chipIdentify(req, deadlineMs = 0) { return this._post("/v1/chip-identify", req, deadlineMs); }
  age(req, deadlineMs = 0) { return this._post("/v1/age", req, deadlineMs); }
  confirmationToken(req, deadlineMs = 0) { return this._post("/v1/token", req, deadlineMs); }

  // events streams the agent's events: onEvent(kind, data) for every event
  // ("reader-added", "reader-removed", "card-inserted", "card-removed",
  // "synced"), onState(state) on every change of the connection:
  // "connected", "unreachable" (the agent is down or restarting: the client
  // keeps trying every retryMs), "unauthorized" (401 and no new token).
  // The stream starts again by itself; close() ends it.
  events({ onEvent, onState = () => {}, retryMs = 1000 } = {}) {
    let closed = false;
    let ctl = null;
    const loop = async () => {
      while (!closed) {
        ctl = new AbortController();
        let state = "unreachable";
        try {
          const res = await this._fetch("/v1/events", { signal: ctl.signal });
          if (res.status === 401) state = "unauthorized";
          else if (res.ok) {
            onState("connected");
            await readSSE(res.body, onEvent);
          }
        } catch (_) { /* unreachable */ }
        if (closed) return;
        onState(state);
        await new Promise((r) => setTimeout(r, retryMs));
      }
    };
    loop();
    return { close() { closed = true; if (ctl) ctl.abort(); } };
  }
}

// readSSE parses a text/event-stream body until it ends.
async function readSSE(body, onEvent) {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let kind = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) kind = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(kind, JSON.parse(data));
    }
  }
}
