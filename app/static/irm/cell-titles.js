/* A list cell cut with an ellipsis (static/irm/screen.css) shows its whole value on hover. */
(function () {
  "use strict";
  document.querySelectorAll("table.table-bordered.table-hover td").forEach(function (cell) {
    if (!cell.title && cell.scrollWidth > cell.clientWidth) {
      cell.title = cell.textContent.trim();
    }
  });
})();
