// 排序题: 上移/下移 buttons reorder the list (keyboard and touch alike); focus stays on
// the moved item's button and a live region says where it went. The order is sent only
// once the candidate has moved something: an untouched list is unanswered.
(function () {
  "use strict";
  var types = window.questionTypes = window.questionTypes || {};
  types.ordering = {
    read: function (fs) {
      var list = fs.querySelector("[data-ordering]");
      if (list.hasAttribute("data-untouched")) return null;
      return Array.prototype.map.call(list.querySelectorAll("[data-key]"), function (li) { return li.dataset.key; });
    }
  };

  function announce(list, text) {
    var status = list.parentNode.querySelector("[data-ordering-status]");
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function move(button) {
    var item = button.closest("[data-key]");
    var list = item.parentNode;
    var items = Array.prototype.slice.call(list.children);
    var from = items.indexOf(item);
    var to = from + Number(button.dataset.step);
    if (to < 0 || to >= items.length) {
      announce(list, "“" + item.dataset.text + "”已在" + (to < 0 ? "第一位" : "最后一位"));
      return;
    }
    if (to < from) list.insertBefore(item, items[to]);
    else list.insertBefore(items[to], item);
    list.removeAttribute("data-untouched");
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.querySelector(".ordering-position").textContent = i + 1;
      li.querySelector("input[type=hidden]").disabled = false;
    });
    button.focus();
    announce(list, "“" + item.dataset.text + "”移到第 " + (to + 1) + " 位，共 " + items.length + " 项");
    list.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-ordering] .ordering-move");
    if (button) move(button);
  });
})();
