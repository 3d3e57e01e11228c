// Samskab: initialise Det Fælles Designsystem once, and again on content htmx swaps in.
(function () {
  function init() {
    if (!window.DKFDS) { return; }
    window.DKFDS.init();
    // The menu button is a link to /menu so that it works without JavaScript; with
    // JavaScript DKFDS opens the drawer instead, so the link must not be followed.
    document.querySelectorAll(".js-menu-open").forEach(function (opener) {
      opener.addEventListener("click", function (event) { event.preventDefault(); });
    });
    if (window.htmx) {
      window.htmx.onLoad(function (el) {
        if (el !== document.body) { window.DKFDS.init({ scope: el }); }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
