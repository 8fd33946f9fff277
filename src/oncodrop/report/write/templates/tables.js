(function () {
  "use strict";
  // Every server-rendered table with a header row (not the JSON-backed data-js-table ones):
  // a filter box with a row count above it (not for data-own-filter tables, which have their
  // own), headers that sort on click (again: reverse), and for tables with data-limit="N" only
  // the first N matching rows shown until "Show n more".
  function text(row, i) {
    var cell = row.cells[i];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function number(s) {
    if (s === "" || !/^[-+]?[0-9.]+(e[-+]?[0-9]+)?%?$/i.test(s)) return null;
    var n = parseFloat(s);
    return isNaN(n) ? null : n;
  }
  function enhance(table, index) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body || !head.rows.length) return;
    var rows = Array.prototype.slice.call(body.rows);
    var limit = parseInt(table.getAttribute("data-limit") || "0", 10);
    var state = { col: -1, dir: 1, query: "", expanded: false };
    var ownFilter = table.hasAttribute("data-own-filter");
    var tools = document.createElement("div");
    tools.className = "table-tools";
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = "Filter rows…";
    box.setAttribute("aria-label", "Filter this table");
    box.className = "table-filter";
    var count = document.createElement("span");
    count.className = "muted table-count";
    tools.appendChild(box);
    tools.appendChild(count);
    if (!ownFilter) table.parentNode.insertBefore(tools, table);
    var more = table.nextElementSibling && table.nextElementSibling.classList.contains("more")
      ? table.nextElementSibling : null;
    rows.forEach(function (r) { r.classList.remove("extra"); });
    table.classList.add("enhanced");
    function apply() {
      if (ownFilter) return;
      var q = state.query, shown = 0, matching = 0;
      rows.forEach(function (r) {
        var match = !q || r.textContent.toLowerCase().indexOf(q) !== -1;
        if (match) matching++;
        var visible = match && (!limit || state.expanded || matching <= limit);
        r.hidden = !visible;
        if (visible) shown++;
      });
      var hidden = matching - shown;
      count.textContent = shown === rows.length ? rows.length + (rows.length === 1 ? " row" : " rows")
        : shown + " of " + rows.length + " rows shown";
      if (more) {
        more.hidden = !limit || matching <= limit;
        more.textContent = state.expanded ? "Show fewer" : "Show " + hidden + " more";
        more.setAttribute("data-hidden", String(hidden));
      }
    }
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th, i) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      function sort() {
        state.dir = state.col === i ? -state.dir : 1;
        state.col = i;
        Array.prototype.forEach.call(th.parentNode.cells, function (other) {
          if (other === th) other.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
          else other.removeAttribute("aria-sort");
        });
        rows.sort(function (a, b) {
          var x = text(a, i), y = text(b, i), nx = number(x), ny = number(y);
          if (x === "" || y === "") return x === y ? 0 : (x === "" ? 1 : -1);
          if (nx !== null && ny !== null) return (nx - ny) * state.dir;
          return x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" }) * state.dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        apply();
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
    box.addEventListener("input", function () { state.query = box.value.trim().toLowerCase(); apply(); });
    if (more) more.addEventListener("click", function () { state.expanded = !state.expanded; apply(); });
    table.setAttribute("data-table", String(index));
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll("main table:not([data-js-table])"), enhance);
})();
