// Presence heartbeat (SPEC §4.7): while the network page is open, tell the portal every
// minute that this user is here. Contacts see it; nobody else does.
(function () {
  const el = document.querySelector("[data-presence-url]");
  if (!el) return;
  const url = el.dataset.presenceUrl;
  const token = el.dataset.csrf;
  setInterval(function () {
    fetch(url, { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" });
  }, 60000);
})();
