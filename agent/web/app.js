// mynacard kiosk page: waits for a card, says the tries left, asks for the
// PIN on an on-screen keypad, runs the confirmation and shows the result,
// through the agent's JavaScript client (mynacard-client.js). Plain
// JavaScript, no build step. Every word is Japanese first, English second.
//
// Personal data lives in the DOM only while it is needed: it is wiped (the
// elements emptied, not hidden) when the card leaves, when nobody touches
// the screen for the idle time, and on "done". When the agent cannot be
// reached the page shows "out of service" instead of asking for a card.
import { Client, AgentError, pairFromPage, CODE_UNREACHABLE, CODE_PAGE_TIMEOUT } from "/mynacard-client.js";

const meta = (n) => document.querySelector(`meta[name="${n}"]`).content;
const client = new Client({ token: meta("mynacard-token"), header: meta("mynacard-header"), repair: () => pairFromPage("") });

// Timing, from the agent's status (these are the defaults until it answers).
let pageDeadline = 35000;
let idleMs = 30000;
// offlineAfter is how long the event stream may be down before the page
// says it is out of service (an agent restart takes about a second).
const offlineAfter = 3000;

const modes = {
  qualify: {
    path: "qualify", key: "auth", digitsOnly: true, min: 4, max: 4,
    title: ["暗証番号（4桁）を入力してください", "Enter your 4-digit PIN"],
    secret: ["暗証番号", "PIN"],
  },
  identify: {
    path: "identify", key: "sign", digitsOnly: false, min: 6, max: 16,
    title: ["署名用パスワード（英数字6〜16文字）を入力してください", "Enter your signing password (6 to 16 letters and digits)"],
    secret: ["パスワード", "password"],
  },
  // The surface application's keys: their tries are not read beforehand
  // (the agent still reads them and refuses the last one, 422 last_try).
  chip: {
    path: "chipIdentify", digitsOnly: true, min: 14, max: 14,
    title: ["照合番号B（14桁）を入力してください", "Enter verification number B (14 digits)"],
    hint: ["生年月日（和暦6桁）、有効期限の西暦年（4桁）、セキュリティコード（4桁）の順です", "Birth date (era year, month, day: 6 digits), the card's expiry year (4 digits), security code (4 digits)"],
    secret: ["照合番号B", "verification number B"],
  },
  // The second, optional step of a chip identification: the holder's
  // 4-digit PIN of the text application, for the name and address as text.
  chipText: {
    path: "chipIdentify", key: "text", digitsOnly: true, min: 4, max: 4, optional: true,
    title: ["続けて、暗証番号（4桁）を入力してください", "Now enter your 4-digit PIN"],
    hint: ["氏名と住所を文字でも確認します。入力しない場合は「入力しない」を押してください", "Your name and address are then also checked as text. To go on without it, press Skip"],
    secret: ["暗証番号", "PIN"],
  },
  age: {
    path: "age", digitsOnly: true, min: 6, max: 6, over: 20,
    title: ["生年月日を和暦6桁（年・月・日）で入力してください", "Enter your birth date as 6 digits (era year, month, day)"],
    secret: ["生年月日", "birth date"],
  },
};

