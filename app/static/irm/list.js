// List pages (templates/irm/widgets/list.html): one handler for every row's delete button.
(function ($) {
    "use strict";
    $(document).on("click", "a.irm-delete", function (event) {
        event.preventDefault();
        new AdminActions().execute_single_delete($(this).attr("data-href"),
                                                 $(this).attr("data-confirm"));
    });
})(jQuery);
