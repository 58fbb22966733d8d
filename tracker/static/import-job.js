// An import job's page: asks for the job's progress every two seconds and shows it; goes to
// the import's page once the job has ended. Without this script the page has a Reload link.
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || !box.dataset.progressUrl) { return; }
  var status = document.getElementById("job-status");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (job.next) { window.location.assign(job.next); return; }
        var text = status && status.querySelector("[data-text]");
        if (text) { text.textContent = job.text; }
        var bar = box.querySelector("progress");
        if (bar && job.total) { bar.max = job.total; bar.value = job.done || 0; }
        if (status && job.status !== status.dataset.status) { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