// Failures: [what happened (ja, en), what to do next (ja, en)].
const staff = ["係員にお声がけください", "Please ask a member of staff"];
const messages = {
  pin_blocked: [["ロックされているため使用できません", "It is locked and cannot be used"], ["お住まいの市区町村の窓口で解除してください", "Please have it unlocked at your municipal office"]],
  last_try: [["残り1回のため、ここでは入力できません", "Only one try is left, so it cannot be entered here"], ["お住まいの市区町村の窓口で手続きしてください", "Please go to your municipal office"]],
  pin_format: [["入力の形式が違います", "What was entered does not have the right form"], ["もう一度最初から操作してください", "Please start again"]],
  no_card: [["カードが読み取れません", "The card cannot be read"], ["カードを置き直してください", "Please place the card again"]],
  busy: [["カードリーダーが前の処理を終えていません", "The card reader has not finished the previous operation"], ["カードをいったん取り、置き直してください", "Please take the card and place it again"]],
  not_my_number_card: [["マイナンバーカードではありません", "This is not a My Number Card"], ["マイナンバーカードを置いてください", "Please place your My Number Card"]],
  timeout: [["カードが応答しませんでした", "The card did not answer"], ["カードをいったん取り、置き直してください", "Please take the card and place it again"]],
  page_timeout: [["時間内に応答がありませんでした", "There was no answer in time"], ["カードをいったん取り、置き直してください。続く場合は係員にお声がけください", "Please take the card and place it again. If this continues, please ask a member of staff"]],
  card_error: [["カードを読み取れませんでした", "The card could not be read"], ["カードを置き直してください。続く場合は係員にお声がけください", "Please place the card again. If this continues, please ask a member of staff"]],
  reader_unavailable: [["カードリーダーが使えません", "The card reader is not available"], staff],
  agent_unreachable: [["この端末は現在ご利用いただけません", "This kiosk is not available now"], staff],
  not_configured: [["この端末は設定が完了していないため、ご利用いただけません", "This kiosk is not set up yet and cannot be used"], staff],
  bad_signature: [["カードの署名を確認できませんでした", "The card's signature could not be verified"], staff],
  chain: [["カードの証明書を確認できませんでした", "The card's certificate could not be verified"], staff],
  revoked: [["カードの証明書が失効しています", "The card's certificate has been revoked"], ["お住まいの市区町村の窓口にお問い合わせください", "Please contact your municipal office"]],
  revocation_unknown: [["カードの証明書が有効か確認できませんでした", "Whether the card's certificate is still valid could not be checked"], staff],
  not_eligible: [["保険の資格を確認できませんでした", "Your health insurance could not be confirmed"], ["保険証など資格がわかるものを受付でお示しください", "Please show proof of your insurance at the reception"]],
  internal: [["エラーが発生しました", "Something went wrong"], staff],
  // Refusals of a chip identification or an age check.
  record_tampered: [["カードの情報が改変されています", "The card's data has been altered"], staff],
  record_signed_by_other_key: [["カードの情報が発行者によって署名されていません", "The card's data is not signed by the issuer"], staff],
  test_cv_key_under_production_check: [["テスト用のカードのため確認できません", "This is a test card and cannot be used for a check"], staff],
  record_unverifiable: [["カードの情報を検証できませんでした", "The card's data could not be verified"], staff],
  card_present_check_failed: [["カードが本物であることを確認できませんでした", "The chip did not prove that it is the real card"], staff],
  credential_does_not_match_record: [["入力された番号がカードの情報と一致しません", "The number entered does not match the card"], ["もう一度最初から操作してください", "Please start again"]],
  card_expired: [["カードの有効期限が切れています", "The card has expired"], ["お住まいの市区町村の窓口にお問い合わせください", "Please contact your municipal office"]],
  no_auth_certificate: [["電子証明書がないため、カードが有効か確認できません", "The card has no certificate, so whether it is still valid cannot be checked"], staff],
  auth_certificate_chain: [["カードの電子証明書を確認できませんでした", "The card's certificate could not be verified"], staff],
  auth_certificate_revoked: [["カードの電子証明書が失効しています", "The card's certificate has been revoked"], ["お住まいの市区町村の窓口にお問い合わせください", "Please contact your municipal office"]],
  auth_revocation_unknown: [["カードの電子証明書が有効か確認できませんでした", "Whether the card's certificate is still valid could not be checked"], staff],
  text_record_not_verified: [["カードの文字情報（氏名・住所など）を確認できませんでした", "The card's text (name, address and so on) could not be verified"], staff],
  text_does_not_match_face: [["カードの文字情報が券面の情報と一致しません", "The card's text does not match the card face"], staff],
};

