// Push notifications on this device (templates/fieldworker/_push.html). The page already
// says push isn't available; this turns it into an on/off button where the browser can do it.
// The service worker is registered only when someone turns push on.
(function () {
  "use strict";
  var section = document.getElementById("push");
  if (!section) return;
  var state = document.getElementById("push-state");
  var button = document.getElementById("push-toggle");
  var data = section.dataset;
  if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window &&
        window.isSecureContext)) {
    return;
  }

  function show(text, on) {
    state.textContent = text;
    button.textContent = on ? "Turn off on this device" : "Turn on push notifications";
    button.hidden = false;
    data.state = on ? "on" : "off";
  }

  function keyBytes(text) {
    var base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": data.csrf},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) {
          throw new Error(answer.message || "Rebook couldn't save that (error " +
                          response.status + "). Reload the page and try again.");
        }
        return answer;
      });
    });
  }

  function current() {
    return navigator.serviceWorker.getRegistration(data.scope).then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    });
  }

  // PushManager.subscribe needs the worker active, and a fresh registration is still
  // installing: wait for it (this page's scope is the worker's, so ready fits too).
  function active(registration) {
    if (registration.active) return registration;
    var worker = registration.installing || registration.waiting;
    if (!worker) return navigator.serviceWorker.ready;
    return new Promise(function (resolve, reject) {
      worker.addEventListener("statechange", function () {
        if (worker.state === "activated") resolve(registration);
        if (worker.state === "redundant") reject(new Error("the service worker didn't start"));
      });
    });
  }

  function turnOn() {
    data.state = "registering";
    return navigator.serviceWorker.register(data.worker, {scope: data.scope})
      .then(active)
      .then(function (registration) {
        data.state = "registered";
        return registration.pushManager.subscribe({userVisibleOnly: true,
                                                   applicationServerKey: keyBytes(data.key)});
      })
      .then(function (subscription) {
        // Refused by Rebook: drop the browser's half too, so the page never says "on" wrongly.
        return send(data.subscribeUrl, subscription.toJSON()).catch(function (error) {
          return subscription.unsubscribe().then(function () { throw error; });
        });
      })
      .then(function (answer) { show(answer.message, true); });
  }

  function turnOff() {
    return current().then(function (subscription) {
      if (!subscription) return {message: "Push notifications are off for this device."};
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return send(data.unsubscribeUrl, {endpoint: endpoint});
      });
    }).then(function (answer) { show(answer.message, false); });
  }

  function explain(error) {
    var blocked = Notification.permission === "denied" || (error && error.name === "NotAllowedError");
    show(blocked
      ? "Notifications are blocked for this site in this browser's settings. Allow them there, " +
        "then turn push on again. New notifications still appear in the list above."
      : "Push notifications couldn't be turned on here (" + (error && error.message) + "). " +
        "New notifications still appear in the list above.", false);
    data.state = blocked ? "blocked" : "failed";
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    (data.state === "on" ? turnOff() : turnOn()).catch(explain).then(function () {
      button.disabled = false;
    });
  });

  current().then(function (subscription) {
    show(subscription ? "Push notifications are on for this device."
                      : "Push notifications are off for this device.", !!subscription);
  }).catch(explain);
})();
