// Agent console: answers as the agent types, through /api/ask; keyboard use; remembered region;
// copy to the call record; feedback without leaving the page. Without JavaScript the form submits
// and the server renders the same card.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  if (!form) return;
  var box = document.getElementById("q");
  var region = document.getElementById("region");
  var from = document.getElementById("from");
  var answerBox = document.getElementById("answer");
  var hitsBox = document.getElementById("hits");
  var timer = null;
  var latest = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function decode(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
      .replace(/&#x27;/g, "'").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  }

  // The server escapes clause text and adds only <mark>…</mark>: rebuild that as nodes.
  function marked(html) {
    var out = document.createDocumentFragment();
    html.split(/(<mark>.*?<\/mark>)/).forEach(function (part) {
      var m = /^<mark>(.*)<\/mark>$/.exec(part);
      out.appendChild(m ? el("mark", { text: decode(m[1]) }) : document.createTextNode(decode(part)));
    });
    return out;
  }

  function badge(status) {
    return el("span", { "class": "badge status status-" + status, text: status });
  }

  function feedbackForm(data) {
    var fields = [["kind", "answer"], ["target", data.question], ["answer", (data.answer || "").slice(0, 500)],
      ["region", region.value], ["back", location.pathname + location.search]];
    var f = el("form", { "class": "feedback", method: "post", action: "/feedback" },
      fields.map(function (pair) { return el("input", { type: "hidden", name: pair[0], value: pair[1] }); }));
    f.appendChild(el("label", { "class": "comment", text: "意见（可选）" },
      [el("textarea", { name: "comment", maxlength: "2000", rows: "1" })]));
    f.appendChild(el("button", { type: "submit", name: "verdict", value: "useful", "class": "useful", text: "有用" }));
    f.appendChild(el("button", { type: "submit", name: "verdict", value: "wrong", "class": "wrong", text: "有误" }));
    return f;
  }

  function understood(data) {
    var u = data.understood || {};
    if (!u.line) { return null; }
    return el("p", { "class": "understood", text: u.line + (u.did_you_mean ? " · 您是不是要找：" + u.did_you_mean : "") });
  }

  function card(data) {
    if (!data.found) {
      if (data.citations && data.citations.length) {
        // no certain figure: say so, and give the clauses to read
        return el("article", { "class": "answer-card empty", "data-found": "false" }, [understood(data),
          el("p", { "class": "answer-text", text: data.answer }),
          el("ul", { "class": "to-read" }, data.citations.map(function (c) {
            return el("li", {}, [el("a", { href: c.url, text: "《" + c.title + "》" + c.label })]);
          }))]);
      }
      return el("article", { "class": "answer-card empty", "data-found": "false" },
        [understood(data), el("p", { "class": "answer-text", text: "知识库中没有找到相关规定。可换个说法，或到“条款检索”查看原文。" })]);
    }
    var cite = data.citations[0];
    var fact = data.facts[0];
    var standing = fact && data.applicable.filter(function (a) { return a.doc_id === fact.doc_id; })[0];
    var status = standing ? standing.effective_status : cite.status;
    var copyLine = (data.answer + " 出处：《" + cite.title + "》" + cite.label).replace(/\n/g, " ");
    var scope = el("div", { "class": "scope" }, [badge(status),
      el("span", { "class": "region", text: fact ? fact.region : cite.region }),
      fact && fact.subject ? el("span", { "class": "subject", text: fact.subject }) : null,
      fact && fact.item ? el("span", { "class": "item", text: fact.item }) : null]);
    var children = [
      understood(data),
      data.figure ? el("div", { "class": "figure", text: data.figure }) : null,
      el("p", { "class": "answer-text", text: data.answer }),
      scope,
      el("blockquote", { "class": "clause-text", text: cite.text }),
      el("p", { "class": "source", text: "出处：" }, [el("a", { href: cite.url, text: "《" + cite.title + "》" + cite.label })])
    ];
    var rules = data.applicable.filter(function (a) { return a.figure; });
    if (rules.length > 1) {
      var body = el("tbody", {}, rules.map(function (rule) {
        return el("tr", { "class": rule.binding ? "binding" : "not-binding" }, [
          el("td", { text: rule.region }),
          el("td", {}, [el("a", { href: "/doc/" + rule.doc_id, text: rule.title }), document.createTextNode(" " + rule.label)]),
          el("td", { "class": "rule-figure", text: rule.figure }),
          el("td", {}, [badge(rule.effective_status)].concat(rule.notes.map(function (n) {
            return el("div", { "class": "note", text: n });
          })))
        ]);
      }));
      children.push(el("table", { "class": "rules-compare" }, [el("caption", { text: "适用规则（按效力排列）" }),
        el("thead", {}, [el("tr", {}, ["地区", "文件", "规定", "状态"].map(function (h) { return el("th", { text: h }); }))]),
        body]));
    }
    if (data.deadlines && data.deadlines.length) {
      children.push(el("ul", { "class": "deadlines" }, data.deadlines.map(function (d) {
        var head = d.region + "《" + d.title + "》" + d.figure + "：";
        return d.due
          ? el("li", { text: head + "最迟 " }, [el("strong", { "class": "due", text: d.due }), el("div", { "class": "note", text: d.rule })])
          : el("li", { text: head }, [el("span", { "class": "note", text: d.error })]);
      })));
    }
    children.push(el("div", { "class": "card-actions" }, [
      el("button", { type: "button", "class": "copy", "data-copy": copyLine, text: "复制答复与出处" }), feedbackForm(data)]));
    return el("article", { "class": "answer-card", "data-found": "true" }, children);
  }

  function hitItem(hit) {
    return el("li", { "class": "hit" }, [
      el("div", { "class": "hit-head" }, [
        el("a", { "class": "doc", href: "/doc/" + hit.doc_id, text: hit.title }),
        el("a", { "class": "label", href: hit.url, text: hit.label }),
        el("span", { "class": "badge region", text: hit.region }), badge(hit.status)]),
      el("p", { "class": "snippet" }, [marked(hit.highlight)])
    ]);
  }

  function params() {
    var p = new URLSearchParams();
    p.set("q", box.value);
    if (region.value) p.set("region", region.value);
    if (from && from.value) p.set("from", from.value);
    return p;
  }

  function render(data) {
    answerBox.replaceChildren(card(data));
    hitsBox.replaceChildren.apply(hitsBox, data.hits.map(hitItem));
  }

  function clear() {
    answerBox.replaceChildren();
    hitsBox.replaceChildren();
  }

  function run() {
    if (!box.value.trim()) { clear(); return; }
    var ticket = ++latest;
    var p = params();
    // live=1: calls made while typing draw on their own, larger rate-limit budget (README).
    fetch("/api/ask?" + p.toString() + "&live=1", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (ticket !== latest) return;  // an older answer arriving late
        if (!res.ok) {
          answerBox.replaceChildren(el("p", { "class": "message error", text: res.body.detail || res.body.error }));
          return;
        }
        render(res.body);
        history.replaceState(null, "", "/?" + p.toString());
      })
      .catch(function () {
        if (ticket === latest) answerBox.replaceChildren(el("p", { "class": "message error", text: "网络错误，请重试。" }));
      });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  region.addEventListener("change", function () {
    try { localStorage.setItem("kb_region", region.value); } catch (e) { /* storage off */ }
    document.cookie = "kb_region=" + encodeURIComponent(region.value) + "; path=/; max-age=31536000; samesite=lax";
    if (box.value.trim()) run();
  });
  if (from) from.addEventListener("change", function () { if (box.value.trim()) run(); });
  try {
    var saved = localStorage.getItem("kb_region");
    if (!new URLSearchParams(location.search).get("region") && saved !== null && !region.value) region.value = saved;
  } catch (e) { /* storage off */ }

  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#answer .source a, #hits .hit a.label"));
  }

  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
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
