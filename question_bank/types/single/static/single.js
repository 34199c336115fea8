// 单选题 on the test page: the checked option's key, or null.
(window.questionTypes = window.questionTypes || {}).single = {
  read: function (fs) {
    var checked = fs.querySelector("input[name]:checked");
    return checked ? checked.value : null;
  }
};
