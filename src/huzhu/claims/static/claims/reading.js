// The desk form's 识别: fill the claim form with the fields a document was read into (claims/_reading.html rows:
// data-fill names the form field, "{row}" the first invoice row still empty). Filled inputs are marked until the
// clerk edits them; the unsure ones stand out to be checked against the paper.
(function () {
  function fill() {
    var box = document.getElementById("reading");
    var form = document.getElementById("claim-form");
    if (!box || !form || box.dataset.filled) return;
    box.dataset.filled = "1";
    if (box.dataset.reading) {  // sent back with the claim: kept with it, with what the clerk corrects
      var kept = document.createElement("input");
      kept.type = "hidden";
      kept.name = "reading";
      kept.value = box.dataset.reading;
      form.appendChild(kept);
    }
    var row = 1;
    while (row < 4 && form.elements["invoice_code_" + row] && form.elements["invoice_code_" + row].value) row++;
    box.querySelectorAll("tr[data-fill]").forEach(function (line) {
      var name = line.dataset.fill.replace("{row}", String(row));
      var input = name && form.elements[name];
      if (!input || input.type === "file") return;
      input.value = line.dataset.value;
      input.classList.add("proposed");
      if (line.dataset.unsure === "1") input.classList.add("unsure");
      input.addEventListener("input", function () { input.classList.remove("proposed", "unsure"); }, { once: true });
    });
  }
  document.addEventListener("htmx:afterSettle", fill);
})();
