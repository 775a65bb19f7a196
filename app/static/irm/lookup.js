// Link fields (views/lookup.py): select2 asks the server for matches as the user types.
// Works for fields on the page and for search filters FAB's ab_filters.js adds later.
(function ($) {
    "use strict";

    function currentFilterValue(name) {
        // A search filter FAB restores from the URL gets its value after it is built.
        return new URLSearchParams(window.location.search).get(name);
    }

    function init(select) {
        var $select = $(select);
        if ($select.data("irm-lookup-ready") || !$select.attr("name")) {
            return;
        }
        $select.data("irm-lookup-ready", true);
        var url = $select.attr("data-url");
        $select.select2({
            theme: "bootstrap",
            width: "100%",
            allowClear: true,
            placeholder: "",
            minimumInputLength: 0,
            ajax: {
                url: url,
                dataType: "json",
                delay: 250,
                data: function (params) {
                    return {q: params.term || "", page: params.page || 1};
                }
            }
        });
        var value = currentFilterValue($select.attr("name"));
        if (value && !$select.val()) {
            $.getJSON(url, {id: value}, function (data) {
                (data.results || []).forEach(function (item) {
                    $select.append(new Option(item.text, item.id, true, true)).trigger("change");
                });
            });
        }
    }

    function initWithin(root) {
        $(root).find("select.irm-lookup").addBack("select.irm-lookup").each(function () {
            // FAB renames a search filter's field just after inserting it: wait a tick.
            var select = this;
            window.setTimeout(function () { init(select); }, 0);
        });
    }

    $(function () {
        // select2 4.0.13 under jQuery >= 3.6 no longer focuses its search box on open,
        // so typing went nowhere; focus it for every select2 on the page.
        $(document).on("select2:open", function () {
            var search = document.querySelector(".select2-container--open .select2-search__field");
            if (search) { search.focus(); }
        });
        initWithin(document.body);
        new MutationObserver(function (mutations) {
            mutations.forEach(function (m) {
                m.addedNodes.forEach(function (node) {
                    if (node.nodeType === 1) { initWithin(node); }
                });
            });
        }).observe(document.body, {childList: true, subtree: true});
    });
})(jQuery);
