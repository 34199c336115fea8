// 多选题 on the test page: the checked options' keys, or null when none is checked.
(window.questionTypes = window.questionTypes || {}).multiple = {
  read: function (fs) {
    var keys = Array.prototype.map.call(fs.querySelectorAll("input[name]:checked"), function (i) { return i.value; });
    return keys.length ? keys : null;
  }
};
