// Konvoi's pages work without this file (the convoy board links to a page with every driver
// in every select). It makes htmx requests carry the CSRF token, fills the board's selects
// and, on the driver's page, keeps the page and the reports working through a lost connection.
// Scripts run: the submit buttons that only a page without scripts needs can hide.
document.documentElement.classList.add("js");

document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

// The convoy board lists its drivers once, in a <template>; each seat's select is sent with
// only its chosen driver and takes the others from there, on the page and after every htmx
// swap. A 60-vehicle grid would otherwise repeat every driver in 300 selects.
(function () {
  function fillChoices(root) {
    root.querySelectorAll("select[data-choices]").forEach(function (select) {
      var list = document.getElementById(select.dataset.choices);
      if (!list || select.dataset.filled) { return; }
      var chosen = select.value;
      select.querySelectorAll("option:not([value=''])").forEach(function (option) {
        option.remove();
      });
      select.appendChild(list.content.cloneNode(true));
      select.value = chosen;
      select.dataset.filled = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fillChoices(document); });
  document.addEventListener("htmx:load", function (event) { fillChoices(event.detail.elt); });
})();

(function () {
  var QUEUE = "konvoi-report-queue";

  function offlinePage() {
    return document.querySelector("[data-offline-page]");
  }

  function queued() {
    try {
      return JSON.parse(localStorage.getItem(QUEUE) || "[]");
    } catch (e) {
      return [];
    }
  }

  function keep(reports) {
    localStorage.setItem(QUEUE, JSON.stringify(reports));
    showQueue();
  }

  function showQueue() {
    var note = document.getElementById("queue-note");
    if (!note) { return; }
    var count = queued().length;
    note.hidden = count === 0;
    var text = count === 1 ? note.dataset.one : (note.dataset.many || "").replace("{n}", count);
    note.textContent = text;
  }

  function showOffline() {
    var note = document.getElementById("offline-note");
    if (note) { note.hidden = navigator.onLine; }
  }

  function send(report) {
    var body = new URLSearchParams(report.fields);
    return fetch(report.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": report.fields.csrf_token || "" },
      redirect: "follow"
    });
  }

  // Sends what is waiting, oldest first. A report leaves the queue once the server answered,
  // whatever it answered: its client key makes a repeat harmless, and a refusal will not
  // change by sending it again.
  var flushing = false;
  function flush() {
    var waiting = queued();
    if (flushing || waiting.length === 0 || !navigator.onLine) { return; }
    flushing = true;
    send(waiting[0]).then(function () {
      keep(queued().slice(1));
      flushing = false;
      if (queued().length > 0) {
        flush();
      } else {
        window.location.reload();
      }
    }, function () {
      flushing = false;  // still no network: try again when it comes back
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-queue]")) { return; }
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    // The moment of the tap, and a key of its own, so a report sent late is dated right
    // and one sent twice is recorded once.
    fields.occurred_at = new Date().toISOString();
    if (window.crypto && crypto.randomUUID) {
      fields.client_key = crypto.randomUUID();
    }
    keep(queued().concat([{ action: form.action, fields: fields }]));
    flush();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!offlinePage()) { return; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    }
    document.addEventListener("submit", onSubmit);
    window.addEventListener("online", function () { showOffline(); flush(); });
    window.addEventListener("offline", showOffline);
    showOffline();
    showQueue();
    flush();
  });
})();
