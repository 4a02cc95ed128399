// Site-wide: copy buttons (答复, 工单备注, 引用, 链接), feedback forms that post without leaving the page,
// and permalinks into long documents.
(function () {
  "use strict";
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key]; else node.setAttribute(key, attrs[key]);
    });
    return node;
  }

  function copy(button, text) {
    var label = button.getAttribute("data-label") || button.innerHTML;
    button.setAttribute("data-label", label);
    var done = function () { button.textContent = "已复制"; setTimeout(function () { button.innerHTML = label; }, 1500); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { button.textContent = "复制失败"; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) return;
    if (button.classList.contains("print")) {
      window.print();
    } else if (button.classList.contains("copy")) {
      copy(button, button.getAttribute("data-copy"));
    } else if (button.classList.contains("copy-cite") || button.classList.contains("copy-link")) {
      var holder = button.closest(".cite-actions");
      var link = location.origin + holder.getAttribute("data-link");
      copy(button, button.classList.contains("copy-link") ? link : holder.getAttribute("data-cite") + " " + link);
    }
  });

  // Every clause of a document gets 复制引用 and 复制链接 (title, 文号, label and permalink in one line).
  var doc = document.querySelector("article.document[data-doc]");
  if (doc) {
    var cite = "《" + doc.getAttribute("data-title") + "》" + (doc.getAttribute("data-number") ? "（" + doc.getAttribute("data-number") + "）" : "");
    Array.prototype.forEach.call(doc.querySelectorAll(".body .clause[id]"), function (clause) {
      var holder = el("span", { "class": "cite-actions", "data-cite": cite + (clause.getAttribute("data-label") || ""),
        "data-link": "/doc/" + encodeURIComponent(doc.getAttribute("data-doc")) + "#" + encodeURIComponent(clause.id) });
      holder.appendChild(el("button", { type: "button", "class": "copy-cite", text: "复制引用" }));
      holder.appendChild(el("button", { type: "button", "class": "copy-link", text: "复制链接" }));
      var target = clause.tagName === "TR" ? clause.lastElementChild : clause;
      target.appendChild(holder);
    });
  }

  // A long document is shown in pages: a permalink /doc/<id>#<clause> to a clause on a later page
  // asks the server for the page that holds it (/doc/<id>?clause=<clause>).
  function findClause() {
    if (!doc || doc.getAttribute("data-pages") === "1" || location.hash.length < 2) return;
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (document.getElementById(id)) return;
    location.replace("/doc/" + encodeURIComponent(doc.getAttribute("data-doc")) + "?clause=" + encodeURIComponent(id));
  }
  findClause();
  window.addEventListener("hashchange", findClause);

  // An FAQ entry is a closed <details>: a link to it (#entry) opens it.
  function openTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.classList || !f.classList.contains("feedback")) return;
    event.preventDefault();
    var data = {};
    new FormData(f).forEach(function (value, key) { data[key] = value; });
    data.verdict = event.submitter ? event.submitter.value : "useful";
    fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) })
      .then(function (r) {
        f.replaceChildren(el("p", { "class": r.ok ? "message thanks" : "message error", role: "status", text: r.ok ? "已收到反馈，谢谢。" : "反馈未能提交，请重试。" }));
      });
  });
}());
