/*
 * The planning workbench grid (templates/plans/workbench/grid.html): inline edits and locks.
 *
 * A click (or Enter) on an editable cell opens an input; Enter or leaving the cell sends
 * PATCH /plans/<id>/psi with the grid's revision, Escape cancels. In lock mode a click locks
 * or unlocks the cell instead; "Lock row" locks the whole row. A family cell's new total is
 * spread with the chosen mode (custom weights typed as "SKU=weight, SKU@week=weight, …") and rounding step. After a change the page reloads (the draft's
 * page when the first edit made one), so roll-ups and totals are the server's; a refusal
 * (400/409) is shown above the grid and nothing changes.
 */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function messageOf(body) {
    if (!body) { return ""; }
    if (typeof body === "string") { return body; }
    if (body.detail) { return body.detail; }
    var parts = [];
    Object.keys(body).forEach(function (field) {
      var value = body[field];
      parts.push(Array.isArray(value) ? value.map(messageOf).join(" ") : (typeof value === "object" ? messageOf(value) : String(value)));
    });
    return parts.join(" ");
  }

  function init(table) {
    var editable = table.dataset.editable === "true";
    var box = document.querySelector("[data-grid-message]");
    var lockMode = document.querySelector("[data-grid-lock-mode]");
    var mode = document.querySelector("[data-grid-mode]");
    var step = document.querySelector("[data-grid-step]");
    var weightsInput = document.querySelector("[data-grid-weights]");

    // "SKU-01=2, SKU-02@2025-W03=1" → {"sku:SKU-01": 2, "sku:SKU-02": {"2025-W03": 1}}: the
    // API's weights by row key, or by row key and week (a SKU named by week weighs 0 elsewhere).
    function weights() {
      var out = {};
      (weightsInput ? weightsInput.value : "").split(",").forEach(function (part) {
        var pair = part.split("=");
        if (pair.length !== 2 || !pair[0].trim()) { return; }
        var name = pair[0].trim(), at = name.indexOf("@"), value = parseFloat(pair[1]);
        if (at < 0) { out["sku:" + name] = value; return; }
        var key = "sku:" + name.slice(0, at).trim();
        if (typeof out[key] !== "object") { out[key] = {}; }
        out[key][name.slice(at + 1).trim()] = value;
      });
      return out;
    }

    function show(text, info) {
      box.textContent = text;
      box.classList.toggle("info", !!info);
      box.hidden = !text;
    }

    function send(body) {
      body.revision = parseInt(table.dataset.revision, 10);
      show(table.dataset.msgSaving, true);
      return fetch(table.dataset.api, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) {
          show(table.dataset.msgFailed + " " + messageOf(result.data), false);
          return;
        }
        var target = result.data.plan_version_id;
        if (result.data.refused && result.data.refused.length && !result.data.changed.length) {
          show(table.dataset.msgRefused, false);
          return;
        }
        var here = table.dataset.version;
        if (target !== here) {
          window.location.href = table.dataset.gridUrl.replace("__pv__", encodeURIComponent(target)) + window.location.search;
        } else {
          window.location.reload();
        }
      }).catch(function (error) { show(table.dataset.msgFailed + " " + error, false); });
    }

    function keyOf(cell) { return cell.closest("tbody").dataset.key; }

    function toggleLock(cell) {
      send({ locks: [{ key: keyOf(cell), period: cell.dataset.period, locked: !cell.classList.contains("locked") }] });
    }

    function open(cell) {
      if (cell.querySelector("input")) { return; }
      var original = cell.textContent;
      var input = document.createElement("input");
      input.type = "number";
      input.min = "0";
      input.step = "any";
      input.value = String(parseFloat(cell.dataset.value));
      // read as "Target stock 2025-W03": the row's label as shown, not its measure key
      input.setAttribute("aria-label", cell.closest("tr").querySelector("th.measure").textContent + " " + cell.dataset.period);
      cell.textContent = "";
      cell.appendChild(input);
      input.focus();
      input.select();
      var done = false;
      function finish(save) {
        if (done) { return; }
        done = true;
        var value = input.value;
        cell.textContent = original;
        if (!save || value === "" || parseFloat(value) === parseFloat(cell.dataset.value)) { return; }
        var body = { edits: [{ key: keyOf(cell), measure: cell.closest("tr").dataset.measure, period: cell.dataset.period, value: parseFloat(value) }] };
        if (keyOf(cell).indexOf("family:") === 0) {
          var rounding = step && step.value ? parseFloat(step.value) : null;
          body.distribute = { mode: mode ? mode.value : "proportional", round_step: rounding };
          if (body.distribute.mode === "weights") { body.distribute.weights = weights(); }
        }
        send(body);
      }
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); finish(true); }
        if (event.key === "Escape") { event.preventDefault(); finish(false); }
      });
      input.addEventListener("blur", function () { finish(true); });
    }

    if (!editable) { return; }
    table.addEventListener("click", function (event) {
      var rowLock = event.target.closest("[data-row-lock]");
      if (rowLock) {
        send({ locks: [{ key: keyOf(rowLock), period: null, locked: rowLock.dataset.rowLock === "true" }] });
        return;
      }
      var cell = event.target.closest("td.editable");
      if (!cell || event.target.tagName === "INPUT") { return; }
      if (lockMode && lockMode.checked) { toggleLock(cell); } else { open(cell); }
    });
    table.addEventListener("keydown", function (event) {
      var cell = event.target.closest && event.target.closest("td.editable");
      if (cell && event.target === cell && event.key === "Enter") {
        event.preventDefault();
        if (lockMode && lockMode.checked) { toggleLock(cell); } else { open(cell); }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-grid]").forEach(init);
  });
})();
