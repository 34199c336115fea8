// 填空题 on the test page: the text of every blank, or null while all are empty.
(window.questionTypes = window.questionTypes || {}).fill = {
  read: function (fs) {
    var blanks = Array.prototype.map.call(fs.querySelectorAll("input.blank"), function (i) { return i.value; });
    return blanks.every(function (v) { return v.trim() === ""; }) ? null : blanks;
  }
};
