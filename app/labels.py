"""The one catalogue of what people see of internal codes (DESIGN.md section 1): audit
actions and the fields they name, roles, statuses. Question types keep their titles
with the types themselves (``question_bank``) and are reached through ``label``.

Templates use the ``label`` filter: ``{{ entry.action|label("action") }}``. A code
without a label shows as itself, and a test keeps every recorded action labelled.
"""

from __future__ import annotations

from question_bank.model import TYPE_TITLES

ACTIONS = {
    "attempt.finalize": "交卷",
    "attempt.open_keys": "提前查看答卷正确答案",
    "attempt.rescore": "重新评分",
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.password_change": "修改密码",
    "bank.publish": "发布题库",
    "certificate.issue": "颁发证书",
    "certificate.refused": "证书未颁发",
    "certificate.reissue": "换发证书",
    "certificate.revoke": "撤销证书",
    "exam.save": "保存试卷规则",
    "export.certificates": "下载证书（ZIP）",
    "export.results": "导出成绩",
    "export.statistics": "导出试题统计",
    "people.import": "导入人员",
    "person.import_update": "导入时更新人员信息",
    "person.reset_password": "重置密码",
    "person.role": "修改角色",
    "person.update": "修改人员信息",
    "session.close": "结束场次",
    "session.create": "创建场次",
    "session.edit": "修改场次",
    "session.extend": "延长场次",
    "session.grant": "加时或增加作答次数",
    "session.open": "开始场次",
    "session.register": "为人员报名",
    "session.register_unit": "为单位报名",
    "session.unregister": "取消人员报名",
    "session.unregister_unit": "取消单位报名",
    "unit.create": "新建单位",
    "unit.move": "移动单位",
    "unit.rename": "单位改名",
}

# Keys of audit details and of the before/after snapshots.
FIELDS = {
    "access_code": "访问码",
    "added": "新增题目",
    "address": "客户端地址",
    "attempt": "作答",
    "attempts_allowed": "允许作答次数",
    "bank": "题库",
    "beyond_close": "可超过场次结束时间",
    "birth_date": "出生日期",
    "by": "交卷方式",
    "candidate": "考生",
    "changed": "修改题目",
    "closes": "结束时间",
    "count": "条数",
    "created": "新建人数",
    "current_position": "职务",
    "deadline": "截止时间",
    "employee_number": "工号",
    "exam": "试卷规则",
    "extra_attempts": "增加作答次数",
    "extra_minutes": "加时（分钟）",
    "file": "文件",
    "format": "格式",
    "id_number": "身份证号",
    "level": "等级",
    "locked": "账号已锁定",
    "max_attempts": "允许作答次数",
    "minutes": "分钟",
    "name": "姓名",
    "new": "新证书编号",
    "note": "说明",
    "opens": "开始时间",
    "passed": "是否合格",
    "phone": "手机",
    "position": "拟任职务",
    "reason": "原因",
    "registered": "报名人数",
    "retired": "停用题目",
    "review_open": "答卷查看已开放",
    "revisions": "所用题目修订",
    "role": "角色",
    "rows": "行数",
    "score": "得分",
    "session": "场次",
    "title": "标题",
    "type": "证书类型",
    "unchanged": "信息无变化人数",
    "unit": "单位",
    "unit_id": "单位",
    "updated": "更新人数",
    "user": "人员",
    "version": "版本",
}

ROLES = {"candidate": "考生", "unit_admin": "单位管理员", "system_admin": "系统管理员"}

STATUSES = {
    "in_progress": "作答中",
    "finalized": "已交卷",
    "valid": "有效",
    "expired": "已过期",
    "revoked": "已撤销",
    "unknown": "未找到",
    "mistyped": "编号有误",
    "malformed": "不是证书编号",
}

# How an attempt was finalized (Attempt.finalized_by).
FINALIZED_BY = {"candidate": "考生交卷", "deadline": "到时自动交卷"}

CATALOGUE: dict[str, dict[str, str]] = {
    "action": ACTIONS,
    "field": FIELDS,
    "role": ROLES,
    "status": STATUSES,
    "finalized_by": FINALIZED_BY,
    "type": TYPE_TITLES,
}


def label(code: object, kind: str) -> str:
    """The words people see for ``code`` (a code of the given kind), or the code itself."""
    text = str(getattr(code, "value", code))
    return CATALOGUE[kind].get(text, text)
