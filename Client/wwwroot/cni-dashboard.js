// Reconnect banner actions. Blazor toggles the components-reconnect-* classes on the banner itself;
// these buttons only ask it to try again or reload.
(function () {
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-reconnect-action]') : null;
    if (!target || !window.Blazor) {
      return;
    }
    var action = target.getAttribute('data-reconnect-action');
    if (action === 'reload') {
      location.reload();
      return;
    }
    var banner = document.getElementById('components-reconnect-modal');
    var paused = banner && (banner.classList.contains('components-reconnect-paused') || banner.classList.contains('components-reconnect-resume-failed'));
    var attempt = paused && typeof Blazor.resumeCircuit === 'function' ? Blazor.resumeCircuit() : Blazor.reconnect();
    Promise.resolve(attempt).then(function (ok) {
      if (ok === false) {
        location.reload();
      }
    });
  });
})();
