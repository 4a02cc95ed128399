// Agent console: answers as the agent types; suggestions in a combobox; keyboard use; remembered region;
// the call-record note.
// The server renders the card (templates/_answer.html, the same template as without JavaScript): this
// script asks /answer for it and puts it in the page. It never builds the card itself.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  if (!form) return;
  var box = document.getElementById("q");
  var region = document.getElementById("region");
  var from = document.getElementById("from");
  var answerBox = document.getElementById("answer");
  var announce = document.getElementById("announce");
  var timer = null;
  var latest = 0;
  var composing = false;
  var PAUSE_MS = 300;
  var MIN_HAN = 2;  // a lone character (or half a word) is not yet a question
  var YEARS = [1990, 2100];  // a date field's year outside these is still being typed (0006-02-02)

  // Worth asking while typing: two Chinese characters at least, and not ending in Latin letters, which
  // are pinyin still being typed without an IME's composition events (高压shuang dian).
  function plausible(text) {
    var han = (text.match(/[\u4e00-\u9fff]/g) || []).length;
    return han >= MIN_HAN && !/[A-Za-z]{2,}\s*$/.test(text);
  }

  // Only a whole, valid date is sent: a half-typed one is left out, never sent for the server to refuse.
  function startDate() {
    if (!from || !from.value) return "";
    var year = parseInt(from.value.slice(0, 4), 10);
    return from.validity.valid && /^\d{4}-\d{2}-\d{2}$/.test(from.value) && year >= YEARS[0] && year <= YEARS[1]
      ? from.value : "";
  }

  function params() {
    var p = new URLSearchParams();
    p.set("q", box.value);
    if (region.value) p.set("region", region.value);
    var start = startDate();
    if (start) p.set("from", start);
    return p;
  }

  function message(text) {
    var p = document.createElement("p");
    p.className = "message error";
    p.textContent = text;
    answerBox.setAttribute("aria-busy", "false");
    answerBox.classList.remove("updating");
    answerBox.replaceChildren(p);
  }

  function show(html) {
    // The fragment is the server's own escaped HTML (the same as the page's); the CSP keeps any script out.
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var body = parsed.getElementById("answer-body");
    answerBox.replaceChildren(document.importNode(body, true));
    answerBox.setAttribute("aria-busy", "false");
    answerBox.classList.remove("updating");
    announce.textContent = body.getAttribute("data-announce") || "";
  }

  function clear() {
    answerBox.replaceChildren();
    announce.textContent = "";
  }

  function run(submitted) {
    var text = box.value.trim();
    if (!text) { clear(); return; }
    if (!submitted && !plausible(text)) return;
    var ticket = ++latest;
    var p = params();
    // The last card stays until the next is ready, marked as updating.
    answerBox.setAttribute("aria-busy", "true");
    answerBox.classList.add("updating");
    // live=1: calls made while typing draw on their own, larger rate-limit budget (README).
    fetch("/answer?" + p.toString() + "&live=1", { headers: { Accept: "text/html" } })
      .then(function (r) { return r.text().then(function (body) { return { ok: r.ok, body: body, type: r.headers.get("Content-Type") || "" }; }); })
      .then(function (res) {
        if (ticket !== latest) return;  // an older answer arriving late
        if (!res.ok) {
          var detail = new DOMParser().parseFromString(res.body, "text/html").querySelector(".error p, .error h1");
          message(detail ? detail.textContent : "查询失败，请重试。");
          return;
        }
        show(res.body);
        history.replaceState(null, "", "/?" + p.toString());
      })
      .catch(function () { if (ticket === latest) message("网络错误，请重试。"); });
  }

  function later() {
    clearTimeout(timer);
    if (!composing) timer = setTimeout(function () { run(false); }, PAUSE_MS);
  }

  // The suggestions (WAI-ARIA 1.2 combobox with list autocomplete). The server renders every suggestion
  // (kb/present/suggestions.py) as a hidden option of the listbox; those that continue the word being typed
  // are shown. ↑/↓ move aria-activedescendant (the focus stays in the box), Enter or a click picks, Escape
  // closes. While an IME composes nothing changes: its own keys choose its candidates.
  var listbox = document.getElementById("q-suggestions");
  var options = listbox ? Array.prototype.slice.call(listbox.querySelectorAll("[role=option]")) : [];
  var SHOWN = 8;  // options shown at once
  var MIN_WORD = 2;  // characters of the word being typed before anything is suggested
  var MIN_INSIDE = 3;  // ... before a suggestion holding it further in is offered (能源法 → 中华人民共和国能源法)
  var longest = options.reduce(function (n, o) { return Math.max(n, o.textContent.length); }, 0);
  var shown = [];
  var active = -1;
  var word = "";  // the end of the text the shown options continue

  // The longest end of the text's last run of characters (no space or punctuation, no trailing pinyin)
  // that some suggestion begins with (or, from MIN_INSIDE characters, holds); those suggestions, the ones
  // beginning with it first. A suggestion holding two characters somewhere inside is not what is being
  // typed (…答复时限 is not 鄂尔多斯…管理时限…).
  function matching(text) {
    var tail = (text.match(/[^\s，。？！、；：,.?!;:（）()]*$/) || [""])[0];
    if (/[A-Za-z]$/.test(tail)) return { word: "", hits: [] };
    for (var n = Math.min(tail.length, longest); n >= MIN_WORD; n--) {
      var end = tail.slice(-n);
      var first = options.filter(function (o) { return o.textContent.indexOf(end) === 0; });
      var inside = n < MIN_INSIDE ? [] : options.filter(function (o) { return o.textContent.indexOf(end) > 0; });
      if (!first.length && !inside.length) continue;
      var hits = first.concat(inside).filter(function (o) { return o.textContent !== end; });  // a word typed whole is not offered again
      return { word: end, hits: hits.slice(0, SHOWN) };
    }
    return { word: "", hits: [] };
  }

  function activate(at) {
    shown.forEach(function (o, i) { o.setAttribute("aria-selected", i === at ? "true" : "false"); });
    active = at;
    if (at < 0) { box.removeAttribute("aria-activedescendant"); return; }
    box.setAttribute("aria-activedescendant", shown[at].id);
    shown[at].scrollIntoView({ block: "nearest" });
  }

  function closeList() {
    if (!listbox) return;
    activate(-1);
    shown.forEach(function (o) { o.hidden = true; });
    shown = [];
    listbox.hidden = true;
    box.setAttribute("aria-expanded", "false");
  }

  function suggest() {
    if (!listbox || composing) return;
    var found = matching(box.value);
    closeList();
    if (!found.hits.length) return;
    word = found.word;
    found.hits.forEach(function (o) { o.hidden = false; listbox.appendChild(o); });  // in the order shown
    shown = found.hits;
    listbox.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function pick(option) {
    var text = box.value;
    box.value = text.slice(0, text.length - word.length) + option.textContent;
    closeList();
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    later();
  }

  box.addEventListener("keydown", function (event) {
    if (event.isComposing || composing || !listbox) return;  // the IME's own keys
    var handled = true;
    if (event.key === "ArrowDown" && event.altKey) {
      suggest();
    } else if (listbox.hidden) {
      handled = false;  // ↑/↓ move through the results instead (below)
    } else if (event.key === "ArrowDown") {
      activate(Math.min(active + 1, shown.length - 1));
    } else if (event.key === "ArrowUp") {
      activate(active - 1);  // above the first: back to the text
    } else if (event.key === "Enter" && active >= 0) {
      pick(shown[active]);
    } else if (event.key === "Escape") {
      closeList();
    } else {
      handled = false;
      if (event.key === "Tab") closeList();
    }
    if (handled) { event.preventDefault(); event.stopPropagation(); }
  });
  if (listbox) {
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });  // the focus stays in the box
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest ? event.target.closest("[role=option]") : null;
      if (option) pick(option);
    });
  }
  box.addEventListener("blur", closeList);

  box.addEventListener("compositionstart", function () { composing = true; clearTimeout(timer); closeList(); });
  box.addEventListener("compositionend", function () { composing = false; suggest(); later(); });
  box.addEventListener("input", function (event) { if (!event.isComposing) { suggest(); later(); } });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    closeList();
    run(true);
  });
  region.addEventListener("change", function () {
    try { localStorage.setItem("kb_region", region.value); } catch (e) { /* storage off */ }
    document.cookie = "kb_region=" + encodeURIComponent(region.value) + "; path=/; max-age=31536000; samesite=lax";
    if (box.value.trim()) run(true);
  });
  if (from) from.addEventListener("change", function () { if (box.value.trim() && (startDate() || !from.value)) run(true); });
  try {
    var saved = localStorage.getItem("kb_region");
    if (!new URLSearchParams(location.search).get("region") && saved !== null && !region.value) region.value = saved;
  } catch (e) { /* storage off */ }

  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#answer .source a, #hits .hit a.label"));
  }

  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.altKey && (event.key === "c" || event.key === "C" || event.code === "KeyC")) {
      var copy = document.querySelector("#answer button.copy-note");
      if (copy) { event.preventDefault(); copy.click(); }
    } else if (event.key === "/" && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "Escape") {
      box.value = "";
      clear();
      box.focus();
      history.replaceState(null, "", "/");
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var items = results();
      if (!items.length || (typing && document.activeElement !== box)) return;
      event.preventDefault();
      var at = items.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : at - 1;
      if (next < 0) box.focus(); else items[next].focus();
    }
  });
}());
