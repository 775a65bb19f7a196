// The import page's progress bar: ask how far the pass is each second; reload when it ends.
(function () {
    "use strict";
    var page = document.getElementById("import-job");
    if (!page || page.getAttribute("data-finished") === "yes") { return; }
    var url = page.getAttribute("data-progress-url");

    function poll() {
        fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
            .then(function (p) {
                if (p.finished) { window.location.reload(); return; }
                var bar = document.getElementById("import-bar");
                var percent = p.rows_total ? Math.min(100, Math.round(100 * p.rows_done / p.rows_total)) : 0;
                bar.style.width = Math.max(percent, 5) + "%";
                bar.setAttribute("aria-valuenow", percent);
                document.getElementById("import-count").textContent = p.rows_done;
                document.getElementById("import-status").textContent = p.label;
                window.setTimeout(poll, 1000);
            })
            .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
})();
