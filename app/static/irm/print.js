// Printable pages (templates/irm/receipt.html): a button that prints the page.
(function () {
    "use strict";
    document.querySelectorAll("[data-irm-print]").forEach(function (button) {
        button.addEventListener("click", function () { window.print(); });
    });
})();
