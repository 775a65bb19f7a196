// Date boxes (views/fields.py): FAB's bootstrap-datepicker with dates as people write them
// (dd.mm.yyyy), Monday first, and month and day names of the user's language, which the page
// carries from Babel's CLDR data (#irm-calendar). Typed text is left as typed.
(function ($) {
    "use strict";
    var data = document.getElementById("irm-calendar");
    if (!data || !$.fn.datepicker) {
        return;
    }
    $.fn.datepicker.dates.irm = JSON.parse(data.textContent);

    function init(input) {
        var $input = $(input);
        if ($input.data("irm-date-ready")) {
            return;
        }
        $input.data("irm-date-ready", true);
        $input.datepicker({
            format: "dd.mm.yyyy",
            weekStart: 1,
            language: "irm",
            autoclose: true,
            todayHighlight: true,
            forceParse: false,
            orientation: "bottom auto"
        });
    }

    $(function () {
        $("input.irm-date").each(function () { init(this); });
    });
    $(document).on("focus", "input.irm-date", function () { init(this); });
    $(document).on("click", ".irm-date-group .input-group-addon", function () {
        var input = $(this).parent().find("input.irm-date")[0];
        if (input) {
            init(input);
            $(input).datepicker("show");
        }
    });
})(jQuery);