let state = "loading";
let current = null; // {reader, event} of the card in use
let cards = {}; // reader name -> card-inserted event
let mode = null;
let pin = [];
let pinB = []; // 照合番号B, kept while the optional text PIN is asked for
let tries = null; // tries left of the PIN being asked for, from /v1/pin-status
let noticeTimer = null;
let idleTimer = null;
let offlineTimer = null;
let offlineWhy = null; // null, "unreachable" or "not_configured"
let connected = false;
// ?reader=NAME makes the page use only that reader (a kiosk with several).
const onlyReader = new URLSearchParams(location.search).get("reader");

function $(id) { return document.getElementById(id); }

// Screens where the customer is in the middle of something: the idle timer
// runs there and wipes what is on screen.
const idleScreens = new Set(["menu", "pin", "result", "error"]);

function show(next) {
  state = next;
  document.body.dataset.state = next;
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== "screen-" + next;
  armIdle();
}

function armIdle() {
  clearTimeout(idleTimer);
  if (idleScreens.has(state)) idleTimer = setTimeout(onIdle, idleMs);
}

function onIdle() {
  wipe();
  if (current && cards[current.reader]) show("take");
  else toInsert();
}

// setText puts ja, then en in a span of its own (lang="en"), into el.
function setText(el, ja, en) {
  el.textContent = ja;
  if (en) {
    const s = document.createElement("span");
    s.className = "en";
    s.lang = "en";
    s.textContent = en;
    el.appendChild(s);
  }
}

function notice(ja, en) {
  const n = $("notice");
  setText(n, ja, en);
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.hidden = true; n.textContent = ""; }, 6000);
}

function clearPIN() {
  for (let i = 0; i < pin.length; i++) pin[i] = "\0";
  pin = [];
  renderPIN();
}

function clearPINB() {
  for (let i = 0; i < pinB.length; i++) pinB[i] = "\0";
  pinB = [];
}

// wipe removes every personal detail and every typed character from the
// page: the elements are emptied, not hidden.
function wipe() {
  clearPIN();
  clearPINB();
  for (const id of ["result-title", "result-details", "result-images", "result-reason", "result-next", "error-title", "error-detail", "error-next", "pin-error", "pin-tries"]) {
    $(id).textContent = "";
  }
  $("pin-error").hidden = true;
  $("test-banner").hidden = true;
  delete document.body.dataset.error;
  delete document.body.dataset.verdict;
  tries = null;
}

function toInsert() {
  wipe();
  current = null;
  mode = null;
  if (offlineWhy) return showOffline();
  show("insert");
  // A usable card may already be there (the page was reloaded).
  for (const r in cards) {
    if (cards[r].usable) { useCard(cards[r]); return; }
  }
}

function useCard(e) {
  current = { reader: e.reader, event: e };
  $("insert-problem").hidden = true;
  $("notice").hidden = true; // a new card: the last one's news is old
  clearTimeout(noticeTimer);
  show("menu");
}

function showOffline() {
  wipe();
  const why = messages[offlineWhy === "not_configured" ? "not_configured" : "agent_unreachable"];
  setText($("offline-reason"), why[0][0], why[0][1]);
  setText($("offline-next"), why[1][0], why[1][1]);
  document.body.dataset.offline = offlineWhy;
  show("offline");
}

function setOffline(why) {
  offlineWhy = why;
  if (why) showOffline();
  else {
    delete document.body.dataset.offline;
    if (state === "offline" || state === "loading") toInsert();
  }
}

// --- agent status and events ---------------------------------------------

async function refreshStatus() {
  try {
    const st = await client.status();
    pageDeadline = st.page_deadline_ms || pageDeadline;
    idleMs = st.idle_timeout_ms || idleMs;
    setOffline(st.ready ? null : "not_configured");
    return true;
  } catch (err) {
    return false;
  }
}

