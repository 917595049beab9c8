// Konvoi's service worker: the driver's page stays readable without a network.
// Pages: network first, the last good copy when offline. Assets: the cached copy first.
// Reports are not queued here but in the page (konvoi.js), which knows when they were tapped.
var CACHE = "konvoi-v1";
var PAGES = ["/my-convoy"];

self.addEventListener("install", function (event) {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(
        names.filter(function (name) { return name !== CACHE; })
             .map(function (name) { return caches.delete(name); })
      );
    }).then(function () { return self.clients.claim(); })
  );
});

function isPage(url) {
  return PAGES.indexOf(url.pathname) !== -1;
}

function isAsset(url) {
  return url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (isPage(url)) {
    event.respondWith(
      fetch(request).then(function (response) {
        // A redirect is the login page: never the driver's offline copy.
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(url.pathname).then(function (cached) {
          return cached || Response.error();
        });
      })
    );
  } else if (isAsset(url)) {
    event.respondWith(
      caches.match(request).then(function (cached) {
        return cached || fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
          }
          return response;
        });
      })
    );
  }
});
