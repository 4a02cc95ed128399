// Site-wide: copy buttons and feedback forms that post without leaving the page.
(function () {
  "use strict";
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key]; else node.setAttribute(key, attrs[key]);
    });
    return node;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var done = function () { button.textContent = "已复制"; setTimeout(function () { button.textContent = "复制答复与出处"; }, 1500); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { button.textContent = "复制失败"; });
  });

  // A long document is shown in pages: a permalink /doc/<id>#<clause> to a clause on a later page
  // asks the server for the page that holds it (/doc/<id>?clause=<clause>).
  function findClause() {
    var doc = document.querySelector("article.document[data-doc]");
    if (!doc || doc.getAttribute("data-pages") === "1" || location.hash.length < 2) return;
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (document.getElementById(id)) return;
    location.replace("/doc/" + encodeURIComponent(doc.getAttribute("data-doc")) + "?clause=" + encodeURIComponent(id));
  }
  findClause();
  window.addEventListener("hashchange", findClause);

  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.classList || !f.classList.contains("feedback")) return;
    event.preventDefault();
    var data = {};
    new FormData(f).forEach(function (value, key) { data[key] = value; });
    data.verdict = event.submitter ? event.submitter.value : "useful";
    fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) })
      .then(function (r) {
        f.replaceChildren(el("p", { "class": r.ok ? "message thanks" : "message error", text: r.ok ? "已收到反馈，谢谢。" : "反馈未能提交，请重试。" }));
      });
  });
}());