function onConnState(s) {
  if (s === "connected") {
    connected = true;
    clearTimeout(offlineTimer);
    offlineTimer = null;
    $("conn").className = "conn on";
    cards = {};
    refreshStatus();
    return;
  }
  connected = false;
  $("conn").className = "conn off";
  // Down (or the token is no longer accepted): out of service unless it
  // comes back at once, as after a restart.
  if (!offlineTimer && offlineWhy !== "unreachable") {
    offlineTimer = setTimeout(() => { offlineTimer = null; if (!connected) setOffline("unreachable"); }, state === "loading" ? 0 : offlineAfter);
  }
}

function onEvent(kind, e) {
  if (onlyReader && e.reader !== undefined && e.reader !== onlyReader) return;
  switch (kind) {
    case "synced":
      if (offlineWhy === "unreachable") { refreshStatus(); break; }
      if (current && !cards[current.reader] && state !== "insert") cardGone();
      else if (state === "loading") toInsert();
      break;
    case "card-inserted":
      cards[e.reader] = e;
      if (state === "insert") {
        if (e.usable) useCard(e);
        else {
          const p = $("insert-problem");
          if (e.card_type === "unreadable") setText(p, "カードを読み取れませんでした。置き直してください", "The card could not be read. Please place it again");
          else setText(p, "このカードは使用できません。マイナンバーカードを置いてください", "This card cannot be used. Please place your My Number Card");
          p.hidden = false;
        }
      }
      break;
    case "card-removed":
    case "reader-removed":
      delete cards[e.reader];
      if (current && current.reader === e.reader) cardGone();
      else if (state === "insert" || state === "take") { $("insert-problem").hidden = true; if (state === "take") toInsert(); }
      break;
  }
}

function cardGone() {
  const quiet = state === "result" || state === "take";
  toInsert();
  if (!quiet && !offlineWhy) notice("カードが取り外されました", "The card was removed");
}

// --- PIN keypad -------------------------------------------------------------

function buildKeypad() {
  const pad = $("keypad");
  pad.textContent = "";
  const rows = mode.digitsOnly
    ? [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["", "0", "⌫"]]
    : [Array.from("1234567890"), Array.from("QWERTYUIOP"), Array.from("ASDFGHJKL"), Array.from("ZXCVBNM").concat(["⌫"])];
  pad.className = mode.digitsOnly ? "keypad numeric" : "keypad alpha";
  for (const r of rows) {
    const row = document.createElement("div");
    row.className = "keyrow";
    for (const k of r) {
      const b = document.createElement("button");
      b.type = "button";
      if (k === "") { b.disabled = true; b.className = "blank"; row.appendChild(b); continue; }
      b.textContent = k;
      b.dataset.key = k === "⌫" ? "back" : k;
      if (k === "⌫") b.setAttribute("aria-label", "1文字消す / delete");
      b.addEventListener("click", () => press(b.dataset.key));
      row.appendChild(b);
    }
    pad.appendChild(row);
  }
}

function press(k) {
  $("pin-error").hidden = true;
  if (k === "back") pin.pop();
  else if (pin.length < mode.max) pin.push(k);
  renderPIN();
}

function renderPIN() {
  $("pin-display").textContent = "●".repeat(pin.length) + "○".repeat(mode ? Math.max(0, mode.min - pin.length) : 0);
  $("pin-ok").disabled = !mode || pin.length < mode.min;
}

// triesWords says the tries left in both languages ("1 try", "2 tries").
function triesWords(n) {
  return [`残り${n}回`, n === 1 ? "1 try left" : `${n} tries left`];
}

function showTries(m, n) {
  const el = $("pin-tries");
  if (typeof n !== "number") { el.textContent = ""; return; }
  const w = triesWords(n);
  setText(el, `入力できるのはあと${n}回です（間違えると減ります）`, `${w[1]} (a wrong entry uses one)`);
}

