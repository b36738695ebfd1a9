// mynacard kiosk page: waits for a card (Server-Sent Events read through
// fetch, so the session token travels in a header), asks for the PIN on an
// on-screen keypad, runs the confirmation and shows the result. Plain
// JavaScript, no build step. Labels are Japanese first, English second.
"use strict";

const token = document.querySelector('meta[name="mynacard-token"]').content;
const tokenHeader = document.querySelector('meta[name="mynacard-header"]').content;

const modes = {
  qualify: {
    path: "/v1/qualify", digitsOnly: true, min: 4, max: 4,
    title: "暗証番号（4桁）を入力してください", hint: "Enter your 4-digit PIN",
  },
  identify: {
    path: "/v1/identify", digitsOnly: false, min: 6, max: 16, key: "sign",
    title: "署名用パスワード（6〜16文字）を入力してください", hint: "Enter your signing password (6–16 letters and digits)",
  },
  chip: {
    path: "/v1/chip-identify", digitsOnly: true, min: 14, max: 14,
    title: "照合番号B（14桁）を入力してください",
    hint: "Enter verification number B: birth date as era YYMMDD, expiry year, security code",
  },
  age: {
    path: "/v1/age", digitsOnly: true, min: 6, max: 6, over: 20,
    title: "生年月日を和暦6桁（年・月・日）で入力してください", hint: "Enter your birth date as 6 digits: era year, month, day",
  },
};

const messages = {
  wrong_pin: ["暗証番号が違います", "Wrong PIN"],
  pin_blocked: ["暗証番号がロックされています。市区町村の窓口で解除してください", "The PIN is blocked. Please ask your municipality to reset it"],
  last_try: ["残り1回のため、ここでは入力できません。窓口にお越しください", "Only one try left: please see the counter"],
  pin_format: ["入力の形式が違います", "The PIN does not have the right form"],
  card_removed: ["カードが取り外されました", "The card was removed"],
  no_card: ["カードがありません", "No card on the reader"],
  busy: ["ほかの処理中です。しばらくお待ちください", "Another operation is running. Please wait"],
  not_my_number_card: ["マイナンバーカードではありません", "This is not a My Number Card"],
  timeout: ["時間がかかりすぎました", "The operation timed out"],
  reader_unavailable: ["カードリーダーが使えません", "The card reader is unavailable"],
};

// Refusals of a chip identification or an age check (confirm's codes).
const refusals = {
  record_tampered: ["カードの情報が改変されています", "The card's data has been altered"],
  record_signed_by_other_key: ["カードの情報が発行者の鍵で署名されていません", "The card's data is not signed by the issuer"],
  test_cv_key_under_production_check: ["テスト用のカードです", "This is a test card"],
  record_unverifiable: ["カードの情報を検証できません", "The card's data cannot be verified"],
  card_present_check_failed: ["カードの実在を確認できません（複製の可能性）", "The chip did not prove it is the card (a copy?)"],
  credential_does_not_match_record: ["入力された番号がカードと一致しません", "The number entered does not match the card"],
  card_expired: ["カードの有効期限が切れています", "The card has expired"],
  no_auth_certificate: ["電子証明書がないため失効を確認できません", "No certificate: revocation cannot be checked"],
  auth_certificate_chain: ["電子証明書を検証できません", "The certificate does not verify"],
  auth_certificate_revoked: ["電子証明書が失効しています（紛失の可能性）", "The certificate is revoked (card reported lost?)"],
  auth_revocation_unknown: ["失効を確認できませんでした", "Revocation could not be checked"],
};

let state = "loading";
let current = null; // {reader, event} of the card in use
let cards = {}; // reader name -> card-inserted event
let mode = null;
let pin = [];
let noticeTimer = null;
// ?reader=NAME makes the page use only that reader (a kiosk with several).
const onlyReader = new URLSearchParams(location.search).get("reader");

function $(id) { return document.getElementById(id); }

function show(next) {
  state = next;
  document.body.dataset.state = next;
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== "screen-" + next;
}

function notice(ja, en) {
  const n = $("notice");
  n.textContent = ja + " / " + en;
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.hidden = true; }, 6000);
}

function setText(el, ja, en) {
  el.textContent = ja;
  if (en) {
    const s = document.createElement("span");
    s.className = "en";
    s.textContent = en;
    el.appendChild(s);
  }
}

function clearPIN() {
  for (let i = 0; i < pin.length; i++) pin[i] = "\0";
  pin = [];
  renderPIN();
}

// clearResult removes the last result from the DOM: the face photo and
// the name and address images never outlive the card.
function clearResult() {
  $("result-details").textContent = "";
  $("result-images").textContent = "";
  $("result-title").textContent = "";
}

