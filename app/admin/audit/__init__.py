"""The audit log page (审计日志): every recorded admin action, filtered and paged."""