// askPIN reads the tries left first, so the customer knows them before
// typing, and never shows a keypad for a locked PIN or the last try.
async function askPIN(name, error) {
  const m = modes[name];
  if (!error) tries = null;
  if (!error && m.key) {
    show("working");
    let ps;
    try {
      ps = await client.pinStatus(current && current.reader, m.key);
    } catch (err) {
      return failure(err);
    }
    if (state !== "working") return; // the card left meanwhile
    // The optional text PIN cannot be used: identify by the chip without it.
    if (m.optional && (ps.blocked || ps.last_try)) {
      notice("暗証番号は使えないため、文字情報なしで確認します", "The PIN cannot be used here, so the check goes on without the text");
      mode = m;
      return submit(true);
    }
    if (ps.blocked) return failed("pin_blocked", m);
    if (ps.last_try) return failed("last_try", m);
    tries = ps.tries_left;
  }
  mode = m;
  setText($("pin-title"), m.title[0], m.title[1]);
  const hint = $("pin-hint");
  if (m.hint) { setText(hint, m.hint[0], m.hint[1]); hint.hidden = false; } else { hint.textContent = ""; hint.hidden = true; }
  buildKeypad();
  clearPIN();
  $("pin-skip").hidden = !m.optional;
  showTries(m, tries);
  const pe = $("pin-error");
  if (error) { setText(pe, error[0], error[1]); pe.hidden = false; } else { pe.textContent = ""; pe.hidden = true; }
  show("pin");
}

// --- operations -------------------------------------------------------------

// submit sends what was typed. A chip identification takes two steps:
// 照合番号B is kept and the optional text PIN asked for; skip sends
// 照合番号B alone.
async function submit(skip) {
  if (!current || !mode) return;
  const m = mode;
  if (skip !== true && pin.length < m.min) return;
  if (m === modes.chip) {
    pinB = pin.slice();
    clearPIN();
    return askPIN("chipText");
  }
  let body;
  if (m === modes.chipText) {
    body = { reader: current.reader, pin: pinB.join("") };
    if (skip !== true) body.text_pin = pin.join("");
  } else {
    body = { reader: current.reader, pin: pin.join("") };
  }
  if (m === modes.identify) body.key = "sign";
  if (m.over) body.over = m.over;
  clearPIN();
  show("working");
  let out;
  try {
    out = await client[m.path](body, pageDeadline);
  } catch (err) {
    body.pin = "";
    body.text_pin = "";
    if (state !== "working") return;
    // Which PIN was wrong: in a chip identification with the text PIN it
    // may be either; 照合番号B is typed again from the start.
    let wm = m;
    if (m === modes.chipText && err instanceof AgentError && err.key !== "text") {
      wm = modes.chip;
      clearPINB();
    }
    if (err instanceof AgentError && err.code === "wrong_pin") {
      tries = err.remaining;
      const n = typeof err.remaining === "number" ? err.remaining : null;
      if (n === 0) return failed("pin_blocked", wm);
      if (n === 1) return failed("last_try", wm, [`${wm.secret[0]}が違います。`, `Wrong ${wm.secret[1]}. `]);
      const w = n === null ? ["", ""] : triesWords(n);
      return askPIN(Object.keys(modes).find((k) => modes[k] === wm),
        [`${wm.secret[0]}が違います${n === null ? "" : "（" + w[0] + "）"}`, `Wrong ${wm.secret[1]}${n === null ? "" : " (" + w[1] + ")"}`]);
    }
    return failure(err, wm);
  }
  body.pin = "";
  body.text_pin = "";
  clearPINB();
  if (state !== "working") return; // the card left meanwhile: already back at "insert"
  showResult(m, out);
}

// failure shows err's reason and next step.
function failure(err, m) {
  const code = err instanceof AgentError ? err.code : CODE_UNREACHABLE;
  if (code === "card_removed") return cardGone();
  if (code === CODE_UNREACHABLE || code === "not_configured") {
    // The agent went away or is not set up: out of service.
    return setOffline(code === "not_configured" ? "not_configured" : "unreachable");
  }
  failed(messages[code] ? code : "internal", m);
}

