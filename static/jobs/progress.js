// A job's page: asks the server how the job is going every second and shows it; when the job is
// done, opens its result page or offers its file; when it failed, shows why.
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) return;
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var estimate = document.getElementById("job-estimate");
  var error = document.getElementById("job-error");
  var result = document.getElementById("job-result");

  function show(state) {
    status.textContent = state.status_label.charAt(0).toUpperCase() + state.status_label.slice(1) +
      (state.stage ? ": " + state.stage : "");
    if (state.percent !== null) {
      bar.value = state.percent;
      estimate.textContent = state.percent + " %" +
        (state.seconds_left !== null ? ", осталось около " + state.seconds_left + " с" : "");
    }
    if (!state.finished) return false;
    bar.hidden = true;
    estimate.hidden = true;
    document.getElementById("job-note").hidden = true;
    if (state.status === "failed") {
      error.textContent = state.error;
      error.hidden = false;
    } else if (state.result_url && !state.file_url) {
      window.location.assign(state.result_url);
    } else {
      if (!document.getElementById("job-file") && state.file_url) {
        var link = document.createElement("a");
        link.id = "job-file";
        link.className = "download";
        link.href = state.file_url;
        link.textContent = "Скачать " + (state.file_name || "файл");
        result.prepend(link);
      }
      result.hidden = false;
    }
    return true;
  }

  function poll() {
    fetch(root.dataset.stateUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) { if (!show(state)) window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
