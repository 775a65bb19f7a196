// Link fields (views/lookup.py): select2 asks the server for matches as the user types.
// Works for fields on the page and for search filters FAB's ab_filters.js adds later.
(function ($) {
    "use strict";

    // select2's messages in the user's language (views/interface_strings.py renders them
    // into the page; select2 ships no Kazakh). Set as the default for every select2 on the
    // page, FAB's own included, before FAB's scripts build theirs on document ready.
    var strings = readStrings();
    if ($.fn.select2) {
        $.fn.select2.defaults.set("language", select2Language(strings));
    }

    function readStrings() {
        var node = document.getElementById("irm-select2-strings");
        try {
            return node ? JSON.parse(node.textContent) : {};
        } catch (e) {
            return {};
        }
    }

    function select2Language(s) {
        function count(text, n) { return String(text || "").replace("%(n)s", n); }
        return {
            errorLoading: function () { return s.errorLoading; },
            inputTooLong: function (a) { return count(s.inputTooLong, a.input.length - a.maximum); },
            inputTooShort: function (a) {
                return count(s.inputTooShort, a.minimum - a.input.length);
            },
            loadingMore: function () { return s.loadingMore; },
            maximumSelected: function (a) { return count(s.maximumSelected, a.maximum); },
            noResults: function () { return s.noResults; },
            searching: function () { return s.searching; },
            removeAllItems: function () { return s.removeAllItems; }
        };
    }

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
            placeholder: strings.placeholder || "",
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
