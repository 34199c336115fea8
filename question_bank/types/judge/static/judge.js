// 判断题 on the test page: true or false, or null.
(window.questionTypes = window.questionTypes || {}).judge = {
  read: function (fs) {
    var checked = fs.querySelector("input[name]:checked");
    return checked ? checked.value === "true" : null;
  }
};
