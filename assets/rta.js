// Real-time adherence (/live, the agent's own "now"): the time in status counts up every second between the
// server's refreshes.
// Each cell's data-since is when its status began (ms since the epoch, by the server's clock); the table's
// data-server-now says what the server's clock read when it drew the table, so a browser whose clock is off
// by a minute or more still counts from the right moment. The row's data-seconds follows the cell.
(function () {
    var skews = {};
    function clock(seconds) {
        var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
        var mm = h ? String(m).padStart(2, "0") : String(m);
        return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
    }
    function tick() {
        var seen = {};
        document.querySelectorAll("[data-server-now]").forEach(function (table) {
            var drawn = table.getAttribute("data-server-now");
            // A difference under a minute is the time the table took to arrive, not a wrong clock: counting from
            // the server's reading would lag by that delay, so only a larger one is corrected.
            var skew = Number(drawn) - Date.now();
            seen[drawn] = drawn in skews ? skews[drawn] : (Math.abs(skew) < 60000 ? 0 : skew);
            var now = Date.now() + seen[drawn];
            table.querySelectorAll("td[data-since]").forEach(function (cell) {
                var seconds = Math.max(0, Math.floor((now - Number(cell.getAttribute("data-since"))) / 1000));
                cell.textContent = clock(seconds);
                var row = cell.closest("[data-seconds]");
                if (row) { row.setAttribute("data-seconds", String(seconds)); }
            });
        });
        skews = seen;  // only the tables on the page now
    }
    window.setInterval(tick, 1000);
})();
