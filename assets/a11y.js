// Keyboard and screen-reader fixes for parts Floorview does not render itself (Plotly, Dash 4.4's components).
// Re-applied after React redraws, once per animation frame at most; each fix only adds or changes attributes.
(function () {
    var fixes = [
        // Plotly's mode-bar buttons: keyboard users tab from panel to panel, not through every chart's icons.
        [".modebar-btn:not([tabindex='-1'])", function (el) { el.setAttribute("tabindex", "-1"); }],
        // A dropdown's hidden focus catcher is aria-hidden yet tabbable: the visible button is the tab stop.
        [".dash-dropdown-focus-target:not([tabindex='-1'])", function (el) { el.setAttribute("tabindex", "-1"); }],
        // A date picker's wrapper says whether its calendar is open (aria-expanded) but has no role to carry it.
        [".dash-datepicker-input-wrapper[aria-expanded]:not([role])", function (el) {
            el.setAttribute("role", "group");
        }],
        // An upload box's file input has no label: name it after the box's own text.
        [".fv-upload input[type=file]:not([aria-label])", function (el) {
            var box = el.closest(".fv-upload");
            el.setAttribute("aria-label", (box && box.innerText.trim()) || "Choose files to upload");
        }],
        // A table that scrolls sideways on a phone must be reachable to scroll with the keyboard.
        [".table-responsive:not([tabindex])", function (el) { el.setAttribute("tabindex", "0"); }],
    ];
    var pending = false;
    function apply() {
        pending = false;
        fixes.forEach(function (fix) { document.querySelectorAll(fix[0]).forEach(fix[1]); });
    }
    new MutationObserver(function () {
        if (!pending) { pending = true; window.requestAnimationFrame(apply); }
    }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                           attributeFilter: ["tabindex", "aria-expanded", "role"]});
})();
// A tile's definition shows on hover and on keyboard focus (CSS); Escape hides it until focus moves on.
document.addEventListener("keydown", function (e) {
    var tile = e.key === "Escape" && document.activeElement && document.activeElement.closest(".fv-tile");
    if (tile) { tile.classList.add("fv-tip-off"); }
});
document.addEventListener("focusout", function (e) {
    var tile = e.target.closest && e.target.closest(".fv-tile");
    if (tile) { tile.classList.remove("fv-tip-off"); }
});
