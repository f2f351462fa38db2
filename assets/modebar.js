// Plotly's mode-bar buttons are reachable with the mouse only: keyboard users tab from panel to panel
// without stopping on every chart's zoom and download icons. Checked once per animation frame at most.
(function () {
    var pending = false;
    function untab() {
        pending = false;
        document.querySelectorAll(".modebar-btn:not([tabindex='-1'])").forEach(function (el) {
            el.setAttribute("tabindex", "-1");
        });
    }
    new MutationObserver(function () {
        if (!pending) { pending = true; window.requestAnimationFrame(untab); }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