function toInsert() {
  clearPIN();
  clearResult();
  current = null;
  mode = null;
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

// --- events ---------------------------------------------------------------

function onEvent(kind, e) {
  if (onlyReader && e.reader !== undefined && e.reader !== onlyReader) return;
  switch (kind) {
    case "synced":
      if (current && !cards[current.reader] && state !== "insert") cardGone();
      else if (state === "loading") toInsert();
      break;
    case "card-inserted":
      cards[e.reader] = e;
      if (state === "insert") {
        if (e.usable) useCard(e);
        else {
          const p = $("insert-problem");
          setText(p, "このカードは使用できません", e.card_type === "unreadable" ? "The card could not be read" : "This card cannot be used");
          p.hidden = false;
        }
      }
      break;
    case "card-removed":
    case "reader-removed":
      delete cards[e.reader];
      if (current && current.reader === e.reader) cardGone();
      else if (state === "insert") $("insert-problem").hidden = true;
      break;
  }
}

function cardGone() {
  const wasResult = state === "result";
  toInsert();
  if (!wasResult) notice("カードが取り外されました", "The card was removed");
}

async function streamEvents() {
  for (;;) {
    try {
      const res = await fetch("/v1/events", { headers: { [tokenHeader]: token }, cache: "no-store" });
      if (!res.ok) throw new Error("events: " + res.status);
      $("conn").className = "conn on";
      cards = {};
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
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
    } catch (err) {
      console.log(String(err));
    }
    $("conn").className = "conn off";
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// --- PIN keypad -------------------------------------------------------------

function buildKeypad() {
  const pad = $("keypad");
  pad.textContent = "";
  const keys = mode.digitsOnly
    ? ["1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "⌫"]
    : Array.from("1234567890QWERTYUIOPASDFGHJKLZXCVBNM⌫");
  pad.className = mode.digitsOnly ? "keypad numeric" : "keypad alpha";
  for (const k of keys) {
    const b = document.createElement("button");
    if (k === "") { b.disabled = true; b.className = "blank"; pad.appendChild(b); continue; }
    b.textContent = k;
    b.dataset.key = k === "⌫" ? "back" : k;
    b.addEventListener("click", () => press(b.dataset.key));
    pad.appendChild(b);
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

function askPIN(m, error) {
  mode = modes[m];
  $("pin-title").textContent = mode.title;
  $("pin-hint").textContent = mode.hint;
  buildKeypad();
  clearPIN();
  const pe = $("pin-error");
  if (error) { pe.textContent = error; pe.hidden = false; } else pe.hidden = true;
  show("pin");
}

// --- operations -------------------------------------------------------------

async function submit() {
  if (!current || pin.length < mode.min) return;
  const body = { reader: current.reader, pin: pin.join("") };
  if (mode.key) body.key = mode.key;
  if (mode.over) body.over = mode.over;
  clearPIN();
  const m = mode;
  show("working");
  let res, out;
  try {
    res = await fetch(m.path, {
      method: "POST",
      headers: { "Content-Type": "application/json", [tokenHeader]: token },
      body: JSON.stringify(body),
    });
    body.pin = "";
    out = await res.json();
  } catch (err) {
    body.pin = "";
    return failed("agent_unreachable", "エージェントに接続できません", "Cannot reach the agent");
  }
  if (state !== "working") return; // the card left meanwhile: already back at "insert"
  if (res.ok) return showResult(m, out);
  const code = out.error || "internal";
  if (code === "card_removed") return cardGone();
  if (code === "wrong_pin") {
    const left = typeof out.remaining === "number" ? out.remaining : "?";
    return askPIN(Object.keys(modes).find((k) => modes[k] === m), `暗証番号が違います（残り${left}回） / Wrong PIN (${left} tries left)`);
  }
  const msg = messages[code] || ["エラーが発生しました", "An error occurred"];
  failed(code, msg[0], msg[1] + " (" + code + ")");
}

function failed(code, ja, en) {
  $("error-title").textContent = ja;
  $("error-detail").textContent = en;
  document.body.dataset.error = code;
  show("error");
}

function row(dl, ja, en, value) {
  const dt = document.createElement("dt");
  setText(dt, ja, en);
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
}

function image(b64, ja, en) {
  const fig = document.createElement("figure");
  const img = document.createElement("img");
  img.src = "data:image/png;base64," + b64;
  img.alt = en;
  const cap = document.createElement("figcaption");
  setText(cap, ja, en);
  fig.append(img, cap);
  $("result-images").appendChild(fig);
}

function refusalText(code) {
  const t = refusals[code] || ["確認できませんでした", "Not confirmed"];
  return [t[0], t[1] + " (" + code + ")"];
}

function showAge(r) {
  const title = $("result-title");
  title.className = "big " + (r.ok && r.answer ? "ok" : "warn");
  if (!r.ok) {
    const t = refusalText(r.refusal);
    setText(title, "年齢を確認できませんでした：" + t[0], "Age not checked: " + t[1]);
  } else if (r.answer) setText(title, `はい：${r.over}歳以上です（本日 ${r.as_of}）`, `Yes: ${r.over} or over today`);
  else setText(title, `いいえ：${r.over}歳以上ではありません（本日 ${r.as_of}）`, `No: not ${r.over} or over today`);
  show("result");
}

function showChip(r) {
  const dl = $("result-details");
  const v = r.verdict;
  const title = $("result-title");
  title.className = "big " + (v.ok ? "ok" : "warn");
  if (!v.ok) {
    const t = refusalText(v.refusal);
    setText(title, "本人確認ができませんでした：" + t[0], "Identity not confirmed: " + t[1]);
    show("result");
    return;
  }
  setText(title, "ICチップで確認しました。写真とご本人を見比べてください", "Chip verified: compare the photo with the person");
  if (r.face_png) image(r.face_png, "顔写真", "Face photo");
  if (r.name_png) image(r.name_png, "氏名", "Name");
  if (r.address_png) image(r.address_png, "住所", "Address");
  row(dl, "生年月日", "Birth date", r.birth_date_japanese || r.birth_date);
  row(dl, "性別", "Sex", { male: "男性 / male", female: "女性 / female" }[r.sex] || r.sex);
  row(dl, "有効期限", "Valid until", r.expiry + "（署名の対象外 / not signed）");
  row(dl, "券面の署名", "Card face", v.face.verified ? (v.face.test_key ? "OK (TEST)" : "OK") : "NG");
  row(dl, "カードの実在", "Card present", v.card_present.ok ? "OK" : "NG");
  row(dl, "失効確認", "Revocation", v.auth_revocation.status);
  show("result");
}

function showResult(m, r) {
  clearResult();
  if (m === modes.age) return showAge(r);
  if (m === modes.chip) return showChip(r);
  const dl = $("result-details");
  const ok = r.verdict && r.verdict.ok;
  const title = $("result-title");
  title.className = "big " + (ok ? "ok" : "warn");
  if (m === modes.qualify) {
    const el = r.eligibility;
    if (ok && el && el.eligible) setText(title, "資格を確認しました", "Qualification confirmed");
    else setText(title, "資格を確認できませんでした", "Qualification not confirmed");
    if (el) {
      row(dl, "資格", "Status", el.meaning || el.status_code);
      if (el.name) row(dl, "氏名", "Name", el.name);
      if (el.insurer_number) row(dl, "保険者番号", "Insurer", el.insurer_number);
      if (el.copay_percent) row(dl, "負担割合", "Copay", el.copay_percent + "%");
      if (el.qualified_until) row(dl, "有効期限", "Valid until", el.qualified_until);
    }
  } else {
    if (ok) setText(title, "本人確認ができました", "Identity confirmed");
    else setText(title, "本人確認ができませんでした", "Identity not confirmed");
    const a = r.attributes;
    if (a) {
      row(dl, "氏名", "Name", a.name);
      row(dl, "住所", "Address", a.address);
      row(dl, "生年月日", "Birth date", a.birth_date_japanese || a.birth_date);
      row(dl, "性別", "Sex", { male: "男性 / male", female: "女性 / female" }[a.sex] || a.sex);
    }
  }
  if (r.verdict) {
    const v = r.verdict;
    row(dl, "署名", "Signature", v.signature.ok ? "OK" : "NG");
    row(dl, "証明書", "Certificate", v.chain.ok ? (v.chain.production ? "OK" : "OK (TEST)") : "NG " + (v.chain.code || ""));
    row(dl, "失効確認", "Revocation", v.revocation.status + (v.revocation.code ? " (" + v.revocation.code + ")" : ""));
  }
  show("result");
}

// --- wiring -----------------------------------------------------------------

$("choose-qualify").addEventListener("click", () => askPIN("qualify"));
$("choose-identify").addEventListener("click", () => askPIN("identify"));
$("choose-chip").addEventListener("click", () => askPIN("chip"));
$("choose-age").addEventListener("click", () => askPIN("age"));
$("pin-ok").addEventListener("click", submit);
$("pin-clear").addEventListener("click", clearPIN);
$("pin-cancel").addEventListener("click", () => { clearPIN(); show(current ? "menu" : "insert"); });
$("error-back").addEventListener("click", () => {
  delete document.body.dataset.error;
  if (current && cards[current.reader]) show("menu"); else toInsert();
});

show("loading");
streamEvents();