// failed shows the error screen for code; what the PIN is called depends
// on the mode (暗証番号 or パスワード). prefix goes before the reason.
function failed(code, m, prefix) {
  const msg = messages[code] || messages.internal;
  let what = msg[0];
  const sec = m ? m.secret : ["暗証番号", "PIN"];
  if (code === "pin_blocked") what = [`${sec[0]}はロックされているため使用できません`, `Your ${sec[1]} is locked and cannot be used`];
  if (code === "last_try") what = [`${sec[0]}は残り1回のため、ここでは入力できません`, `Only one try is left for your ${sec[1]}, so it cannot be entered here`];
  if (prefix) what = [prefix[0] + what[0], prefix[1] + what[1]];
  wipe();
  setText($("error-title"), what[0], what[1]);
  setText($("error-next"), msg[1][0], msg[1][1]);
  document.body.dataset.error = code;
  show("error");
}

function row(dl, ja, en, value) {
  const dt = document.createElement("dt");
  setText(dt, ja, en);
  const dd = document.createElement("dd");
  if (Array.isArray(value)) setText(dd, value[0], value[1]);
  else dd.textContent = value;
  dl.append(dt, dd);
}

// image adds a PNG (base64) with its caption to #result-images, which
// wipe() empties.
function image(b64, ja, en) {
  const fig = document.createElement("figure");
  const img = document.createElement("img");
  img.src = "data:image/png;base64," + b64;
  img.alt = ja + " / " + en;
  const cap = document.createElement("figcaption");
  setText(cap, ja, en);
  fig.append(img, cap);
  $("result-images").appendChild(fig);
}

// refused shows the refusal screen: the title, the reason and the next
// step, nothing personal and no code.
function refused(title, why) {
  document.body.dataset.verdict = "refused";
  const t = $("result-title");
  t.className = "big warn";
  setText(t, title[0], title[1]);
  const msg = messages[why] || messages.internal;
  setText($("result-reason"), msg[0][0], msg[0][1]);
  setText($("result-next"), msg[1][0], msg[1][1]);
  show("result");
}

// showAge shows yes or no, and nothing else: the answer holds nothing
// personal.
function showAge(r) {
  if (r.record && r.record.verified && r.record.test_key) $("test-banner").hidden = false;
  if (!r.ok) return refused(["年齢を確認できませんでした", "Your age could not be checked"], r.refusal || "internal");
  document.body.dataset.verdict = "ok";
  const title = $("result-title");
  title.className = "big " + (r.answer ? "ok" : "warn");
  if (r.answer) setText(title, `はい：${r.over}歳以上です`, `Yes: ${r.over} or over today`);
  else setText(title, `いいえ：${r.over}歳以上ではありません`, `No: not ${r.over} or over today`);
  show("result");
}

// showChip shows a chip identification: on a verified verdict the photo,
// the name and address images and the face's details, for the clerk to
// compare with the person; otherwise the refusal only.
function showChip(r) {
  const v = r.verdict || {};
  if (v.face && v.face.verified && v.face.test_key) $("test-banner").hidden = false;
  if (!v.ok) return refused(["本人確認ができませんでした", "Your identity could not be confirmed"], v.refusal || "internal");
  document.body.dataset.verdict = "ok";
  const title = $("result-title");
  title.className = "big ok";
  setText(title, "ICチップで確認しました。写真とご本人を見比べてください", "Verified by the chip: compare the photo with the person");
  if (r.face_png) image(r.face_png, "顔写真", "Face photo");
  if (r.name_png) image(r.name_png, "氏名", "Name");
  if (r.address_png) image(r.address_png, "住所", "Address");
  const dl = $("result-details");
  if (r.text) {
    row(dl, "氏名（文字）", "Name (text)", r.text.name || "");
    row(dl, "住所（文字）", "Address (text)", r.text.address || "");
  }
  row(dl, "生年月日", "Date of birth", r.birth_date_japanese || r.birth_date || "");
  const sex = { male: ["男性", "male"], female: ["女性", "female"] }[r.sex];
  if (sex) row(dl, "性別", "Sex", sex);
  if (r.expiry) row(dl, "有効期限", "Valid until", [r.expiry + "（署名の対象外）", r.expiry + " (not covered by the signature)"]);
  show("result");
}

