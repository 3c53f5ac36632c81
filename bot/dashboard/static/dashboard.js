// The secretariat's dashboard: fetch the page at this address with Telegram's launch data.
// Telegram puts the launch data in the fragment (#tgWebAppData=...); every link and form on
// the page carries the same fragment, so each page is its own address, bookmarkable too.
(function () {
  "use strict";
  var app = document.getElementById("app");
  var STORE = "dashboard-launch";
  var timer = null;

  function launchFragment() {
    var hash = location.hash.replace(/^#/, "");
    if (new URLSearchParams(hash).get("tgWebAppData")) {
      try { sessionStorage.setItem(STORE, hash); } catch (e) { /* private mode */ }
      return hash;
    }
    try { return sessionStorage.getItem(STORE) || ""; } catch (e) { return ""; }
  }

  var fragment = launchFragment();
  var launchData = new URLSearchParams(fragment).get("tgWebAppData") || "";

  function telegramEvent(type, data) {
    var body = JSON.stringify(data || {});
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(type, body);
    } else if (window.external && window.external.notify) {
      window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
    } else if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
    }
  }

  function withFragment(address) {
    return address.split("#")[0] + "#" + fragment;
  }

  function wire(root) {
    root.querySelectorAll("a[data-nav]").forEach(function (link) {
      link.setAttribute("href", withFragment(link.getAttribute("href")));
    });
    root.querySelectorAll("form[data-nav]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var query = new URLSearchParams();
        new FormData(form).forEach(function (value, key) { if (value) { query.append(key, value); } });
        var text = query.toString();
        location.assign(withFragment(form.getAttribute("action") + (text ? "?" + text : "")));
      });
    });
    root.querySelectorAll("a[data-download]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.TelegramWebviewProxy || (window.parent !== window)) {
          event.preventDefault();
          var url = new URL(link.getAttribute("href"), location.href);
          telegramEvent("web_app_request_file_download", {
            url: url.href, file_name: url.pathname.split("/").pop()
          });
        }
      });
    });
  }

  function show(html) {
    app.innerHTML = html;
    var page = app.querySelector("[data-page]");
    if (page) {
      if (page.dataset.title) { document.title = page.dataset.title; }
      if (page.dataset.lang) { document.documentElement.lang = page.dataset.lang; }
    }
    wire(app);
    if (timer) { clearTimeout(timer); timer = null; }
    var refresh = app.querySelector("[data-refresh]");
    if (refresh) { timer = setTimeout(load, Number(refresh.dataset.refresh) * 1000); }
  }

  function load() {
    fetch(location.pathname + location.search, {
      headers: { "X-Telegram-Init-Data": launchData },
      cache: "no-store",
      credentials: "omit"
    }).then(function (response) {
      return response.text();
    }).then(show).catch(function () {
      if (timer === null) { timer = setTimeout(load, 5000); }
    });
  }

  telegramEvent("web_app_ready");
  telegramEvent("web_app_expand");
  if (launchData) {
    load();
  } else {
    app.innerHTML = document.getElementById("no-launch").innerHTML;
  }
})();
