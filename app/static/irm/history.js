// A record page's history panel: fetch the history fragment when the page opens.
// Without script the panel's link opens the history as a page of its own.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-irm-history]").forEach(function (panel) {
    var body = panel.querySelector(".panel-body");
    fetch(panel.getAttribute("data-irm-history"), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) { body.innerHTML = html; })
      .catch(function () { /* keep the link */ });
  });
});
