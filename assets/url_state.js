// The page's address follows what the person chose (period, team) without reloading the page, so Back from
// a drill-down, a bookmark or a shared link returns to the same view. The server reads the same parameters
// when it builds the page (app.py period_layout, the supervisor's team).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    floorview: {
        keepPeriod: function (key, start, end) {
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
                var url = new URL(window.location.href);
                if (value) { url.searchParams.set(name, value); } else { url.searchParams.delete(name); }
                window.history.replaceState(window.history.state, "", url);
            };
        },
    },
});
window.dash_clientside.floorview.keepTeam = window.dash_clientside.floorview.keepParam("team");
