// Samskab: initialise Det Fælles Designsystem once, and again on content htmx swaps in.
(function () {
  function init() {
    if (window.DKFDS) { window.DKFDS.init(); }
    if (window.htmx && window.DKFDS) {
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