// showResult shows a confirmed result with its details, or, when it is not
// confirmed, the reason and the next step only: no personal details.
function showResult(m, r) {
  wipe();
  if (m === modes.age) return showAge(r);
  if (m === modes.chip || m === modes.chipText) return showChip(r);
  const dl = $("result-details");
  const v = r.verdict || {};
  const el = r.eligibility;
  let ok = !!v.ok;
  let why = v.refusal || (ok ? "" : "internal");
  if (m === modes.qualify && ok && !(el && el.eligible)) { ok = false; why = "not_eligible"; }
  document.body.dataset.verdict = ok ? "ok" : "refused";
  const title = $("result-title");
  title.className = "big " + (ok ? "ok" : "warn");
  if (v.chain && v.chain.ok && !v.chain.production) $("test-banner").hidden = false;
  if (!ok) {
    if (m === modes.qualify) setText(title, "資格を確認できませんでした", "Your qualification could not be confirmed");
    else setText(title, "本人確認ができませんでした", "Your identity could not be confirmed");
    const msg = messages[why] || messages.internal;
    setText($("result-reason"), msg[0][0], msg[0][1]);
    setText($("result-next"), msg[1][0], msg[1][1]);
    show("result");
    return;
  }
  if (m === modes.qualify) {
    setText(title, "資格を確認しました", "Your qualification is confirmed");
    row(dl, "資格", "Status", ["有効", "valid"]);
    if (el.name) row(dl, "氏名", "Name", el.name);
    if (el.insurer_number) row(dl, "保険者番号", "Insurer number", el.insurer_number);
    if (el.copay_percent) row(dl, "負担割合", "Co-payment", el.copay_percent + "%");
  } else {
    setText(title, "本人確認ができました", "Your identity is confirmed");
    const a = r.attributes || {};
    row(dl, "氏名", "Name", a.name || "");
    row(dl, "住所", "Address", a.address || "");
    row(dl, "生年月日", "Date of birth", a.birth_date_japanese || a.birth_date || "");
    const sex = { male: ["男性", "male"], female: ["女性", "female"] }[a.sex];
    if (sex) row(dl, "性別", "Sex", sex);
  }
  show("result");
}

// --- wiring -----------------------------------------------------------------

$("choose-qualify").addEventListener("click", () => askPIN("qualify"));
$("choose-identify").addEventListener("click", () => askPIN("identify"));
$("choose-chip").addEventListener("click", () => askPIN("chip"));
$("choose-age").addEventListener("click", () => askPIN("age"));
$("pin-ok").addEventListener("click", () => submit(false));
$("pin-skip").addEventListener("click", () => submit(true));
$("pin-clear").addEventListener("click", clearPIN);
$("pin-cancel").addEventListener("click", () => { clearPIN(); clearPINB(); show(current ? "menu" : "insert"); });
$("result-done").addEventListener("click", () => { wipe(); if (current && cards[current.reader]) show("take"); else toInsert(); });
$("error-back").addEventListener("click", () => {
  wipe();
  if (current && cards[current.reader]) show("menu"); else toInsert();
});
// Any touch keeps what is on screen for another idle period.
for (const ev of ["pointerdown", "keydown"]) document.addEventListener(ev, armIdle, { capture: true, passive: true });

show("loading");
refreshStatus().then((ok) => { if (!ok) onConnState("unreachable"); });
client.events({ onEvent, onState: onConnState });
