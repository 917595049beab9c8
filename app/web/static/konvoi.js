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

// The convoy board lists each leg's drivers once per licence class, in a <template>, those
// who fit the seat first; each seat's select is sent with only its chosen driver and takes
// the others from there, on the page and after every htmx swap. A 60-vehicle grid would
// otherwise repeat every driver in 300 selects. Choosing changes nothing until "Seat" is
// pressed: moving through the list with the arrow keys seats nobody.
(function () {
  function fillChoices(root) {
    root.querySelectorAll("select[data-choices]").forEach(function (select) {
      var list = document.getElementById(select.dataset.choices);
      if (!list || select.dataset.filled) { return; }
      // The chosen driver stays as the page sent it, first; the list adds everyone else.
      var chosen = select.value;
      var choices = list.content.cloneNode(true);
      // A vehicle's whole trip: its own drivers judged without their seats on it.
      var own = select.dataset.own && document.getElementById(select.dataset.own);
      if (own) {
        own.content.querySelectorAll("option").forEach(function (corrected) {
          var listed = choices.querySelector('option[value="' + corrected.value + '"]');
          if (listed) { listed.remove(); }
          var group = choices.querySelector('optgroup[data-fit="' + corrected.dataset.fit + '"]');
          if (group) { group.insertBefore(corrected.cloneNode(true), group.firstChild); }
        });
      }
      if (chosen) {
        choices.querySelectorAll("option").forEach(function (option) {
          if (option.value === chosen) { option.remove(); }
        });
      }
      select.appendChild(choices);
      // A select sent empty (equipment on no vehicle yet) keeps the browser's first choice.
      if (chosen) { select.value = chosen; }
      select.dataset.filled = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fillChoices(document); });
  document.addEventListener("htmx:load", function (event) { fillChoices(event.detail.elt); });
})();

// The driver's reports. A tap is kept on the phone until the server confirms it by its
// client key: no network, an ended sign-in or a form from an older sign-in keep it waiting,
// and the page always says what is still waiting. Sent late, a report carries the moment it
// was tapped; sent twice (two tabs, a reload while sending), it is recorded once.
(function () {
  var QUEUE = "konvoi-report-queue";
  var REFUSED = "konvoi-report-refused";
  var RETRY_MS = 30000;

  function offlinePage() {
    return document.querySelector("[data-offline-page]");
  }

  function load(name) {
    try {
      var list = JSON.parse(localStorage.getItem(name) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function save(name, list) {
    localStorage.setItem(name, JSON.stringify(list));
    show();
  }

  function forget(key) {
    save(QUEUE, load(QUEUE).filter(function (report) { return report.key !== key; }));
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function fill(list, lines) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;  // text, never markup
      list.appendChild(item);
    });
  }

  function tapped(report) {
    var at = new Date(report.occurred_at);
    return report.label + " · " + at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function show() {
    var waiting = load(QUEUE);
    var note = document.getElementById("queue-note");
    if (note) {
      note.hidden = waiting.length === 0;
      note.textContent = waiting.length === 1
        ? note.dataset.one
        : (note.dataset.many || "").replace("{n}", waiting.length);
    }
    var list = document.getElementById("queue-list");
    if (list) {
      list.hidden = waiting.length === 0;
      fill(list, waiting.map(tapped));
    }
    var refused = load(REFUSED);
    var box = document.getElementById("refused-note");
    if (box) {
      box.hidden = refused.length === 0;
      fill(box.querySelector("ul"), refused.map(function (r) {
        return tapped(r) + ": " + r.problems.join(" ");
      }));
    }
  }

  // The note's link signs in and comes back to this page, which then sends what waits.
  function askToSignIn() {
    var note = document.getElementById("signin-note");
    if (note) { note.hidden = false; }
  }

  // Offline, the page says when it last came from Konvoi: the same page is sent (and
  // revalidated by its ETag) without a clock in it.
  var LOADED_AT = "konvoi-page-loaded-at";
  function showOffline() {
    var note = document.getElementById("offline-note");
    if (!note) { return; }
    note.hidden = navigator.onLine;
    var at = Number(localStorage.getItem(LOADED_AT));
    if (at && note.dataset.asOf) {
      var when = new Date(at).toLocaleString(document.documentElement.lang || undefined, {
        weekday: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
      note.textContent = note.dataset.asOf.replace("{when}", when);
    }
  }

  function send(report) {
    var token = csrfToken();  // this page's: a sign-in since the tap brought a new one
    var body = new URLSearchParams({
      csrf_token: token,
      kind: report.kind,
      client_key: report.key,
      occurred_at: report.occurred_at
    });
    return fetch(report.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
      redirect: "manual"  // a redirect means the sign-in has ended: keep the report
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, type: response.type, answer: answer };
      });
    });
  }

  // What an answer means for the report: "sent", "refused" (it will not change by sending it
  // again), "sign-in", "stale" (this page's form is from an older sign-in) or "later".
  function meaning(result) {
    if (result.status >= 200 && result.status < 300 && result.answer.recorded) { return "sent"; }
    if (result.type === "opaqueredirect" || result.status === 401) { return "sign-in"; }
    if (result.status === 403 && result.answer.code === "stale_form") { return "stale"; }
    if ([403, 404, 409, 422].indexOf(result.status) !== -1) { return "refused"; }
    return "later";
  }

  var retry = null;
  function later() {
    if (retry === null) {
      retry = setTimeout(function () { retry = null; flush(); }, RETRY_MS);
    }
  }

  function sendAll() {
    var waiting = load(QUEUE);
    if (waiting.length === 0) { return Promise.resolve(false); }
    var report = waiting[0];
    return send(report).then(function (result) {
      var what = meaning(result);
      if (what === "sent") {
        forget(report.key);
        return sendAll().then(function () { return true; });
      }
      if (what === "refused") {
        forget(report.key);
        var problems = result.answer.problems || [result.answer.detail || String(result.status)];
        save(REFUSED, load(REFUSED).concat([Object.assign({}, report, { problems: problems })]));
        return sendAll().then(function () { return true; });
      }
      if (what === "sign-in") {
        askToSignIn();
      } else if (what === "stale") {
        // A newer page has the current form token; fetch it once, then send again.
        if (sessionStorage.getItem("konvoi-token-reload") !== csrfToken()) {
          sessionStorage.setItem("konvoi-token-reload", csrfToken());
          window.location.reload();
        } else {
          askToSignIn();
        }
      } else {
        later();
      }
      return false;
    });
  }

  // One tab sends at a time; the others wait for it and find the queue emptied.
  var flushing = false;
  function flush() {
    if (flushing || load(QUEUE).length === 0 || !navigator.onLine) { return; }
    flushing = true;
    var run = function () { return sendAll(); };
    var done = navigator.locks ? navigator.locks.request(QUEUE, run) : run();
    done.then(function (sentSome) {
      flushing = false;
      if (sentSome && load(QUEUE).length === 0) {
        window.location.reload();  // the page shows what was recorded
      }
    }, function () {
      flushing = false;  // still no network: try again when it comes back
      later();
    });
  }

  // Offline from the first visit: this page and what it loads go into the service worker's
  // store now, not on the next visit.
  function keepForOffline() {
    if (!window.caches) { return; }
    var wanted = [window.location.pathname];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
      wanted.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    caches.open("konvoi-v1").then(function (cache) {
      // Only what is not kept yet: a later visit fetches nothing twice.
      return Promise.all(wanted.map(function (url) {
        return cache.match(url).then(function (kept) { return kept || cache.add(url); });
      }));
    }).catch(function () {});
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-queue]")) { return; }
    event.preventDefault();
    var key = form.elements.client_key.value;
    // A second tap on the same button is the same report.
    if (load(QUEUE).some(function (report) { return report.key === key; })) { return; }
    var button = form.querySelector("button");
    var leg = form.closest("li");
    var heading = leg ? leg.querySelector("h3") : null;
    var report = {
      key: key,
      action: form.action,
      kind: form.elements.kind.value,
      occurred_at: new Date().toISOString(),  // the moment of the tap
      label: (button ? button.textContent : form.elements.kind.value) +
        (heading ? " (" + heading.textContent.trim() + ")" : "")
    };
    save(QUEUE, load(QUEUE).concat([report]));
    if (button) { button.setAttribute("aria-disabled", "true"); button.classList.add("waiting"); }
    flush();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!offlinePage()) { return; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(keepForOffline, function () {});
    }
    document.addEventListener("submit", onSubmit);
    window.addEventListener("online", function () { showOffline(); flush(); });
    window.addEventListener("offline", showOffline);
    window.addEventListener("storage", show);  // another tab's queue is this one's too
    var dismiss = document.querySelector("#refused-note button");
    if (dismiss) {
      dismiss.addEventListener("click", function () { save(REFUSED, []); });
    }
    if (navigator.onLine) { localStorage.setItem(LOADED_AT, String(Date.now())); }
    showOffline();
    show();
    flush();
  });
})();

// The top bar's menus are <details>: they open and close without this. With it, Escape closes
// an open one (the focus goes back to its summary) and a click elsewhere closes it.
(function () {
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll(".topbar details.menu[open]").forEach(function (menu) {
      var focused = menu.contains(document.activeElement);
      menu.open = false;
      if (focused) { menu.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".topbar details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });
})();
