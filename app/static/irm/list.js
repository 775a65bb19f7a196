// List pages (templates/irm/widgets/list.html): one handler for every row's delete button.
(function ($) {
    "use strict";
    $(document).on("click", "a.irm-delete", function (event) {
        event.preventDefault();
        new AdminActions().execute_single_delete($(this).attr("data-href"),
                                                 $(this).attr("data-confirm"));
    });
})(jQuery);

// A text filter the user adds starts as "contains" (FAB starts it as "starts with"): staff
// search for a word anywhere in a name. The label comes from the page (templates/irm/layout.html).
(function ($) {
    "use strict";
    var contains = $('meta[name="irm-filter-contains"]').attr("content");
    $(document).on("click", "a.filter", function () {
        var name = $(this).attr("name");
        var $row = $(".filters tr").last();
        var $option = $row.find("select.filter-op option").filter(function () {
            return $(this).text() === contains;
        });
        if ($option.length) {
            $row.find("select.filter-op").val($option.val()).trigger("change");
            $row.find(".filter_val").attr("name", "_flt_" + $option.val() + "_" + name);
        }
    });
})(jQuery);
