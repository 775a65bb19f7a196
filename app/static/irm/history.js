// A record page's documents and history panels: fetch each fragment when the page opens.
// Without script the panel's link opens it as a page of its own.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-irm-fragment]").forEach(function (panel) {
    var body = panel.querySelector(".panel-body");
    fetch(panel.getAttribute("data-irm-fragment"), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) { body.innerHTML = html; })
      .catch(function () { /* keep the link */ });
  });
});
