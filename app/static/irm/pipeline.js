// The pipeline board: move a card by drag and drop or with ← →, see the counts and totals
// follow, undo the last move; a move the server refuses puts the card back and says why.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var status = document.getElementById("board-status");
  var stages = Array.prototype.slice.call(board.querySelectorAll(".stage"));
  var filters = {};
  new URLSearchParams(window.location.search).forEach(function (v, k) { filters[k] = v; });
  var dragged = null, busy = false;

  function say(text, undo) {
    status.textContent = "";
    var box = document.createElement("div");
    box.className = "alert " + (undo ? "alert-success" : "alert-warning");
    box.style.margin = "0";
    box.appendChild(document.createTextNode(text + " "));
    if (undo) {
      var button = document.createElement("button");
      button.type = "button"; button.className = "btn btn-default btn-xs";
      button.id = "board-undo"; button.textContent = board.dataset.undo;
      button.addEventListener("click", undo);
      box.appendChild(button);
    }
    status.appendChild(box);
  }

  function showTotals(totals) {
    stages.forEach(function (stage) {
      var t = totals[stage.dataset.stage];
      if (!t) { return; }
      stage.querySelector(".stage-count").textContent = t.count;
      stage.querySelector(".stage-volume").textContent = t.volume;
    });
  }

  function cardsOf(stage) { return stage.querySelector(".stage-cards"); }

  function move(card, to, then) {
    var from = card.closest(".stage");
    if (busy || from === to) { return; }
    busy = true;
    cardsOf(to).insertBefore(card, cardsOf(to).firstChild);
    fetch(board.dataset.move, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": board.dataset.csrf},
      body: JSON.stringify({project: card.dataset.project, stage: to.dataset.stage,
                            version: card.dataset.version, filters: filters})})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          busy = false;
          if (!r.ok) {
            cardsOf(from).insertBefore(card, cardsOf(from).firstChild);
            say(body.message || board.dataset.refused);
            card.focus();
            return;
          }
          card.dataset.version = body.version;
          showTotals(body.totals || {});
          card.focus();
          then(from, to);
        });
      })
      .catch(function () {
        busy = false;
        cardsOf(from).insertBefore(card, cardsOf(from).firstChild);
        say(board.dataset.failed);
      });
  }

  function moved(card) {
    return function (from, to) {
      say(board.dataset.moved.replace("{name}", card.dataset.name)
                             .replace("{stage}", to.dataset.label), function () {
        move(card, from, function () { say(board.dataset.undone); });
      });
    };
  }

  board.addEventListener("dragstart", function (e) {
    dragged = e.target.closest(".card");
    if (dragged) { e.dataTransfer.setData("text/plain", dragged.dataset.project); }
  });
  stages.forEach(function (stage) {
    stage.addEventListener("dragover", function (e) { e.preventDefault(); stage.classList.add("over"); });
    stage.addEventListener("dragleave", function () { stage.classList.remove("over"); });
    stage.addEventListener("drop", function (e) {
      e.preventDefault(); stage.classList.remove("over");
      if (dragged) { move(dragged, stage, moved(dragged)); dragged = null; }
    });
  });
  board.addEventListener("keydown", function (e) {
    var card = e.target.closest && e.target.closest(".card");
    if (!card || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) { return; }
    var at = stages.indexOf(card.closest(".stage"));
    var to = stages[at + (e.key === "ArrowRight" ? 1 : -1)];
    if (to) { e.preventDefault(); move(card, to, moved(card)); }
  });
})();
