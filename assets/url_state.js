// The page's address follows what the person chose (period, team) without reloading the page, so Back from
// a drill-down, a bookmark or a shared link returns to the same view. The server reads the same parameters
// when it builds the page (app.py period_layout, the supervisor's team).
// A callback can run after the person has moved to another page: the address is then that page's, not ours.
function stillShown() {
    var first = window.dash_clientside.callback_context.inputs_list[0];
    return Boolean(first && document.getElementById(first.id));
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    floorview: {
        keepPeriod: function (key, start, end) {
            if (!stillShown()) { return; }
            var url = new URL(window.location.href);
            if (key && key !== "custom") {
                url.searchParams.set("period", key);
                url.searchParams.delete("from");
                url.searchParams.delete("to");
            } else if (start && end) {
                url.searchParams.delete("period");
                url.searchParams.set("from", String(start).slice(0, 10));
                url.searchParams.set("to", String(end).slice(0, 10));
            }
            window.history.replaceState(window.history.state, "", url);
        },
        keepParam: function (name) {
            return function (value) {
                if (!stillShown()) { return; }
                var url = new URL(window.location.href);
                if (value) { url.searchParams.set(name, value); } else { url.searchParams.delete(name); }
                window.history.replaceState(window.history.state, "", url);
            };
        },
    },
});
window.dash_clientside.floorview.keepTeam = window.dash_clientside.floorview.keepParam("team");
