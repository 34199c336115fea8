"""Error pages in the user's language."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: "请求有误。",
    403: "您没有权限访问此页面。",
    404: "页面不存在，或您无权查看。",
    413: "上传的文件过大。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器出错了，我们会尽快处理。请稍后再试。",
}


def register_error_handlers(app: Flask) -> None:
    def render(code: int, message: str | None = None):
        return render_template("error.html", code=code, message=message or MESSAGES[code]), code

    for code in MESSAGES:
        app.register_error_handler(code, lambda exc, code=code: render(code))
    app.register_error_handler(
        CSRFError, lambda exc: render(400, "页面已过期或表单校验失败，请刷新页面后重试。")
    )
