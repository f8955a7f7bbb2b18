// The service worker for staff push notifications (scope /fieldworker/, allowed by the
// Service-Worker-Allowed header static_files.py sends with this file). It handles pushes and
// taps only: no fetch handler, so pages load from the server exactly as without it.
"use strict";

self.addEventListener("push", function (event) {
  var message = {title: "Rebook", body: "You have a new notification.", url: "/fieldworker/notifications"};
  try {
    if (event.data) message = Object.assign(message, event.data.json());
  } catch (e) { /* not JSON: show the generic text */ }
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, tag: message.tag, data: {url: message.url}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) ||
                    "/fieldworker/notifications", self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/fieldworker/notifications", self.location.origin);
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true})
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === url.href && "focus" in windows[i]) return windows[i].focus();
      }
      return self.clients.openWindow(url.href);
    }));
});
