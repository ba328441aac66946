// The desk form's document checklist, live: for the chosen claim type (and a deceased worker's extras), which
// required documents have a file chosen and which are still missing, before the claim is submitted (so it does
// not come back for a supplement). The kinds come from this year's terms (claims/new.html, json_script).
(function () {
  function render() {
    var data = document.getElementById("document-checklist-data");
    var box = document.getElementById("document-checklist");
    var form = document.getElementById("claim-form");
    if (!data || !box || !form) return;
    var checklist = JSON.parse(data.textContent);
    var type = form.elements.claim_type ? form.elements.claim_type.value : "";
    var kinds = (checklist.required[type] || []).slice();
    if (form.elements.worker_deceased && form.elements.worker_deceased.checked) kinds = kinds.concat(checklist.deceased);
    if (!kinds.length) { box.textContent = ""; return; }
    var have = [], missing = [];
    kinds.forEach(function (kind) {
      var input = form.elements["doc_" + kind];
      (input && input.files && input.files.length ? have : missing).push(checklist.labels[kind] || kind);
    });
    box.textContent = "";
    if (have.length) {
      var ok = document.createElement("span");
      ok.className = "status ok";
      ok.textContent = checklist.words.have + have.join(checklist.words.separator);
      box.appendChild(ok);
      box.appendChild(document.createTextNode(" "));
    }
    var rest = document.createElement("span");
    rest.className = missing.length ? "status warn" : "status ok";
    rest.textContent = missing.length ? checklist.words.missing + missing.join(checklist.words.separator) : checklist.words.complete;
    box.appendChild(rest);
    box.dataset.missing = missing.length;
  }
  document.addEventListener("change", render);
  document.addEventListener("DOMContentLoaded", render);
})();
