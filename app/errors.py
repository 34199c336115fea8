"""Error pages and JSON errors, always in Chinese (issue 10, item 19).

API callers (JSON bodies, ``.json`` URLs, answer saving, or an Accept header asking for
JSON) get ``{"error": "…"}``; everyone else the error page.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.refusal import Refused

MESSAGES = {
    400: "请求有误。",
    401: "请先登录。",
    403: "您没有权限访问此页面。",
    404: "页面不存在，或您无权查看。",
    405: "不支持这种请求方式。",
    408: "请求超时，请重试。",
    409: "操作冲突，请刷新页面后重试。",
    413: "上传的文件过大，或提交的内容过多。",
    415: "不支持这种内容格式。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器出错了，我们会尽快处理。请稍后再试。",
}
DEFAULT_MESSAGE = "请求无法完成。"
CSRF_MESSAGE = "页面已过期或表单校验失败，请刷新页面后重试。"
# The page's token belongs to a session that has ended (a login in another tab began a
# new one): the page must be loaded again (the test page keeps its unsaved answers).
STALE_PAGE_MESSAGE = "页面已过期（登录状态已更新），请刷新页面。"


def wants_json() -> bool:
    return (
        request.is_json
        or request.path.endswith((".json", "/answers"))
        or request.accept_mimetypes.best == "application/json"
    )


def error_response(code: int, message: str | None = None) -> Response:
    message = message or MESSAGES.get(code, DEFAULT_MESSAGE)
    if wants_json():
        response = jsonify(error=message)
    else:
        response = make_response(render_template("error.html", code=code, message=message))
    response.status_code = code
    return response


def expired_response(message: str) -> Response:
    """401 with ``expired``: what a page's script is told when the session it was loaded
    in has ended, instead of a redirect to the login page (``fetch`` follows it and got
    that page, 200, as if the request had succeeded)."""
    response = jsonify(error=message, expired=True)
    response.status_code = 401
    return response


def _csrf_error(exc: CSRFError) -> Response:
    """A script's token that no longer matches its session: the page is stale (401,
    ``expired``). No token at all is no page of ours: 400, as for any form."""
    if wants_json() and exc.description != "The CSRF token is missing.":
        return expired_response(STALE_PAGE_MESSAGE)
    return error_response(400, CSRF_MESSAGE)


def _http_error(exc: HTTPException) -> Response:
    response = error_response(exc.code or 500)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Refused, lambda exc: error_response(exc.status, exc.message))
    app.register_error_handler(500, lambda exc: error_response(500))
