// Catalog editor: add and remove item rows in the page. Without JavaScript the same buttons
// post the form and the server answers with one row more (or fewer).
(function () {
  "use strict";

  function addRow(event) {
    var button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    var template = document.getElementById("item-row-template");
    var body = document.getElementById("item-rows");
    if (!template || !body || !("content" in template)) return; // let the form post instead
    event.preventDefault();
    var next = parseInt(body.getAttribute("data-next"), 10);
    if (isNaN(next)) next = body.children.length;
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__i__/g, String(next)));
    body.setAttribute("data-next", String(next + 1));
    var first = body.lastElementChild && body.lastElementChild.querySelector("input");
    if (first) first.focus();
  }

  function removeRow(event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-remove-row]") || !box.checked) return;
    var row = box.closest("tr");
    if (!row) return;
    // A row the user has not filled in goes at once; a filled one stays, greyed, until saved.
    var filled = Array.prototype.some.call(row.querySelectorAll("input:not([type=checkbox])"), function (input) {
      return input.value.trim() !== "";
    });
    if (!filled && row.parentNode.children.length > 1) row.parentNode.removeChild(row);
  }

  document.addEventListener("click", addRow);
  document.addEventListener("change", removeRow);
})();
